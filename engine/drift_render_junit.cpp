// JUnit XML: one <testsuite> per database, one <testcase> per compared top-level object
// (a table's members count with their table). A drifted object is a <failure>, an object
// whose drift is all ignored is <skipped>, an unreadable database is one <error> testcase.
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>

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

constexpr const char* kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
constexpr const char* kRootName = "pgdrift drift";

// The document's first two lines; a shard's root is named "pgdrift drift shard K/N".
std::string header(const std::optional<DriftShard>& shard) {
  std::string name = kRootName;
  if (shard) name += " shard " + std::to_string(shard->index) + "/" + std::to_string(shard->count);
  return std::string(kXmlDeclaration) + "<testsuites name=\"" + name + "\">\n";
}

// One <testsuite> per database, written as it comes with its own counts. The <testsuites>
// root carries no totals: they would be known only at the end, and JUnit readers count the
// suites themselves.
class JunitWriter : public DriftWriter {
 public:
  using DriftWriter::DriftWriter;

 protected:
  void write_begin() override { out_ << header(shard_); }
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
  // id: the database's position in the full targets list (JUnit's "id" of a testsuite), by
  // which merge_drift_junit puts shards back in order.
  out_ << "  <testsuite name=\"" << xml_escape(db.label) << "\" id=\"" << db.target_index
       << "\" tests=\"" << tests << "\" failures=\"" << failures << "\" errors=\"" << errors
       << "\" skipped=\"" << skipped << "\">\n"
       << cases.str() << "  </testsuite>\n";
}

}  // namespace

std::unique_ptr<DriftWriter> make_drift_junit_writer(std::ostream& out, const std::string& desired,
                                                     const std::optional<DriftShard>& shard) {
  return std::make_unique<JunitWriter>(out, desired, shard);
}

namespace {

// The unsigned number of attribute `name` in a start tag, or nullopt.
std::optional<size_t> attribute_number(const std::string& tag, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const size_t at = tag.find(key);
  if (at == std::string::npos) return std::nullopt;
  size_t i = at + key.size(), value = 0;
  if (i >= tag.size() || !std::isdigit(static_cast<unsigned char>(tag[i]))) return std::nullopt;
  for (; i < tag.size() && std::isdigit(static_cast<unsigned char>(tag[i])); ++i) {
    if (value > (SIZE_MAX - 9) / 10) return std::nullopt;
    value = value * 10 + static_cast<size_t>(tag[i] - '0');
  }
  if (i >= tag.size() || tag[i] != '"') return std::nullopt;
  return value;
}

}  // namespace

MergedDriftText merge_drift_junit(const std::vector<std::pair<std::string, std::string>>& files) {
  if (files.empty()) throw DriftReadError("no report to merge");
  // Test suites by target index. pgdrift's JUnit escapes every '<' of text, so a line that
  // starts with "  <testsuite " or is "  </testsuite>" is a tag.
  std::map<size_t, std::pair<std::string, std::string>> suites;  // id -> (file, text)
  std::vector<std::pair<std::string, std::optional<DriftShard>>> shards;
  int exit_code = 0;
  for (const auto& file : files) {
    const std::string& name = file.first;  // named: captured below (clang 14)
    const std::string& text = file.second;
    auto fail = [&](const std::string& why) {
      return DriftReadError(name + ": not a JUnit drift report of this pgdrift: " + why);
    };
    const std::string root = std::string(kXmlDeclaration) + "<testsuites name=\"" + kRootName;
    const std::string end = "</testsuites>\n";
    if (text.compare(0, root.size(), root) != 0) throw fail("it does not start as one");
    if (text.size() < root.size() + end.size() ||
        text.compare(text.size() - end.size(), end.size(), end) != 0)
      throw fail("it does not end with </testsuites>");
    const size_t header_end = text.find('\n', std::strlen(kXmlDeclaration)) + 1;
    const std::string root_line = text.substr(root.size(), header_end - root.size());
    std::optional<DriftShard> shard;
    if (root_line != "\">\n") {
      DriftShard s;
      const std::string prefix = " shard ";
      size_t slash = root_line.find('/');
      try {
        if (root_line.compare(0, prefix.size(), prefix) != 0 || slash == std::string::npos)
          throw std::invalid_argument("shard");
        size_t used = 0;
        const std::string index = root_line.substr(prefix.size(), slash - prefix.size());
        s.index = std::stoul(index, &used);
        if (used != index.size()) throw std::invalid_argument("shard");
        const std::string count = root_line.substr(slash + 1);
        s.count = std::stoul(count, &used);
        if (count.substr(used) != "\">\n") throw std::invalid_argument("shard");
      } catch (const std::exception&) {
        throw fail("a root name other than \"pgdrift drift [shard K/N]\"");
      }
      if (s.count < 1 || s.index >= s.count) throw fail("a shard index not below its count");
      shard = s;
    }
    shards.emplace_back(name, shard);
    size_t pos = header_end;
    const size_t body_end = text.size() - end.size();
    while (pos < body_end) {
      size_t line_end = text.find('\n', pos);
      const std::string start = text.substr(pos, line_end - pos);
      if (start.rfind("  <testsuite ", 0) != 0) throw fail("a line that starts no <testsuite>");
      const std::string close = "\n  </testsuite>\n";
      const size_t stop = text.find(close, pos);
      if (stop == std::string::npos || stop >= body_end) throw fail("an unclosed <testsuite>");
      const size_t next = stop + close.size();
      const auto id = attribute_number(start, "id");
      const auto errors = attribute_number(start, "errors");
      const auto failures = attribute_number(start, "failures");
      if (!id || !errors || !failures) throw fail("a <testsuite> without id, errors, failures");
      if (*errors > 0) exit_code = 2;
      if (*failures > 0) exit_code = std::max(exit_code, 1);
      auto [it, inserted] = suites.emplace(*id, std::make_pair(name, text.substr(pos, next - pos)));
      if (!inserted)
        throw DriftReadError(name + ": target " + std::to_string(*id) + " is also in " +
                             it->second.first + ": overlapping reports");
      pos = next;
    }
  }
  check_drift_shards(shards);
  std::string out = header(std::nullopt);
  for (const auto& [id, suite] : suites) out += suite.second;
  out += "</testsuites>\n";
  return {out, exit_code};
}

}  // namespace pgdrift::engine
