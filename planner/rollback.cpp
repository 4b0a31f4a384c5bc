// The way back of a plan (docs/planner.md, "Rollback"). The rollback is the plan from the target
// to the source, made by the same planner: it is ordered, hazard-annotated and placed at safe
// points like any plan, and the backward direction of every convergence case tests it. Each
// step of the forward plan is then told how it is undone: by the rollback's steps on the same
// object, exactly, or with what is lost.
#include <map>

#include "planner/plan.h"
#include "schema/canonical.h"
#include "schema/type_conversion.h"

namespace pgdrift::planner {

namespace {

bool has(const Step& step, Hazard hazard) {
  for (Hazard h : step.hazards)
    if (h == hazard) return true;
  return false;
}

// The type of the column a step names ("public.t.c" as a qualified key and a quoted column),
// "" when the model has no such column.
std::string column_type(const schema::Model& model, const std::string& object_name) {
  for (const auto& [key, table] : model.tables)
    if (object_name.size() > key.size() && object_name.compare(0, key.size(), key) == 0 &&
        object_name[key.size()] == '.')
      for (const auto& column : table.columns)
        if (key + "." + schema::quote_ident(column.name) == object_name) return column.type;
  return "";
}

// Whether the model has the index `name` ("schema.index", as steps name indexes), INVALID.
bool invalid_index(const schema::Model& model, const std::string& name) {
  auto in = [&](const std::string& schema_name, const std::map<std::string, schema::Index>& m) {
    for (const auto& [index_name, index] : m)
      if (!index.valid && schema::quote_qualified(schema_name, index_name) == name) return true;
    return false;
  };
  for (const auto& [key, t] : model.tables)
    if (in(t.schema, t.indexes)) return true;
  for (const auto& [key, v] : model.views)
    if (in(v.schema, v.indexes)) return true;
  return false;
}

// Whether undoing `step` gives back what the source had, and if not, what is lost.
void classify(const Step& step, Inverse& inverse, const Plan& rollback, const schema::Model& from,
              const schema::Model& to) {
  const std::string what = engine::change_kind_name(step.change_kind) + " " + step.object_kind;
  if (has(step, Hazard::DataLoss)) {
    inverse.exact = false;
    inverse.why = what + ": " +
                  (step.object_kind == "table" ? "rows lost" : std::string("values lost")) +
                  "; the rollback re-creates the " + step.object_kind + " empty";
    return;
  }
  if (step.object_kind == "column" && step.change_kind == engine::ChangeKind::Alter) {
    const std::string old_type = column_type(from, step.object_name);
    const std::string new_type = column_type(to, step.object_name);
    if (has(step, Hazard::PrecisionLoss) && !old_type.empty()) {
      inverse.exact = false;
      inverse.why = new_type + " -> " + old_type + ": original values were rounded";
      return;
    }
    // Text read as another type comes back as that type prints it ('007' as 7, upper-case
    // uuids in lower case); numbers narrowed or widened come back as they were.
    if (has(step, Hazard::ConversionMayFail) && schema::is_string_category_type(old_type) &&
        !schema::is_string_category_type(new_type)) {
      inverse.exact = false;
      inverse.why = new_type + " -> " + old_type + ": values come back as " + new_type +
                    " prints them, which may differ from how they were written";
      return;
    }
  }
  for (int id : inverse.steps) {
    const Step& back = rollback.steps.at(static_cast<size_t>(id - 1));
    if (!has(back, Hazard::DataLoss)) continue;
    if (step.change_kind == engine::ChangeKind::Add) {
      inverse.why = "the rollback drops what this step adds: data written to it since is lost";
    } else {
      // A rename, a rebuilt object: undone by dropping and re-creating.
      inverse.exact = false;
      inverse.why = "the rollback drops " + back.object_kind + " " + back.object_name +
                    " and re-creates it: its data is lost";
      return;
    }
  }
  if (inverse.steps.empty() && step.object_kind == "index" &&
      step.change_kind == engine::ChangeKind::Alter && invalid_index(from, step.object_name)) {
    // Nothing to give back: no plan builds an INVALID index (engine::wanted_form).
    inverse.why = "the rollback keeps the rebuilt index: it does not make it INVALID again";
    return;
  }
  if (inverse.steps.empty())
    inverse.why = "no rollback step of its own: the rollback as a whole restores the source";
}

}  // namespace

std::string describe_inverse(const Inverse& inverse) {
  std::string out = inverse.exact ? "exact" : "LOSSY (" + inverse.why + ")";
  if (inverse.steps.empty())
    return out + (inverse.exact && !inverse.why.empty() ? ": " + inverse.why : "");
  out += inverse.steps.size() == 1 ? ", by rollback step " : ", by rollback steps ";
  for (size_t i = 0; i < inverse.steps.size(); ++i)
    out += (i ? ", " : "") + std::to_string(inverse.steps[i]);
  if (inverse.exact && !inverse.why.empty()) out += " (" + inverse.why + ")";
  return out;
}

void attach_rollback(Plan& plan, const schema::Model& from, const schema::Model& to,
                     const PlanOptions& options) {
  PlanOptions back = options;
  back.rollback = false;
  std::shared_ptr<Plan> rollback;
  try {
    rollback = std::make_shared<Plan>(make_plan(to, from, back));
  } catch (const std::exception& e) {
    // PlanRefused (no cast back), or anything else: the plan forward stands, and says why it
    // has no way back.
    plan.rollback_refused = e.what();
    return;
  }
  std::map<std::pair<std::string, std::string>, std::vector<int>> by_object;
  for (const auto& s : rollback->steps) by_object[{s.object_kind, s.object_name}].push_back(s.id);
  for (auto& step : plan.steps) {
    Inverse inverse;
    if (auto it = by_object.find({step.object_kind, step.object_name}); it != by_object.end())
      inverse.steps = it->second;
    classify(step, inverse, *rollback, from, to);
    step.inverse = std::move(inverse);
  }
  plan.rollback = std::move(rollback);
}

}  // namespace pgdrift::planner
