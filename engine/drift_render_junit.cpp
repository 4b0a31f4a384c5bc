// JUnit XML: one <testsuite> per database, one <testcase> per compared top-level object
// (a table's members count with their table). A drifted object is a <failure>, an object
// whose drift is all ignored is <skipped>, an unreadable database is one <error> testcase.
#include <map>
#include <sstream>

#include "engine/drift.h"

namespace pgdrift::engine {

namespace {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters, even escaped.
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += ' ';
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

std::string entry_details(const DriftEntry& e) {
  std::ostringstream out;
  out << describe_entry(e) << " [" << drift_severity_name(e.severity) << "]";
  if (!e.location.empty()) out << " at " << e.location.file << ":" << e.location.line;
  out << "\n";
  for (const auto& d : e.differences) out << "  " << describe_difference(d) << "\n";
  for (const auto& f : e.fix) out << "  fix: " << f.statement << "\n";
  return out.str();
}

// One <testsuite> per database, written as it comes with its own counts. The <testsuites>
// root carries no totals: they would be known only at the end, and JUnit readers count the
// suites themselves.
class JunitWriter : public DriftWriter {
 public:
  using DriftWriter::DriftWriter;

 protected:
  void write_begin() override {
    out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         << "<testsuites name=\"pgdrift drift\">\n";
  }
  void write_database(const DatabaseDrift& db, bool) override;
  void write_end() override { out_ << "</testsuites>\n"; }
};

void JunitWriter::write_database(const DatabaseDrift& db, bool) {
  std::ostringstream cases;
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  if (db.error) {
    ++tests;
    ++errors;
    cases << "    <testcase classname=\"" << xml_escape(db.label)
          << "\" name=\"read database\">\n      <error message=\"" << xml_escape(*db.error)
          << "\" type=\"database-error\"/>\n    </testcase>\n";
  } else {
    std::map<std::string, std::vector<const DriftEntry*>> by_owner;
    for (const auto& e : db.entries) by_owner[e.parent.empty() ? e.name : e.parent].push_back(&e);
    for (const auto& object : db.checked) {
      ++tests;
      cases << "    <testcase classname=\"" << xml_escape(db.label) << "\" name=\""
            << xml_escape(object.object_kind + " " + object.name) << "\"";
      if (!object.location.empty())
        cases << " file=\"" << xml_escape(object.location.file) << "\" line=\""
              << object.location.line << "\"";
      auto it = by_owner.find(object.name);
      if (it == by_owner.end()) {
        cases << "/>\n";
        continue;
      }
      std::string failed, ignored;
      size_t failed_count = 0;
      for (const auto* e : it->second) {
        if (e->ignored) {
          ignored += entry_details(*e);
        } else {
          failed += entry_details(*e);
          ++failed_count;
        }
      }
      cases << ">\n";
      if (failed_count > 0) {
        ++failures;
        cases << "      <failure message=\""
              << xml_escape(std::to_string(failed_count) + " drift entr" +
                            (failed_count == 1 ? "y" : "ies"))
              << "\" type=\"drift\">" << xml_escape(failed) << "</failure>\n";
      } else {
        ++skipped;
        cases << "      <skipped message=\"drift ignored\"/>\n";
      }
      if (!ignored.empty())
        cases << "      <system-out>" << xml_escape("ignored:\n" + ignored) << "</system-out>\n";
      cases << "    </testcase>\n";
    }
  }
  out_ << "  <testsuite name=\"" << xml_escape(db.label) << "\" tests=\"" << tests
       << "\" failures=\"" << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped
       << "\">\n"
       << cases.str() << "  </testsuite>\n";
}

}  // namespace

std::unique_ptr<DriftWriter> make_drift_junit_writer(std::ostream& out, const std::string& desired,
                                                     const std::optional<DriftShard>& shard) {
  return std::make_unique<JunitWriter>(out, desired, shard);
}

}  // namespace pgdrift::engine
