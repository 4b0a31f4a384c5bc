// GitHub Actions workflow commands: `::error file=F,line=L,title=T::message` per entry (or
// `::warning`), so drift shows as annotations on the desired schema's source lines. Ignored
// entries are left out; the last line is the plain summary.
#include <sstream>

#include "engine/drift.h"

namespace pgdrift::engine {

// Escaping rules of the workflow command format.
std::string github_escape_data(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string github_escape_property(const std::string& text) {
  std::string out;
  for (char c : github_escape_data(text)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

namespace {

class GithubWriter : public DriftWriter {
 public:
  using DriftWriter::DriftWriter;

 protected:
  void write_begin() override {}
  void write_database(const DatabaseDrift& db, bool) override {
    if (db.error) {
      out_ << "::error title=" << github_escape_property("pgdrift: cannot read " + db.label)
           << "::" << github_escape_data(db.label + ": " + *db.error) << "\n";
      return;
    }
    for (const auto& e : db.entries) {
      if (e.ignored) continue;
      std::string text = describe_entry(e) + " in " + db.label;
      for (const auto& d : e.differences) text += "\n" + describe_difference(d);
      for (const auto& f : e.fix) text += "\nfix: " + f.statement;
      out_ << (e.severity == DriftSeverity::Error ? "::error " : "::warning ");
      if (!e.location.empty())
        out_ << "file=" << github_escape_property(e.location.file) << ",line=" << e.location.line
             << ",";
      out_ << "title=" << github_escape_property("schema drift: " + describe_entry(e))
           << "::" << github_escape_data(text) << "\n";
    }
  }
  void write_end() override {
    const DriftTotals& t = totals();
    out_ << "pgdrift drift: " << t.drift << " difference(s) in " << t.databases << " database(s)";
    if (t.errors > 0) out_ << ", " << t.errors << " database(s) could not be read";
    if (shard_) out_ << " (shard " << shard_->index << "/" << shard_->count << ")";
    out_ << "\n";
  }
};

}  // namespace

std::unique_ptr<DriftWriter> make_drift_github_writer(std::ostream& out, const std::string& desired,
                                                      const std::optional<DriftShard>& shard) {
  return std::make_unique<GithubWriter>(out, desired, shard);
}

}  // namespace pgdrift::engine
