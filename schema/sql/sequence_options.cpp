#include "schema/sql/sequence_options.h"

#include <cstdint>
#include <limits>

#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

std::pair<int64_t, int64_t> type_range(const std::string& data_type) {
  if (data_type == "smallint") return {INT16_MIN, INT16_MAX};
  if (data_type == "integer") return {INT32_MIN, INT32_MAX};
  return {INT64_MIN, INT64_MAX};
}

}  // namespace

SequenceOptions default_sequence_options(const std::string& data_type, int64_t increment) {
  SequenceOptions o;
  o.data_type = data_type;
  o.increment = increment;
  auto [type_min, type_max] = type_range(data_type);
  if (increment > 0) {
    o.min_value = 1;
    o.max_value = type_max;
    o.start = o.min_value;
  } else {
    o.min_value = type_min;
    o.max_value = -1;
    o.start = o.max_value;
  }
  o.cache = 1;
  o.cycle = false;
  return o;
}

std::string sequence_type_of(const std::string& canonical_type) {
  if (canonical_type == "smallint" || canonical_type == "integer" || canonical_type == "bigint")
    return canonical_type;
  return "";
}

void apply_sequence_options(LoadContext& ctx, SequenceOptions& options, PgQuery__Node* const* defs,
                            size_t count, bool creating) {
  const SequenceOptions before = options;
  bool has_start = false, has_min = false, has_max = false, has_type = false, has_inc = false;
  for (size_t i = 0; i < count; ++i) {
    if (defs[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* def = defs[i]->def_elem;
    const std::string name = def->defname;
    if (name == "as") {
      if (def->arg == nullptr || def->arg->node_case != PG_QUERY__NODE__NODE_TYPE_NAME)
        ctx.fail(def->location, "AS requires a type");
      std::string type = sequence_type_of(located_canonical_type(ctx, def->arg->type_name));
      if (type.empty())
        ctx.fail(def->location, "sequence type must be smallint, integer, or bigint");
      options.data_type = type;
      has_type = true;
    } else if (name == "increment") {
      options.increment = def_int(ctx, def);
      if (options.increment == 0) ctx.fail(def->location, "INCREMENT must not be zero");
      has_inc = true;
    } else if (name == "start") {
      options.start = def_int(ctx, def);
      has_start = true;
    } else if (name == "minvalue") {
      // NO MINVALUE arrives without an argument: the default.
      has_min = def->arg != nullptr;
      if (has_min) options.min_value = def_int(ctx, def);
    } else if (name == "maxvalue") {
      has_max = def->arg != nullptr;
      if (has_max) options.max_value = def_int(ctx, def);
    } else if (name == "cache") {
      options.cache = def_int(ctx, def);
    } else if (name == "cycle") {
      const PgQuery__Node* arg = def->arg;
      options.cycle = arg == nullptr ||
                      (arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN && arg->boolean->boolval) ||
                      (arg->node_case == PG_QUERY__NODE__NODE_INTEGER && arg->integer->ival != 0);
    } else if (name == "sequence_name" || name == "restart" || name == "owned_by") {
      // Handled by the callers (names and ownership) or no schema meaning (restart).
    } else {
      ctx.unsupported(def->location, "sequence option " + name);
    }
  }
  const SequenceOptions defaults = default_sequence_options(options.data_type, options.increment);
  if (creating) {
    if (!has_min) options.min_value = defaults.min_value;
    if (!has_max) options.max_value = defaults.max_value;
    if (!has_start) options.start = options.increment > 0 ? options.min_value : options.max_value;
    return;
  }
  // ALTER: like init_params, bounds that sat at the old type's limits follow a type change,
  // and a bound reset with NO MINVALUE / NO MAXVALUE takes the default.
  const SequenceOptions old_defaults = default_sequence_options(before.data_type, before.increment);
  if (!has_max && (has_type || has_inc) && before.max_value == old_defaults.max_value)
    options.max_value = defaults.max_value;
  if (!has_min && (has_type || has_inc) && before.min_value == old_defaults.min_value)
    options.min_value = defaults.min_value;
  for (size_t i = 0; i < count; ++i) {
    if (defs[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* def = defs[i]->def_elem;
    if (def->arg != nullptr) continue;
    if (std::string(def->defname) == "minvalue") options.min_value = defaults.min_value;
    if (std::string(def->defname) == "maxvalue") options.max_value = defaults.max_value;
  }
}

}  // namespace pgdrift::schema::sql
