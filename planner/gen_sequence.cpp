// Sequences: CREATE / DROP / ALTER SEQUENCE, and OWNED BY as its own step (it needs the
// column, while the column's DEFAULT nextval(...) needs the sequence).
#include <string>

#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;

namespace {

// "public.t.c" (quoted parts) -> "column:public.t.c" and "table:public.t".
std::vector<std::string> owner_keys(const std::string& owned_by) {
  auto [table, column] = schema::split_owned_by(owned_by);
  if (table.empty()) return {};
  return {"column:" + owned_by, "table:" + table};
}

// OWNED BY `owned_by` (empty: NONE) for a sequence owned by `previous` so far. It runs before
// the previous owner goes: DROP COLUMN / DROP TABLE drop the sequences their columns own
// (the ALTER SEQUENCE after them failed with `relation "public.s" does not exist`).
void owned_by_step(Context& ctx, const std::string& key, const std::string& owned_by,
                   const std::string& previous = "") {
  Step s = make_step("sequence", key, ChangeKind::Alter, kSequenceOwner,
                     "ALTER SEQUENCE " + key + " OWNED BY " +
                         (owned_by.empty() ? std::string("NONE") : owned_by) + ";");
  s.needs = owner_keys(owned_by);
  s.needs.push_back("sequence:" + key);
  s.releases = owner_keys(previous);
  ctx.add(s);
}

std::string options_clause(const schema::SequenceOptions& a, const schema::SequenceOptions& b) {
  std::string out;
  if (a.data_type != b.data_type) out += " AS " + b.data_type;
  if (a.increment != b.increment) out += " INCREMENT BY " + std::to_string(b.increment);
  if (a.min_value != b.min_value) out += " MINVALUE " + std::to_string(b.min_value);
  if (a.max_value != b.max_value) out += " MAXVALUE " + std::to_string(b.max_value);
  if (a.start != b.start) out += " START WITH " + std::to_string(b.start);
  if (a.cache != b.cache) out += " CACHE " + std::to_string(b.cache);
  if (a.cycle != b.cycle) out += b.cycle ? " CYCLE" : " NO CYCLE";
  // A never-used sequence sits at its START: bounds that exclude it make ALTER fail unless
  // the sequence restarts inside them.
  if (!out.empty() && (a.start < b.min_value || a.start > b.max_value))
    out += " RESTART WITH " + std::to_string(b.start);
  return out;
}

}  // namespace

void gen_sequences(Context& ctx, const std::vector<engine::SequenceChange>& changes) {
  for (const auto& c : changes) {
    if (c.kind == ChangeKind::Add) {
      Step s = make_step("sequence", c.key, ChangeKind::Add, kSequence,
                         schema::render_create_sequence(*c.to));
      s.provides = {"sequence:" + c.key};
      s.needs = {schema_key(c.to->schema)};
      ctx.add(s);
      if (!c.to->owned_by.empty()) owned_by_step(ctx, c.key, c.to->owned_by);
    } else if (c.kind == ChangeKind::Drop) {
      // A sequence owned by a column that goes away is dropped with it: IF EXISTS keeps the
      // script runnable either way.
      Step s = make_step("sequence", c.key, ChangeKind::Drop, kDropSequence,
                         "DROP SEQUENCE IF EXISTS " + c.key + ";");
      s.removes = {"sequence:" + c.key};
      s.releases = {schema_key(c.from->schema)};
      s.hazards = {Hazard::DataLoss};
      s.note = "the sequence's current value is lost";
      ctx.add(s);
    } else {
      std::string clause = options_clause(c.from->options, c.to->options);
      if (!clause.empty()) {
        Step s = make_step("sequence", c.key, ChangeKind::Alter, kSequence,
                           "ALTER SEQUENCE " + c.key + clause + ";");
        s.provides = {"sequence:" + c.key};
        s.lock = "ROW EXCLUSIVE";
        if (c.from->options.data_type != c.to->options.data_type ||
            c.to->options.max_value < c.from->options.max_value ||
            c.to->options.min_value > c.from->options.min_value)
          s.hazards.push_back(Hazard::ConversionMayFail);
        ctx.add(s);
      }
      if (c.from->owned_by != c.to->owned_by)
        owned_by_step(ctx, c.key, c.to->owned_by, c.from->owned_by);
    }
  }
}

}  // namespace pgdrift::planner
