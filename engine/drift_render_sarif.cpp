// SARIF 2.1.0 (code scanning upload): one result per drift entry, located at the desired
// object's file:line so the finding shows on the schema source; ignored entries carry a
// suppression; an unreadable database is a "database-error" result and a failed invocation.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "engine/drift.h"
#include "schema/json.h"

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
          {"properties", {{"database", db.label}, {"targetIndex", db.target_index}}}};
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
                          {"targetIndex", db.target_index},
                          {"objectKind", e.object_kind},
                          {"differences", differences},
                          {"fix", fix}};
  // Same finding, same fingerprint across runs: lets code scanning track it.
  result["partialFingerprints"] = {{"pgdriftEntry/v1", db.label + "|" + e.object_kind + "|" +
                                                           e.name + "|" + drift_kind_name(e.kind)}};
  return result;
}

json tool() { return {{"driver", {{"name", "pgdrift"}, {"rules", rules()}}}}; }

// The log's layout, piece by piece, as json::dump(2) would lay out each piece: shared by the
// writer and the structural merge, so a merged log is the bytes a single run writes.
struct SarifLayout {
  std::ostream& out;
  size_t results = 0;
  void begin() {
    out << "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
        << "  \"runs\": [\n    {\n      \"tool\": " << dump_json_at(tool(), 6).substr(6)
        << ",\n      \"results\": [";
  }
  void result(const json& r) { out << (results++ == 0 ? "\n" : ",\n") << dump_json_at(r, 8); }
  // The run's properties: the desired schema, and the shard of a sharded run.
  void end(int exit_code, const std::string& desired, const std::optional<DriftShard>& shard) {
    out << (results > 0 ? "\n      ]" : "]");
    json invocation = {{"executionSuccessful", exit_code != 2}, {"exitCode", exit_code}};
    json properties = {{"desired", desired}};
    if (shard) properties["shard"] = {{"index", shard->index}, {"count", shard->count}};
    out << ",\n      \"invocations\": [\n"
        << dump_json_at(invocation, 8)
        << "\n      ],\n      \"properties\": " << dump_json_at(properties, 6).substr(6)
        << "\n    }\n  ],\n  \"version\": \"2.1.0\"\n}\n";
  }
};

// One run: its tool, then the results as the databases come, then the invocation, whose exit
// code is known only at the end.
class SarifWriter : public DriftWriter {
 public:
  using DriftWriter::DriftWriter;

 protected:
  void write_begin() override { layout_.begin(); }
  void write_database(const DatabaseDrift& db, bool) override {
    if (db.error) {
      layout_.result(database_error(db));
      return;
    }
    for (const auto& e : db.entries) layout_.result(entry_result(e, db));
  }
  void write_end() override { layout_.end(totals().exit_code(), desired_, shard_); }

 private:
  SarifLayout layout_{out_};
};

}  // namespace

std::unique_ptr<DriftWriter> make_drift_sarif_writer(std::ostream& out, const std::string& desired,
                                                     const std::optional<DriftShard>& shard) {
  return std::make_unique<SarifWriter>(out, desired, shard);
}

MergedDriftText merge_drift_sarif(const std::vector<std::pair<std::string, std::string>>& files) {
  if (files.empty()) throw DriftReadError("no report to merge");
  struct Result {
    size_t target;
    size_t order;
    json result;
  };
  std::vector<Result> results;
  std::vector<std::pair<std::string, std::optional<DriftShard>>> shards;
  std::map<size_t, std::string> target_files;
  std::string desired;
  int exit_code = 0;
  const json expected_tool = tool();
  for (size_t f = 0; f < files.size(); ++f) {
    const std::string& name = files[f].first;  // named: captured below (clang 14)
    const std::string& text = files[f].second;
    json log;
    try {
      log = schema::parse_json_text(text, name);
    } catch (const std::runtime_error& e) {
      throw DriftReadError(e.what());
    }
    auto fail = [&](const std::string& why) -> DriftReadError {
      return DriftReadError(name + ": not a SARIF drift report of this pgdrift: " + why);
    };
    if (!log.is_object() || log.value("version", json()) != "2.1.0" ||
        !log.value("runs", json()).is_array() || log["runs"].size() != 1)
      throw fail("expected SARIF 2.1.0 with one run");
    const json& run = log["runs"][0];
    if (!run.is_object() || run.value("tool", json()) != expected_tool)
      throw fail("the tool or its rules differ");
    const json properties = run.value("properties", json::object());
    const json file_desired = properties.is_object() ? properties.value("desired", json()) : json();
    if (!file_desired.is_string()) throw fail("no properties.desired");
    if (f == 0) desired = file_desired.get<std::string>();
    if (file_desired != desired)
      throw DriftReadError(name + ": desired schema " + file_desired.dump() + " is not \"" +
                           desired + "\" of " + files[0].first +
                           ": the reports are not of the same check");
    std::optional<DriftShard> shard;
    if (const json s = properties.value("shard", json()); !s.is_null()) {
      if (!s.is_object() || !s.value("index", json()).is_number_unsigned() ||
          !s.value("count", json()).is_number_unsigned() || s["count"].get<size_t>() < 1 ||
          s["index"].get<size_t>() >= s["count"].get<size_t>())
        throw fail("bad properties.shard");
      shard = DriftShard{s["index"].get<size_t>(), s["count"].get<size_t>()};
    }
    shards.emplace_back(name, shard);
    const json invocations = run.value("invocations", json());
    if (!invocations.is_array() || invocations.size() != 1 || !invocations[0].is_object() ||
        !invocations[0].value("exitCode", json()).is_number_unsigned() ||
        invocations[0]["exitCode"].get<size_t>() > 2)
      throw fail("expected one invocation with exitCode 0, 1 or 2");
    exit_code = std::max(exit_code, invocations[0]["exitCode"].get<int>());
    const json file_results = run.value("results", json());
    if (!file_results.is_array()) throw fail("no results");
    std::set<size_t> targets;
    for (const auto& r : file_results) {
      const json props = r.is_object() ? r.value("properties", json()) : json();
      const json target = props.is_object() ? props.value("targetIndex", json()) : json();
      if (!target.is_number_unsigned()) throw fail("a result without properties.targetIndex");
      targets.insert(target.get<size_t>());
      results.push_back({target.get<size_t>(), results.size(), r});
    }
    for (size_t t : targets) {
      auto [it, inserted] = target_files.emplace(t, name);
      if (!inserted)
        throw DriftReadError(name + ": target " + std::to_string(t) + " is also in " + it->second +
                             ": overlapping reports");
    }
  }
  check_drift_shards(shards);
  std::stable_sort(results.begin(), results.end(),
                   [](const Result& a, const Result& b) { return a.target < b.target; });
  std::ostringstream out;
  SarifLayout layout{out};
  layout.begin();
  for (const auto& r : results) layout.result(r.result);
  layout.end(exit_code, desired, std::nullopt);
  return {out.str(), exit_code};
}

}  // namespace pgdrift::engine
