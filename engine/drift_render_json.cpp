// Machine-readable drift report: format "pgdrift-drift" version 1, documented (and kept
// stable) in docs/drift-json.md.
#include "engine/drift.h"

namespace pgdrift::engine {

using nlohmann::json;

namespace {

json fix_json(const std::vector<FixStep>& steps) {
  json out = json::array();
  for (const auto& s : steps) out.push_back({{"statement", s.statement}, {"hazards", s.hazards}});
  return out;
}

json entry_json(const DriftEntry& e) {
  json j = {{"object_kind", e.object_kind},
            {"name", e.name},
            {"drift", drift_kind_name(e.kind)},
            {"severity", drift_severity_name(e.severity)},
            {"ignored", e.ignored}};
  if (!e.parent.empty()) j["parent"] = e.parent;
  if (e.ignored) j["ignored_by"] = e.ignored_by;
  if (!e.location.empty()) j["location"] = {{"file", e.location.file}, {"line", e.location.line}};
  json diffs = json::array();
  for (const auto& d : e.differences) {
    json diff = {{"path", d.path}, {"desired", d.desired}, {"live", d.live}};
    if (!d.note.empty()) diff["note"] = d.note;
    diffs.push_back(std::move(diff));
  }
  j["differences"] = diffs;
  j["fix"] = fix_json(e.fix);
  return j;
}

std::string status(const DatabaseDrift& db) {
  if (db.error) return "error";
  return db.drift_count() > 0 ? "drift" : "clean";
}

}  // namespace

std::string render_drift_json(const DriftReport& report) {
  json databases = json::array();
  size_t ignored = 0, with_drift = 0;
  for (const auto& db : report.databases) {
    json d = {{"name", db.label}, {"status", status(db)}};
    if (db.error) d["error"] = *db.error;
    json entries = json::array();
    for (const auto& e : db.entries) entries.push_back(entry_json(e));
    d["entries"] = entries;
    d["other_fix"] = fix_json(db.other_fix);
    d["drift_count"] = db.drift_count();
    d["ignored_count"] = db.ignored_count();
    databases.push_back(d);
    ignored += db.ignored_count();
    if (!db.error && db.drift_count() > 0) ++with_drift;
  }
  json out = {{"format", "pgdrift-drift"},
              {"version", 1},
              {"desired", report.desired},
              {"exit_code", report.exit_code()},
              {"summary",
               {{"databases", report.databases.size()},
                {"databases_with_drift", with_drift},
                {"databases_with_errors", report.error_count()},
                {"drift", report.drift_count()},
                {"ignored", ignored}}},
              {"databases", databases}};
  return out.dump(2) + "\n";
}

}  // namespace pgdrift::engine
