// The JSON drift report read back (docs/drift-json.md): the lossless format, which holds all a
// renderer needs (entries, checked objects, fix steps, target positions), so that `pgdrift
// report merge` can print shard reports as any format, byte for byte as a single run would.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/drift.h"
#include "schema/json.h"

namespace pgdrift::engine {

using nlohmann::json;

namespace {

// Field access with the JSON path in the message.
class Reader {
 public:
  explicit Reader(std::string filename) : filename_(std::move(filename)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw DriftReadError(filename_ + ": not a pgdrift drift report: " + path + ": " + message);
  }
  const json& field(const json& object, const std::string& path, const char* key) const {
    if (!object.is_object()) fail(path, "expected an object");
    auto it = object.find(key);
    if (it == object.end()) fail(path, std::string("missing \"") + key + "\"");
    return *it;
  }
  const json* optional_field(const json& object, const char* key) const {
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
  }
  std::string string(const json& value, const std::string& path) const {
    if (!value.is_string()) fail(path, "expected a string");
    return value.get<std::string>();
  }
  size_t count(const json& value, const std::string& path) const {
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<long long>() >= 0))
      fail(path, "expected a non-negative integer");
    return value.get<size_t>();
  }
  bool boolean(const json& value, const std::string& path) const {
    if (!value.is_boolean()) fail(path, "expected true or false");
    return value.get<bool>();
  }
  const json& array(const json& value, const std::string& path) const {
    if (!value.is_array()) fail(path, "expected an array");
    return value;
  }

  schema::SourceLocation location(const json& object, const std::string& path) const {
    schema::SourceLocation loc;
    const json* l = optional_field(object, "location");
    if (!l) return loc;
    loc.file = string(field(*l, path + ".location", "file"), path + ".location.file");
    loc.line =
        static_cast<int>(count(field(*l, path + ".location", "line"), path + ".location.line"));
    return loc;
  }

  std::vector<FixStep> fix(const json& value, const std::string& path) const {
    std::vector<FixStep> out;
    size_t i = 0;
    for (const auto& s : array(value, path)) {
      const std::string p = path + "[" + std::to_string(i++) + "]";
      FixStep step;
      step.statement = string(field(s, p, "statement"), p + ".statement");
      for (const auto& h : array(field(s, p, "hazards"), p + ".hazards"))
        step.hazards.push_back(string(h, p + ".hazards"));
      out.push_back(std::move(step));
    }
    return out;
  }

  DriftEntry entry(const json& e, const std::string& path) const {
    DriftEntry out;
    out.object_kind = string(field(e, path, "object_kind"), path + ".object_kind");
    out.name = string(field(e, path, "name"), path + ".name");
    if (const json* parent = optional_field(e, "parent")) out.parent = string(*parent, path);
    const std::string kind = string(field(e, path, "drift"), path + ".drift");
    if (kind == "missing")
      out.kind = DriftKind::Missing;
    else if (kind == "unexpected")
      out.kind = DriftKind::Unexpected;
    else if (kind == "differs")
      out.kind = DriftKind::Differs;
    else
      fail(path + ".drift", "unknown drift \"" + kind + "\"");
    const std::string severity = string(field(e, path, "severity"), path + ".severity");
    if (severity == "error")
      out.severity = DriftSeverity::Error;
    else if (severity == "warning")
      out.severity = DriftSeverity::Warning;
    else
      fail(path + ".severity", "unknown severity \"" + severity + "\"");
    out.ignored = boolean(field(e, path, "ignored"), path + ".ignored");
    if (const json* by = optional_field(e, "ignored_by")) out.ignored_by = string(*by, path);
    out.location = location(e, path);
    size_t i = 0;
    for (const auto& d : array(field(e, path, "differences"), path + ".differences")) {
      const std::string p = path + ".differences[" + std::to_string(i++) + "]";
      AttributeDifference diff;
      diff.path = string(field(d, p, "path"), p + ".path");
      diff.desired = field(d, p, "desired");
      diff.live = field(d, p, "live");
      if (const json* note = optional_field(d, "note")) diff.note = string(*note, p + ".note");
      out.differences.push_back(std::move(diff));
    }
    out.fix = fix(field(e, path, "fix"), path + ".fix");
    return out;
  }

  DatabaseDrift database(const json& d, const std::string& path) const {
    DatabaseDrift db;
    db.label = string(field(d, path, "name"), path + ".name");
    db.target_index = count(field(d, path, "target_index"), path + ".target_index");
    const std::string status = string(field(d, path, "status"), path + ".status");
    if (status == "error") {
      db.error = string(field(d, path, "error"), path + ".error");
    } else if (status != "clean" && status != "drift") {
      fail(path + ".status", "unknown status \"" + status + "\"");
    }
    size_t i = 0;
    for (const auto& e : array(field(d, path, "entries"), path + ".entries"))
      db.entries.push_back(entry(e, path + ".entries[" + std::to_string(i++) + "]"));
    i = 0;
    for (const auto& c : array(field(d, path, "checked"), path + ".checked")) {
      const std::string p = path + ".checked[" + std::to_string(i++) + "]";
      CheckedObject object;
      object.object_kind = string(field(c, p, "object_kind"), p + ".object_kind");
      object.name = string(field(c, p, "name"), p + ".name");
      object.location = location(c, p);
      db.checked.push_back(std::move(object));
    }
    db.other_fix = fix(field(d, path, "other_fix"), path + ".other_fix");
    return db;
  }

 private:
  std::string filename_;
};

}  // namespace

DriftReportFile read_drift_json(const std::string& text, const std::string& filename) {
  json doc;
  try {
    doc = schema::parse_json_text(text, filename);
  } catch (const std::runtime_error& e) {
    throw DriftReadError(e.what());
  }
  Reader r(filename);
  if (!doc.is_object() || doc.value("format", json()) != "pgdrift-drift")
    r.fail("$",
           "\"format\" is not \"pgdrift-drift\" (a JSON report of `pgdrift drift --format "
           "json` is expected)");
  if (doc.value("version", json()) != 1) r.fail("$.version", "only version 1 is read");
  DriftReportFile out;
  out.name = filename;
  out.report.desired = r.string(r.field(doc, "$", "desired"), "$.desired");
  const json& code = r.field(doc, "$", "exit_code");
  out.exit_code = static_cast<int>(r.count(code, "$.exit_code"));
  if (out.exit_code > 2) r.fail("$.exit_code", "expected 0, 1 or 2");
  if (const json* shard = r.optional_field(doc, "shard")) {
    DriftShard s;
    s.index = r.count(r.field(*shard, "$.shard", "index"), "$.shard.index");
    s.count = r.count(r.field(*shard, "$.shard", "count"), "$.shard.count");
    if (s.count < 1 || s.index >= s.count) r.fail("$.shard", "index must be below count");
    out.report.shard = s;
  }
  size_t i = 0;
  for (const auto& d : r.array(r.field(doc, "$", "databases"), "$.databases"))
    out.report.databases.push_back(r.database(d, "$.databases[" + std::to_string(i++) + "]"));
  return out;
}

std::string read_drift_report_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DriftReadError(path + ": cannot read the file");
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxDriftReportBytes)
      throw DriftReadError(path + ": larger than " + std::to_string(kMaxDriftReportBytes >> 20) +
                           " MiB: not a drift report");
  }
  if (in.bad()) throw DriftReadError(path + ": cannot read the file");
  return text;
}

DriftReportFile read_drift_json_file(const std::string& path) {
  return read_drift_json(read_drift_report_text(path), path);
}

void check_drift_shards(
    const std::vector<std::pair<std::string, std::optional<DriftShard>>>& files) {
  std::map<size_t, std::string> shard_files;  // shard index -> file
  std::optional<size_t> shard_count;
  bool unsharded = false;
  for (const auto& [name, shard] : files) {
    if (shard) {
      const DriftShard s = *shard;
      if (shard_count && *shard_count != s.count)
        throw DriftReadError(name + ": shard " + std::to_string(s.index) + "/" +
                             std::to_string(s.count) + " is not one of " +
                             std::to_string(*shard_count) + " shards like " +
                             shard_files.begin()->second);
      shard_count = s.count;
      auto [it, inserted] = shard_files.emplace(s.index, name);
      if (!inserted)
        throw DriftReadError(name + ": shard " + std::to_string(s.index) + "/" +
                             std::to_string(s.count) + " is also " + it->second);
    } else {
      unsharded = true;
    }
    if (shard_count && unsharded)
      throw DriftReadError(name +
                           ": sharded and unsharded reports mixed: merge the shards of one run");
  }
  if (shard_count) {
    for (size_t k = 0; k < *shard_count; ++k)
      if (!shard_files.count(k))
        throw DriftReadError("shard " + std::to_string(k) + "/" + std::to_string(*shard_count) +
                             " is missing: give the reports of every shard");
  }
}

DriftReportFile merge_drift_reports(std::vector<DriftReportFile> files) {
  if (files.empty()) throw DriftReadError("no report to merge");
  DriftReportFile out;
  out.name = "merged";
  out.report.desired = files.front().report.desired;
  std::vector<std::pair<std::string, std::optional<DriftShard>>> shards;
  for (const auto& f : files) shards.emplace_back(f.name, f.report.shard);
  check_drift_shards(shards);
  std::map<size_t, std::string> target_files;  // target index -> file
  for (auto& f : files) {
    if (f.report.desired != out.report.desired)
      throw DriftReadError(f.name + ": desired schema \"" + f.report.desired + "\" is not \"" +
                           out.report.desired + "\" of " + files.front().name +
                           ": the reports are not of the same check");
    out.exit_code = std::max(out.exit_code, f.exit_code);
    for (auto& db : f.report.databases) {
      auto [it, inserted] = target_files.emplace(db.target_index, f.name);
      if (!inserted)
        throw DriftReadError(f.name + ": target " + std::to_string(db.target_index) + " (" +
                             db.label + ") is also in " + it->second + ": overlapping reports");
      out.report.databases.push_back(std::move(db));
    }
  }
  std::stable_sort(out.report.databases.begin(), out.report.databases.end(),
                   [](const DatabaseDrift& a, const DatabaseDrift& b) {
                     return a.target_index < b.target_index;
                   });
  DriftTotals totals;
  for (const auto& db : out.report.databases) totals.add(db);
  out.exit_code = std::max(out.exit_code, totals.exit_code());
  return out;
}

}  // namespace pgdrift::engine
