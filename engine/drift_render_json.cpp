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

// The document is the one `json::dump(2)` prints for the whole report (keys sorted, so
// "databases" comes first and the totals after it): each database is printed as soon as it is
// added, and only the totals are kept for the end.
class JsonWriter : public DriftWriter {
 public:
  using DriftWriter::DriftWriter;

 protected:
  void write_begin() override { out_ << "{\n  \"databases\": ["; }
  void write_database(const DatabaseDrift& db, bool first) override {
    json d = {{"name", db.label}, {"status", status(db)}, {"target_index", db.target_index}};
    if (db.error) d["error"] = *db.error;
    json entries = json::array();
    for (const auto& e : db.entries) entries.push_back(entry_json(e));
    d["entries"] = entries;
    json checked = json::array();
    for (const auto& c : db.checked) {
      json object = {{"object_kind", c.object_kind}, {"name", c.name}};
      if (!c.location.empty())
        object["location"] = {{"file", c.location.file}, {"line", c.location.line}};
      checked.push_back(std::move(object));
    }
    d["checked"] = checked;
    d["other_fix"] = fix_json(db.other_fix);
    d["drift_count"] = db.drift_count();
    d["ignored_count"] = db.ignored_count();
    out_ << (first ? "\n" : ",\n") << dump_json_at(d, 4);
  }
  void write_end() override {
    const DriftTotals& t = totals();
    out_ << (t.databases > 0 ? "\n  ]" : "]");
    json rest = {{"format", "pgdrift-drift"},
                 {"version", 1},
                 {"desired", desired_},
                 {"exit_code", t.exit_code()},
                 {"summary",
                  {{"databases", t.databases},
                   {"databases_with_drift", t.with_drift},
                   {"databases_with_errors", t.errors},
                   {"drift", t.drift},
                   {"ignored", t.ignored}}}};
    if (shard_) rest["shard"] = {{"index", shard_->index}, {"count", shard_->count}};
    // "{\n  \"desired\": ...\n}": the keys after "databases", at their place in the document.
    out_ << ",\n" << rest.dump(2).substr(2) << "\n";
  }
};

}  // namespace

std::unique_ptr<DriftWriter> make_drift_json_writer(std::ostream& out, const std::string& desired,
                                                    const std::optional<DriftShard>& shard) {
  return std::make_unique<JsonWriter>(out, desired, shard);
}

}  // namespace pgdrift::engine
