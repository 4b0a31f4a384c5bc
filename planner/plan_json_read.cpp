// Reading a reviewed plan file back (the format render_json.cpp writes, docs/planner.md), so
// that `pgdrift apply --plan` runs exactly the statements an auditor approved.
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "planner/lock_analysis.h"
#include "planner/plan.h"
#include "schema/json.h"

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
    if (j.contains("lock_analysis") && j["lock_analysis"].is_object())
      s.lock_analysis = lock_analysis_from_json(j["lock_analysis"]);
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
    if (j.contains("rollback")) {
      const std::string at = where + ".rollback";
      const json& r = j["rollback"];
      Inverse inverse;
      const json& ids = field(r, "steps", at);
      if (!ids.is_array()) fail(at + ".steps", "expected an array");
      for (const auto& id : ids) {
        if (!id.is_number_integer() || id.get<long long>() < 1)
          fail(at + ".steps", "expected step ids");
        inverse.steps.push_back(id.get<int>());
      }
      inverse.exact = boolean(r, "exact", at);
      inverse.why = string(r, "why", at);
      s.inverse = inverse;
    }
    return s;
  }

  // The transaction groups, which must cover every step once, in order.
  std::vector<StepGroup> groups(const json& list, const Plan& p, const std::string& root) const {
    if (!list.is_array()) fail(root + ".transactions", "expected an array");
    std::vector<StepGroup> out;
    size_t next = 1;
    for (size_t g = 0; g < list.size(); ++g) {
      const std::string where = root + ".transactions[" + std::to_string(g) + "]";
      StepGroup group;
      group.in_transaction = boolean(list[g], "in_transaction", where);
      group.safe_point_after = boolean(list[g], "safe_point_after", where);
      const json& ids = field(list[g], "steps", where);
      if (!ids.is_array() || ids.empty()) fail(where + ".steps", "expected a non-empty array");
      for (const auto& id : ids) {
        if (next > p.steps.size() || !id.is_number_integer() ||
            id.get<long long>() != static_cast<long long>(next))
          fail(where + ".steps",
               "expected step " + std::to_string(next) +
                   " (groups cover the steps in order; after editing the steps, edit the "
                   "groups too, or delete \"transactions\" to group them by the default rule)");
        const Step& s = p.steps.at(next - 1);
        if (!s.transactional && group.in_transaction)
          fail(where, "step " + std::to_string(next) + " cannot run in a transaction");
        group.steps.push_back(next - 1);
        ++next;
      }
      out.push_back(group);
    }
    // Steps a reviewer appended after the listed ones join the last transaction when they can
    // (as consecutive transactional steps always do); a non-transactional one runs alone.
    for (; next <= p.steps.size(); ++next) {
      const Step& s = p.steps[next - 1];
      if (s.transactional && !out.empty() && out.back().in_transaction)
        out.back().steps.push_back(next - 1);
      else
        out.push_back({s.transactional, {next - 1}, true});
    }
    return out;
  }

  Plan plan(const std::string& text) const {
    json doc = schema::parse_json_text(text, filename_);  // "file:line:column: ..."
    std::string format = string(doc, "format", "$");
    if (format != "pgdrift-plan/1")
      fail("$.format", "expected \"pgdrift-plan/1\", not \"" + format + "\"");
    Plan p = plan_at(doc, "$");
    if (doc.contains("rollback") && !doc["rollback"].is_null()) {
      auto rollback = std::make_shared<Plan>(plan_at(doc["rollback"], "$.rollback"));
      for (const auto& s : p.steps)
        if (s.inverse)
          for (int id : s.inverse->steps)
            if (id > static_cast<int>(rollback->steps.size()))
              fail("$.steps[" + std::to_string(s.id - 1) + "].rollback.steps",
                   "no rollback step " + std::to_string(id));
      p.rollback = std::move(rollback);
    }
    if (doc.contains("rollback_refused")) p.rollback_refused = string(doc, "rollback_refused", "$");
    return p;
  }

  // A plan's fingerprints, steps and groups at `root` ("$", or "$.rollback").
  Plan plan_at(const json& doc, const std::string& root) const {
    Plan p;
    p.source_fingerprint = string(doc, "source_fingerprint", root);
    p.target_fingerprint = string(doc, "target_fingerprint", root);
    const json& steps = field(doc, "steps", root);
    if (!steps.is_array()) fail(root + ".steps", "expected an array");
    for (size_t i = 0; i < steps.size(); ++i)
      p.steps.push_back(
          step(steps[i], root + ".steps[" + std::to_string(i) + "]", static_cast<int>(i) + 1));
    if (doc.contains("atomic")) p.atomic = boolean(doc, "atomic", root);
    if (doc.contains("unsafe")) {
      const json& unsafe = field(doc, "unsafe", root);
      if (!unsafe.is_array()) fail(root + ".unsafe", "expected an array");
      for (const auto& u : unsafe) {
        if (!u.is_string()) fail(root + ".unsafe", "expected strings");
        p.unsafe.push_back(u.get<std::string>());
      }
    }
    // Without "transactions" (a plan written before they were recorded) step_groups() derives
    // the groups from the steps.
    if (doc.contains("transactions")) p.groups = groups(field(doc, "transactions", root), p, root);
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
