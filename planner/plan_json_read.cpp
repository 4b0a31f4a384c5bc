// Reading a reviewed plan file back (the format render_json.cpp writes, docs/planner.md), so
// that `pgdrift apply --plan` runs exactly the statements an auditor approved.
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "planner/plan.h"

namespace pgdrift::planner {

namespace {

using nlohmann::json;

class Reader {
 public:
  explicit Reader(std::string filename) : filename_(std::move(filename)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& message) const {
    throw std::runtime_error(filename_ + ": " + where + ": " + message);
  }

  const json& field(const json& object, const char* key, const std::string& where) const {
    if (!object.is_object()) fail(where, "expected an object");
    auto it = object.find(key);
    if (it == object.end()) fail(where, std::string("missing \"") + key + "\"");
    return *it;
  }

  std::string string(const json& object, const char* key, const std::string& where) const {
    const json& v = field(object, key, where);
    if (!v.is_string()) fail(where + "." + key, "expected a string");
    return v.get<std::string>();
  }

  int integer(const json& object, const char* key, const std::string& where) const {
    const json& v = field(object, key, where);
    if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > INT32_MAX)
      fail(where + "." + key, "expected a non-negative integer");
    return v.get<int>();
  }

  bool boolean(const json& object, const char* key, const std::string& where) const {
    const json& v = field(object, key, where);
    if (!v.is_boolean()) fail(where + "." + key, "expected true or false");
    return v.get<bool>();
  }

  Step step(const json& j, const std::string& where, int expected_id) const {
    Step s;
    s.id = integer(j, "id", where);
    if (s.id != expected_id)
      fail(where + ".id", "expected " + std::to_string(expected_id) + " (ids are positions)");
    s.statement = string(j, "statement", where);
    if (s.statement.empty()) fail(where + ".statement", "empty statement");
    const json& object = field(j, "object", where);
    s.object_kind = string(object, "kind", where + ".object");
    s.object_name = string(object, "name", where + ".object");
    std::string change = string(j, "change", where);
    if (change == "add") {
      s.change_kind = engine::ChangeKind::Add;
    } else if (change == "drop") {
      s.change_kind = engine::ChangeKind::Drop;
    } else if (change == "alter") {
      s.change_kind = engine::ChangeKind::Alter;
    } else {
      fail(where + ".change", "expected add, drop or alter, not \"" + change + "\"");
    }
    const json& hazards = field(j, "hazards", where);
    if (!hazards.is_array()) fail(where + ".hazards", "expected an array");
    for (const auto& h : hazards) {
      auto hazard = h.is_string() ? hazard_from_code(h.get<std::string>()) : std::nullopt;
      if (!hazard) fail(where + ".hazards", "unknown hazard " + h.dump());
      s.hazards.push_back(*hazard);
    }
    s.lock = string(j, "lock", where);
    s.transactional = boolean(j, "transactional", where);
    s.lock_timeout_ms = integer(j, "lock_timeout_ms", where);
    s.statement_timeout_ms = integer(j, "statement_timeout_ms", where);
    const json& preflight = field(j, "preflight", where);
    if (preflight.is_string()) {
      // The older form: the count query alone.
      s.preflight = Preflight{preflight.get<std::string>(), "", ""};
      if (s.preflight->count_sql.empty()) fail(where + ".preflight", "empty query");
    } else if (preflight.is_object()) {
      const std::string at = where + ".preflight";
      s.preflight = Preflight{string(preflight, "count", at), string(preflight, "samples", at),
                              string(preflight, "description", at)};
      if (s.preflight->count_sql.empty()) fail(at + ".count", "empty query");
    } else if (!preflight.is_null()) {
      fail(where + ".preflight", "expected an object, a string or null");
    }
    if (j.contains("note")) s.note = string(j, "note", where);
    if (j.contains("rows_at_risk")) {
      const std::string at = where + ".rows_at_risk";
      const json& measured = j["rows_at_risk"];
      RowsAtRisk r;
      r.count = integer(measured, "count", at);
      const json& samples = field(measured, "samples", at);
      if (!samples.is_array()) fail(at + ".samples", "expected an array");
      for (const auto& v : samples) {
        if (!v.is_string()) fail(at + ".samples", "expected strings");
        r.samples.push_back(v.get<std::string>());
      }
      s.rows_at_risk = r;
    }
    if (j.contains("accept_rows_at_risk"))
      s.accept_rows_at_risk = integer(j, "accept_rows_at_risk", where);
    return s;
  }

  Plan plan(const std::string& text) const {
    json doc;
    try {
      doc = json::parse(text);
    } catch (const json::parse_error& e) {
      fail("JSON", e.what());
    }
    std::string format = string(doc, "format", "$");
    if (format != "pgdrift-plan/1")
      fail("$.format", "expected \"pgdrift-plan/1\", not \"" + format + "\"");
    Plan p;
    p.source_fingerprint = string(doc, "source_fingerprint", "$");
    p.target_fingerprint = string(doc, "target_fingerprint", "$");
    const json& steps = field(doc, "steps", "$");
    if (!steps.is_array()) fail("$.steps", "expected an array");
    for (size_t i = 0; i < steps.size(); ++i)
      p.steps.push_back(
          step(steps[i], "$.steps[" + std::to_string(i) + "]", static_cast<int>(i) + 1));
    return p;
  }

 private:
  std::string filename_;
};

}  // namespace

Plan read_plan_json(const std::string& text, const std::string& filename) {
  return Reader(filename).plan(text);
}

}  // namespace pgdrift::planner
