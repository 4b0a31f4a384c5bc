// CREATE SEQUENCE / ALTER SEQUENCE. Options are stored with PostgreSQL's defaults filled in
// (from the data type and the sign of the increment), so every spelling of a sequence gives
// the same model as pg_sequence does.
#include <cstdint>
#include <limits>

#include "schema/canonical.h"
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

struct TypeRange {
  int64_t min;
  int64_t max;
};

TypeRange range_of(const std::string& data_type) {
  if (data_type == "smallint") return {INT16_MIN, INT16_MAX};
  if (data_type == "integer") return {INT32_MIN, INT32_MAX};
  return {INT64_MIN, INT64_MAX};
}

// The options as written, before defaults: unset = take the default.
struct WrittenOptions {
  std::optional<std::string> data_type;
  std::optional<int64_t> increment, start;
  std::optional<std::optional<int64_t>> min_value, max_value;  // inner nullopt = NO MINVALUE
  std::optional<int64_t> cache;
  std::optional<bool> cycle;
  std::optional<std::vector<std::string>> owned_by;  // {"none"} = OWNED BY NONE
};

WrittenOptions read_options(LoadContext& ctx, size_t n, PgQuery__Node* const* items) {
  WrittenOptions w;
  for (size_t i = 0; i < n; ++i) {
    if (items[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = items[i]->def_elem;
    std::string name = d->defname;
    auto number = [&]() {
      auto v = defelem_int(d);
      if (!v) ctx.fail(d->location, "sequence option " + name + " needs a number");
      return *v;
    };
    if (name == "as") {
      if (!d->arg || d->arg->node_case != PG_QUERY__NODE__NODE_TYPE_NAME)
        ctx.fail(d->location, "AS needs a type");
      w.data_type = canonical_type(d->arg->type_name, ctx.search_schema);
      if (*w.data_type != "smallint" && *w.data_type != "integer" && *w.data_type != "bigint")
        ctx.fail(d->location, "sequence type must be smallint, integer, or bigint");
    } else if (name == "increment") {
      w.increment = number();
      if (*w.increment == 0) ctx.fail(d->location, "INCREMENT must not be zero");
    } else if (name == "start") {
      w.start = number();
    } else if (name == "minvalue") {
      w.min_value = d->arg ? std::optional<int64_t>(number()) : std::nullopt;
    } else if (name == "maxvalue") {
      w.max_value = d->arg ? std::optional<int64_t>(number()) : std::nullopt;
    } else if (name == "cache") {
      w.cache = number();
    } else if (name == "cycle") {
      w.cycle = defelem_bool(d);
    } else if (name == "owned_by") {
      std::vector<std::string> parts;
      if (d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_LIST)
        parts = string_list(d->arg->list->items, d->arg->list->n_items);
      w.owned_by = parts;
    } else if (name == "restart") {
      // RESTART changes the current value only, which the model does not hold.
    } else {
      ctx.unsupported(d->location, "sequence option " + name);
    }
  }
  return w;
}

// Applies written options over `current` the way PostgreSQL's init_params does: a bound that
// was the old type's limit follows a type change; unset bounds come from the increment sign.
void apply_options(LoadContext& ctx, SequenceOptions& seq, const WrittenOptions& w, bool creating) {
  TypeRange old_range = range_of(seq.data_type);
  if (w.data_type) seq.data_type = *w.data_type;
  TypeRange range = range_of(seq.data_type);
  if (w.increment) seq.increment = *w.increment;
  bool ascending = seq.increment > 0;
  if (w.cycle) seq.cycle = *w.cycle;
  if (w.cache) {
    if (*w.cache <= 0) ctx.fail(-1, "CACHE must be positive");
    seq.cache = *w.cache;
  }
  // Mirrors init_params: a bound equal to the old type's limit follows a type change.
  bool reset_max = !creating && w.data_type && seq.max_value == old_range.max;
  bool reset_min = !creating && w.data_type && seq.min_value == old_range.min;
  if (w.max_value && *w.max_value) {
    seq.max_value = **w.max_value;
  } else if (creating || w.max_value || reset_max) {
    seq.max_value = (ascending || reset_max) ? range.max : -1;
  }
  if (w.min_value && *w.min_value) {
    seq.min_value = **w.min_value;
  } else if (creating || w.min_value || reset_min) {
    seq.min_value = (!ascending || reset_min) ? range.min : 1;
  }
  if (w.start) {
    seq.start = *w.start;
  } else if (creating) {
    seq.start = ascending ? seq.min_value : seq.max_value;
  }
  if (seq.min_value >= seq.max_value)
    ctx.fail(-1, "MINVALUE (" + std::to_string(seq.min_value) + ") must be less than MAXVALUE (" +
                     std::to_string(seq.max_value) + ")");
  if (seq.start < seq.min_value || seq.start > seq.max_value)
    ctx.fail(-1, "START value (" + std::to_string(seq.start) + ") is out of the sequence bounds");
  if (seq.max_value > range.max || seq.min_value < range.min)
    ctx.fail(-1, "sequence bounds are out of range for data type " + seq.data_type);
}

std::string owned_by_key(LoadContext& ctx, const std::vector<std::string>& parts,
                         const std::string& sequence_schema) {
  if (parts.size() == 1 && parts[0] == "none") return {};
  if (parts.size() < 2) ctx.fail(-1, "OWNED BY needs table.column");
  std::string column = parts.back();
  std::string table_name = parts[parts.size() - 2];
  std::string schema = parts.size() >= 3 ? parts[parts.size() - 3] : ctx.search_schema;
  std::string table_key = qualified_key(schema, table_name);
  auto it = ctx.model.tables.find(table_key);
  if (it == ctx.model.tables.end())
    ctx.fail(-1, "relation \"" + table_name + "\" does not exist (OWNED BY)");
  if (!it->second.find_column(column))
    ctx.fail(-1, "column \"" + column + "\" of relation \"" + table_name + "\" does not exist");
  if (schema != sequence_schema)
    ctx.fail(-1, "sequence must be in the same schema as the table it is linked to");
  return table_key + "." + quote_ident(column);
}

}  // namespace

void load_create_sequence(LoadContext& ctx, const PgQuery__CreateSeqStmt* stmt) {
  Sequence seq;
  seq.schema = ctx.schema_or_default(stmt->sequence->schemaname);
  seq.name = stmt->sequence->relname;
  seq.location = ctx.location_at(-1);
  std::string key = qualified_key(seq.schema, seq.name);
  if (ctx.model.sequences.count(key) || ctx.model.tables.count(key) || ctx.model.views.count(key)) {
    if (stmt->if_not_exists) return;
    ctx.fail(stmt->sequence->location, "relation \"" + seq.name + "\" already exists");
  }
  if (stmt->sequence->relpersistence && std::string(stmt->sequence->relpersistence) == "u")
    ctx.unsupported(stmt->sequence->location, "UNLOGGED SEQUENCE");
  WrittenOptions written = read_options(ctx, stmt->n_options, stmt->options);
  apply_options(ctx, seq.options, written, true);
  if (written.owned_by) seq.owned_by = owned_by_key(ctx, *written.owned_by, seq.schema);
  ctx.created(seq, "SEQUENCES", seq.schema);
  ctx.model.sequences[key] = seq;
}

void load_alter_sequence(LoadContext& ctx, const PgQuery__AlterSeqStmt* stmt) {
  std::string key = ctx.key_of(stmt->sequence);
  auto it = ctx.model.sequences.find(key);
  if (it == ctx.model.sequences.end()) {
    if (stmt->missing_ok) return;
    ctx.fail(stmt->sequence->location,
             "relation \"" + std::string(stmt->sequence->relname) + "\" does not exist");
  }
  Sequence& seq = it->second;
  WrittenOptions written = read_options(ctx, stmt->n_options, stmt->options);
  apply_options(ctx, seq.options, written, false);
  if (written.owned_by) seq.owned_by = owned_by_key(ctx, *written.owned_by, seq.schema);
}

}  // namespace pgdrift::schema::sql
