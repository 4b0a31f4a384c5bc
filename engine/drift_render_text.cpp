// Human-readable drift report: grouped by database, then by top-level object, with the
// attribute differences and fix statements under each entry, and a one-line summary.
#include <sstream>

#include "engine/drift.h"
#include "engine/text_diff.h"

namespace pgdrift::engine {

namespace {

struct Palette {
  bool on = false;
  std::string wrap(const char* code, const std::string& text) const {
    return on ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
  }
  std::string red(const std::string& t) const { return wrap("31", t); }
  std::string yellow(const std::string& t) const { return wrap("33", t); }
  std::string green(const std::string& t) const { return wrap("32", t); }
  std::string bold(const std::string& t) const { return wrap("1", t); }
  std::string dim(const std::string& t) const { return wrap("2", t); }
};

std::string location_text(const schema::SourceLocation& location) {
  if (location.empty()) return "";
  return location.file + ":" + std::to_string(location.line);
}

std::string plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

void render_entry(std::ostream& out, const DriftEntry& e, const Palette& p) {
  std::string tag = e.ignored                            ? p.dim("ignored")
                    : e.severity == DriftSeverity::Error ? p.red("error")
                                                         : p.yellow("warning");
  out << "  " << (e.ignored ? p.dim(describe_entry(e)) : describe_entry(e)) << "  [" << tag << "]";
  if (!e.location.empty()) out << "  " << location_text(e.location);
  out << "\n";
  if (e.ignored) out << "      ignored by " << e.ignored_by << "\n";
  for (const auto& d : e.differences) {
    // A query, an expression or a body that does not fit one line: a diff of it laid out one
    // clause per line, so that the clause that differs stands out.
    if (d.desired.is_string() && d.live.is_string()) {
      const std::string desired = d.desired.get<std::string>(), live = d.live.get<std::string>();
      if (desired.size() + live.size() > 100 || desired.find('\n') != std::string::npos ||
          live.find('\n') != std::string::npos) {
        out << "      " << d.path << ":\n";
        std::istringstream lines(
            unified_diff(pretty_sql(desired), pretty_sql(live), "desired", "live"));
        for (std::string line; std::getline(lines, line);)
          out << "        "
              << (line.rfind("+++", 0) == 0 || line.rfind("---", 0) == 0 ? line
                  : !line.empty() && line[0] == '-'                      ? p.green(line)
                  : !line.empty() && line[0] == '+'                      ? p.red(line)
                                                                         : line)
              << "\n";
        continue;
      }
    }
    out << "      " << d.path << ": desired " << p.green(difference_value_text(d.desired))
        << ", live " << p.red(difference_value_text(d.live));
    if (!d.note.empty()) out << "\n        " << p.yellow(d.note);
    out << "\n";
  }
  for (const auto& f : e.fix) {
    out << "      fix: " << f.statement;
    if (!f.hazards.empty()) {
      out << "  " << p.yellow("[hazards:");
      for (const auto& h : f.hazards) out << p.yellow(" " + h);
      out << p.yellow("]");
    }
    out << "\n";
  }
}

class TextWriter : public DriftWriter {
 public:
  TextWriter(std::ostream& out, const std::string& desired, const std::optional<DriftShard>& shard,
             const TextRenderOptions& options)
      : DriftWriter(out, desired, shard), p_{options.color} {}

 protected:
  void write_begin() override {}
  void write_database(const DatabaseDrift& db, bool) override;
  void write_end() override;

 private:
  Palette p_;
};

void TextWriter::write_database(const DatabaseDrift& db, bool) {
  const Palette& p = p_;
  std::ostream& out = out_;
  out << p.bold("database " + db.label) << "\n";
  if (db.error) {
    out << "  " << p.red("error: " + *db.error) << "\n\n";
    return;
  }
  if (db.entries.empty()) {
    out << "  " << p.green("no drift") << "\n\n";
    return;
  }
  // Entries arrive grouped by owner (an owner's own entry, then its members).
  std::string current_owner;
  for (const auto& e : db.entries) {
    const std::string& owner = e.parent.empty() ? e.name : e.parent;
    if (owner != current_owner) {
      current_owner = owner;
      out << " " << p.bold(owner) << "\n";
    }
    render_entry(out, e, p);
  }
  if (!db.other_fix.empty()) {
    out << " other fix steps\n";
    for (const auto& f : db.other_fix) out << "      fix: " << f.statement << "\n";
  }
  out << "\n";
}

void TextWriter::write_end() {
  const Palette& p = p_;
  const DriftTotals& t = totals();
  std::string summary;
  if (t.errors > 0)
    summary = "drift check failed: " + plural(t.errors, "database") + " could not be read; " +
              plural(t.drift, "difference") + " in " + std::to_string(t.with_drift) + " of " +
              plural(t.databases, "database");
  else if (t.drift > 0)
    summary = "drift: " + plural(t.drift, "difference") + " in " + std::to_string(t.with_drift) +
              " of " + plural(t.databases, "database");
  else
    summary = "no drift in " + plural(t.databases, "database");
  if (t.ignored > 0) summary += " (" + std::to_string(t.ignored) + " ignored)";
  if (shard_)
    summary +=
        " (shard " + std::to_string(shard_->index) + "/" + std::to_string(shard_->count) + ")";
  out_ << (t.exit_code() == 0 ? p.green(summary) : p.red(summary)) << "\n";
}

}  // namespace

std::unique_ptr<DriftWriter> make_drift_text_writer(std::ostream& out, const std::string& desired,
                                                    const std::optional<DriftShard>& shard,
                                                    const TextRenderOptions& options) {
  return std::make_unique<TextWriter>(out, desired, shard, options);
}

}  // namespace pgdrift::engine
