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

namespace {}  // namespace

std::string render_drift_github(const DriftReport& report) {
  std::ostringstream out;
  for (const auto& db : report.databases) {
    if (db.error) {
      out << "::error title=" << github_escape_property("pgdrift: cannot read " + db.label)
          << "::" << github_escape_data(db.label + ": " + *db.error) << "\n";
      continue;
    }
    for (const auto& e : db.entries) {
      if (e.ignored) continue;
      std::string text = describe_entry(e) + " in " + db.label;
      for (const auto& d : e.differences) text += "\n" + describe_difference(d);
      for (const auto& f : e.fix) text += "\nfix: " + f.statement;
      out << (e.severity == DriftSeverity::Error ? "::error " : "::warning ");
      if (!e.location.empty())
        out << "file=" << github_escape_property(e.location.file) << ",line=" << e.location.line
            << ",";
      out << "title=" << github_escape_property("schema drift: " + describe_entry(e))
          << "::" << github_escape_data(text) << "\n";
    }
  }
  size_t errors = report.error_count();
  out << "pgdrift drift: " << report.drift_count() << " difference(s) in "
      << report.databases.size() << " database(s)";
  if (errors > 0) out << ", " << errors << " database(s) could not be read";
  out << "\n";
  return out.str();
}

}  // namespace pgdrift::engine
