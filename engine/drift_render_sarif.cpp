// SARIF 2.1.0 (code scanning upload): one result per drift entry, located at the desired
// object's file:line so the finding shows on the schema source; ignored entries carry a
// suppression; an unreadable database is a "database-error" result and a failed invocation.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "engine/drift.h"

namespace pgdrift::engine {

using nlohmann::json;

namespace {

// RFC 3986 reference from a path: keep unreserved characters and '/', escape the rest.
std::string uri_reference(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

json rules() {
  auto rule = [](const char* id, const char* name, const char* text) {
    return json{{"id", id}, {"name", name}, {"shortDescription", {{"text", text}}}};
  };
  return json::array({rule("drift/missing", "MissingObject",
                           "An object of the desired schema is missing from the database"),
                      rule("drift/unexpected", "UnexpectedObject",
                           "The database has an object the desired schema does not define"),
                      rule("drift/differs", "DifferentObject",
                           "An object differs between the desired schema and the database"),
                      rule("database-error", "DatabaseError",
                           "The database could not be read, so drift is unknown")});
}

int rule_index(DriftKind kind) {
  switch (kind) {
    case DriftKind::Missing:
      return 0;
    case DriftKind::Unexpected:
      return 1;
    case DriftKind::Differs:
      return 2;
  }
  return 2;
}

std::string message(const DriftEntry& e, const std::string& database) {
  std::string text = describe_entry(e) + " in " + database;
  for (const auto& d : e.differences) text += "; " + describe_difference(d);
  return text;
}

json database_error(const DatabaseDrift& db) {
  return {{"ruleId", "database-error"},
          {"ruleIndex", 3},
          {"level", "error"},
          {"message", {{"text", db.label + ": " + *db.error}}},
          {"properties", {{"database", db.label}}}};
}

json entry_result(const DriftEntry& e, const DatabaseDrift& db) {
  json result = {{"ruleId", "drift/" + drift_kind_name(e.kind)},
                 {"ruleIndex", rule_index(e.kind)},
                 {"level", drift_severity_name(e.severity)},
                 {"message", {{"text", message(e, db.label)}}}};
  // The object itself is the logical location; the desired source, when known, the
  // physical one.
  json location = {{"logicalLocations",
                    json::array({{{"fullyQualifiedName", e.name}, {"kind", e.object_kind}}})}};
  if (!e.location.empty()) {
    location["physicalLocation"] = {{"artifactLocation", {{"uri", uri_reference(e.location.file)}}},
                                    {"region", {{"startLine", std::max(1, e.location.line)}}}};
  }
  result["locations"] = json::array({location});
  if (e.ignored)
    result["suppressions"] =
        json::array({{{"kind", "external"}, {"justification", "ignored by " + e.ignored_by}}});
  json differences = json::array();
  for (const auto& d : e.differences)
    differences.push_back({{"path", d.path}, {"desired", d.desired}, {"live", d.live}});
  json fix = json::array();
  for (const auto& f : e.fix) fix.push_back({{"statement", f.statement}, {"hazards", f.hazards}});
  result["properties"] = {{"database", db.label},
                          {"objectKind", e.object_kind},
                          {"differences", differences},
                          {"fix", fix}};
  // Same finding, same fingerprint across runs: lets code scanning track it.
  result["partialFingerprints"] = {{"pgdriftEntry/v1", db.label + "|" + e.object_kind + "|" +
                                                           e.name + "|" + drift_kind_name(e.kind)}};
  return result;
}

// One run: its tool, then the results as the databases come, then the invocation, whose exit
// code is known only at the end (the log is laid out as json::dump(2) would lay out each piece).
class SarifWriter : public DriftWriter {
 public:
  using DriftWriter::DriftWriter;

 protected:
  void write_begin() override {
    json tool = {{"driver", {{"name", "pgdrift"}, {"rules", rules()}}}};
    out_ << "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
         << "  \"runs\": [\n    {\n      \"tool\": " << dump_json_at(tool, 6).substr(6)
         << ",\n      \"results\": [";
  }
  void write_database(const DatabaseDrift& db, bool) override {
    if (db.error) {
      write_result(database_error(db));
      return;
    }
    for (const auto& e : db.entries) write_result(entry_result(e, db));
  }
  void write_end() override {
    out_ << (results_ > 0 ? "\n      ]" : "]");
    json invocation = {{"executionSuccessful", totals().errors == 0},
                       {"exitCode", totals().exit_code()}};
    out_ << ",\n      \"invocations\": [\n"
         << dump_json_at(invocation, 8) << "\n      ]\n    }\n  ],\n  \"version\": \"2.1.0\"\n}\n";
  }

 private:
  void write_result(const json& result) {
    out_ << (results_++ == 0 ? "\n" : ",\n") << dump_json_at(result, 8);
  }
  size_t results_ = 0;
};

}  // namespace

std::unique_ptr<DriftWriter> make_drift_sarif_writer(std::ostream& out, const std::string& desired,
                                                     const std::optional<DriftShard>& shard) {
  return std::make_unique<SarifWriter>(out, desired, shard);
}

}  // namespace pgdrift::engine
