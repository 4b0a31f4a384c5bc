#include "schema/sql/column_def.h"

#include <pg_query.h>

#include <algorithm>
#include <limits>

#include "schema/canonical.h"
#include "schema/pg_builtins.h"
#include "schema/sql/naming.h"

namespace pgdrift::schema::sql {

std::string string_value(const PgQuery__Node* node) {
  if (node != nullptr && node->node_case == PG_QUERY__NODE__NODE_STRING && node->string->sval)
    return node->string->sval;
  return "";
}

std::vector<std::string> string_list(PgQuery__Node* const* nodes, size_t count) {
  std::vector<std::string> result;
  for (size_t i = 0; i < count; ++i) result.push_back(string_value(nodes[i]));
  return result;
}

std::string last_name(PgQuery__Node* const* nodes, size_t count) {
  return count == 0 ? "" : string_value(nodes[count - 1]);
}

int64_t def_int(const LoadContext& ctx, const PgQuery__DefElem* def) {
  const PgQuery__Node* arg = def->arg;
  if (arg == nullptr) ctx.fail(def->location, std::string(def->defname) + " requires a value");
  try {
    switch (arg->node_case) {
      case PG_QUERY__NODE__NODE_INTEGER:
        return arg->integer->ival;
      case PG_QUERY__NODE__NODE_FLOAT:
        return std::stoll(arg->float_->fval);
      case PG_QUERY__NODE__NODE_STRING:
        return std::stoll(arg->string->sval);
      default:
        break;
    }
  } catch (const std::exception&) {
  }
  ctx.fail(def->location, std::string("invalid value for ") + def->defname);
}

void visit_nodes(const ProtobufCMessage* message,
                 const std::function<void(const PgQuery__Node*)>& visit) {
  if (message == nullptr) return;
  const ProtobufCMessageDescriptor* desc = message->descriptor;
  if (desc == &pg_query__node__descriptor) visit(reinterpret_cast<const PgQuery__Node*>(message));
  const char* base = reinterpret_cast<const char*>(message);
  for (unsigned i = 0; i < desc->n_fields; ++i) {
    const ProtobufCFieldDescriptor& field = desc->fields[i];
    if (field.type != PROTOBUF_C_TYPE_MESSAGE) continue;
    if (field.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      uint32_t active = *reinterpret_cast<const uint32_t*>(base + field.quantifier_offset);
      if (active != field.id) continue;
    }
    if (field.label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = *reinterpret_cast<const size_t*>(base + field.quantifier_offset);
      auto* items = *reinterpret_cast<ProtobufCMessage* const* const*>(base + field.offset);
      for (size_t k = 0; k < n; ++k) visit_nodes(items[k], visit);
    } else {
      visit_nodes(*reinterpret_cast<ProtobufCMessage* const*>(base + field.offset), visit);
    }
  }
}

std::vector<std::string> referenced_columns(const PgQuery__Node* expr) {
  std::vector<std::string> columns;
  if (expr == nullptr) return columns;
  visit_nodes(&expr->base, [&](const PgQuery__Node* node) {
    if (node->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return;
    std::string name = last_name(node->column_ref->fields, node->column_ref->n_fields);
    if (!name.empty() && std::find(columns.begin(), columns.end(), name) == columns.end())
      columns.push_back(name);
  });
  return columns;
}

std::vector<std::string> expr_text_columns(const std::string& expr_sql) {
  std::vector<std::string> columns;
  const std::string sql = "SELECT " + expr_sql;
  PgQueryProtobufParseResult parsed = pg_query_parse_protobuf(sql.c_str());
  if (parsed.error == nullptr) {
    PgQuery__ParseResult* tree = pg_query__parse_result__unpack(
        nullptr, parsed.parse_tree.len, reinterpret_cast<const uint8_t*>(parsed.parse_tree.data));
    if (tree != nullptr) {
      for (size_t i = 0; i < tree->n_stmts; ++i)
        for (const auto& name : referenced_columns(tree->stmts[i]->stmt))
          if (std::find(columns.begin(), columns.end(), name) == columns.end())
            columns.push_back(name);
      pg_query__parse_result__free_unpacked(tree, nullptr);
    }
  }
  pg_query_free_protobuf_parse_result(parsed);
  return columns;
}

// ---- sequences -------------------------------------------------------------------------------

namespace {

std::pair<int64_t, int64_t> type_range(const std::string& data_type) {
  if (data_type == "smallint") return {INT16_MIN, INT16_MAX};
  if (data_type == "integer") return {INT32_MIN, INT32_MAX};
  return {INT64_MIN, INT64_MAX};
}

// Wraps canonical_* failures into a located load error.
std::string canon_expr(LoadContext& ctx, const PgQuery__Node* expr,
                       const ColumnTypes& column_types) {
  try {
    return canonical_expr(expr, column_types);
  } catch (const CanonicalError& e) {
    ctx.fail(0, e.what());
  }
}

// The type applies its typmod with a length-coercion call (varchar(16), numeric(10,2),
// timestamp(3), bit(8), arrays of them); interval's input function applies it itself.
bool has_length_coercion(const std::string& type) {
  return type.find('(') != std::string::npos && type.find('"') == std::string::npos &&
         type.rfind("interval", 0) != 0;
}

bool is_null_constant(const PgQuery__Node* node) {
  return node != nullptr && node->node_case == PG_QUERY__NODE__NODE_A_CONST &&
         node->a_const->isnull;
}

// PostgreSQL stores no default when the cooked default is a bare NULL constant. A bare `NULL`
// stays a constant unless the column type needs a length coercion; `NULL::T` stays one only
// when T is exactly the column type and needs no length coercion itself. Anything else
// (`NULL::varchar` on varchar(16), `NULL::integer` on numeric, ...) is stored.
bool null_default_is_stored(LoadContext& ctx, const PgQuery__Node* expr,
                            const std::string& column_type) {
  if (is_null_constant(expr)) return has_length_coercion(column_type);
  if (expr == nullptr || expr->node_case != PG_QUERY__NODE__NODE_TYPE_CAST ||
      !is_null_constant(expr->type_cast->arg)) {
    return true;
  }
  std::string cast_type;
  try {
    cast_type = canonical_type(expr->type_cast->type_name, ctx.search_schema);
  } catch (const CanonicalError&) {
    return true;
  }
  return cast_type != column_type || has_length_coercion(cast_type);
}

}  // namespace

std::optional<std::string> canonical_column_default(LoadContext& ctx, const PgQuery__Node* expr,
                                                    const std::string& column_type) {
  std::string type = column_type;
  const bool domain_typed = ctx.model.domains.count(column_type) > 0;
  for (int depth = 0; depth < 16; ++depth) {  // a domain over a domain casts to the last base
    auto domain = ctx.model.domains.find(type);
    if (domain == ctx.model.domains.end()) break;
    type = domain->second.base_type;
  }
  try {
    std::string value = canonical_default_expr(expr, type);
    if (!domain_typed && !null_default_is_stored(ctx, expr, column_type)) return std::nullopt;
    return value;
  } catch (const CanonicalError& e) {
    ctx.fail(0, e.what());
  }
}

namespace {

std::string canon_type(LoadContext& ctx, const PgQuery__TypeName* type) {
  try {
    return canonical_type(type, ctx.search_schema);
  } catch (const CanonicalError& e) {
    ctx.fail(type != nullptr ? type->location : 0, e.what());
  }
}

// "integer" etc. for the serial pseudo-types, "" otherwise.
std::string serial_base_type(const PgQuery__TypeName* type) {
  if (type == nullptr || type->n_names != 1 || type->pct_type || type->n_array_bounds != 0)
    return "";
  std::string name = string_value(type->names[0]);
  if (name == "serial" || name == "serial4") return "integer";
  if (name == "bigserial" || name == "serial8") return "bigint";
  if (name == "smallserial" || name == "serial2") return "smallint";
  return "";
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
      std::string type = sequence_type_of(canon_type(ctx, def->arg->type_name));
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

// ---- columns -------------------------------------------------------------------------------

std::string collation_name(PgQuery__Node* const* names, size_t count) {
  std::vector<std::string> parts = string_list(names, count);
  if (parts.empty()) return "";
  if (parts.size() >= 2 && parts[parts.size() - 2] != "pg_catalog")
    return quote_qualified(parts[parts.size() - 2], parts.back());
  return quote_ident(parts.back());
}

std::string expression_type(const Model& model, const std::string& type) {
  std::string resolved = type;
  for (int depth = 0; depth < 16; ++depth) {  // a domain over a domain: the last base
    auto domain = model.domains.find(resolved);
    if (domain == model.domains.end()) break;
    resolved = domain->second.base_type;
  }
  return resolved;
}

ColumnTypes column_types_of(const Model& model, const Table& table,
                            std::map<std::string, std::string> more) {
  return [&model, &table, more = std::move(more)](const std::string& name) -> std::string {
    if (const Column* column = table.find_column(name)) return expression_type(model, column->type);
    auto it = more.find(name);
    return it == more.end() ? "" : expression_type(model, it->second);
  };
}

std::map<std::string, std::string> declared_column_types(LoadContext& ctx,
                                                         PgQuery__Node* const* elts, size_t count) {
  std::map<std::string, std::string> types;
  for (size_t i = 0; i < count; ++i) {
    if (elts[i]->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) continue;
    const PgQuery__ColumnDef* def = elts[i]->column_def;
    if (def->colname == nullptr || def->type_name == nullptr) continue;
    std::string type = serial_base_type(def->type_name);
    if (type.empty()) {
      try {
        type = canonical_type(def->type_name, ctx.search_schema);
      } catch (const CanonicalError&) {
        continue;  // column_from_def reports it
      }
    }
    types.emplace(def->colname, type);
  }
  return types;
}

Column column_from_def(LoadContext& ctx, const Table& table, const PgQuery__ColumnDef* def,
                       std::vector<PendingConstraint>& pending) {
  return column_from_def(ctx, table, def, pending, column_types_of(ctx.model, table));
}

Column column_from_def(LoadContext& ctx, const Table& table, const PgQuery__ColumnDef* def,
                       std::vector<PendingConstraint>& pending, const ColumnTypes& column_types) {
  Column column;
  column.name = def->colname != nullptr ? def->colname : "";
  column.location = ctx.location_at(def->location);
  const std::string serial_type = serial_base_type(def->type_name);
  column.type = serial_type.empty() ? canon_type(ctx, def->type_name) : serial_type;
  if (def->coll_clause != nullptr)
    column.collation = collation_name(def->coll_clause->collname, def->coll_clause->n_collname);
  if (def->is_not_null) column.not_null = true;
  if (def->raw_default != nullptr)
    column.default_expr = canonical_column_default(ctx, def->raw_default, column.type);

  for (size_t i = 0; i < def->n_constraints; ++i) {
    if (def->constraints[i]->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) continue;
    const PgQuery__Constraint* c = def->constraints[i]->constraint;
    switch (c->contype) {
      case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
        column.not_null = false;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
        column.not_null = true;
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
        column.default_expr = canonical_column_default(ctx, c->raw_expr, column.type);
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY: {
        column.identity =
            std::string(c->generated_when) == "a" ? IdentityKind::Always : IdentityKind::ByDefault;
        std::string seq_type = sequence_type_of(column.type);
        if (seq_type.empty())
          ctx.fail(c->location, "identity column type must be smallint, integer, or bigint");
        SequenceOptions options = default_sequence_options(seq_type);
        apply_sequence_options(ctx, options, c->options, c->n_options, true);
        options.data_type = seq_type;
        column.identity_options = options;
        column.not_null = true;  // PostgreSQL sets attnotnull for identity columns
        break;
      }
      case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
        column.generated_expr = canon_expr(ctx, c->raw_expr, column_types);
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
      case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
      case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
      case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
        pending.push_back({c, column.name, std::nullopt, std::nullopt});
        break;
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE: {
        // Constraint attributes modify the constraint written just before them.
        if (pending.empty() || pending.back().column != column.name)
          ctx.fail(c->location, "misplaced constraint attribute");
        auto& target = pending.back();
        if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE) target.deferrable = true;
        if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE)
          target.deferrable = false;
        if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED) {
          target.initially_deferred = true;
          target.deferrable = true;
        }
        if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE)
          target.initially_deferred = false;
        break;
      }
      default:
        ctx.unsupported(c->location, "column constraint");
    }
  }

  if (!serial_type.empty()) {
    if (column.default_expr)
      ctx.fail(def->location, "multiple default values specified for column \"" + column.name +
                                  "\" of table \"" + table.name + "\"");
    // generateSerialExtraStmts: an owned sequence named <table>_<column>_seq, AS the type.
    Sequence seq;
    seq.schema = table.schema;
    seq.name = choose_relation_name(ctx, table.schema, table.name, column.name, "seq", false);
    seq.options = default_sequence_options(serial_type);
    seq.owned_by = qualified_key(table.schema, table.name) + "." + quote_ident(column.name);
    seq.location = column.location;
    // regclass prints the name unqualified when it is visible through search_path = public.
    std::string printed =
        seq.schema == "public" ? quote_ident(seq.name) : quote_qualified(seq.schema, seq.name);
    try {
      column.default_expr =
          canonical_expr_text("nextval(" + quote_literal(printed) + "::regclass)");
    } catch (const CanonicalError& e) {
      ctx.fail(def->location, e.what());
    }
    column.not_null = true;
    ctx.model.sequences[qualified_key(seq.schema, seq.name)] = seq;
  }
  return column;
}

// ---- constraints ---------------------------------------------------------------------------

namespace {

enum class Phase { Check, Index, ForeignKey };

Phase phase_of(const PgQuery__Constraint* c) {
  switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
      return Phase::Check;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
      return Phase::ForeignKey;
    default:
      return Phase::Index;
  }
}

std::vector<std::string> key_columns(const PendingConstraint& p) {
  std::vector<std::string> columns = string_list(p.node->keys, p.node->n_keys);
  if (columns.empty() && !p.column.empty()) columns.push_back(p.column);
  return columns;
}

std::vector<std::string> fk_columns(const PendingConstraint& p) {
  std::vector<std::string> columns = string_list(p.node->fk_attrs, p.node->n_fk_attrs);
  if (columns.empty() && !p.column.empty()) columns.push_back(p.column);
  return columns;
}

// Index column names of an EXCLUDE constraint's elements.
std::vector<std::string> exclusion_column_names(const PgQuery__Constraint* c) {
  std::vector<std::string> names;
  for (size_t i = 0; i < c->n_exclusions; ++i) {
    const PgQuery__Node* pair = c->exclusions[i];
    if (pair->node_case != PG_QUERY__NODE__NODE_LIST || pair->list->n_items < 1) continue;
    const PgQuery__Node* elem = pair->list->items[0];
    if (elem->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM)
      names.push_back(index_column_name(elem->index_elem));
  }
  return names;
}

std::string generated_name(LoadContext& ctx, const Table& table, const PendingConstraint& p,
                           const std::vector<std::string>& others) {
  const PgQuery__Constraint* c = p.node;
  switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: {
      // AddRelationNewConstraints: "<table>_<col>_check" when the expression uses exactly one
      // column of the table, else "<table>_check".
      std::vector<std::string> used;
      for (const auto& name : referenced_columns(c->raw_expr))
        if (table.find_column(name) != nullptr) used.push_back(name);
      return choose_constraint_name(ctx, table.schema, table.name, used.size() == 1 ? used[0] : "",
                                    "check", others);
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
      return choose_constraint_name(ctx, table.schema, table.name,
                                    join_name_addition(fk_columns(p)), "fkey", others);
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
      return choose_relation_name(ctx, table.schema, table.name, "", "pkey", true);
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE: {
      std::vector<std::string> names = key_columns(p);
      for (const auto& inc : string_list(c->including, c->n_including)) names.push_back(inc);
      return choose_relation_name(ctx, table.schema, table.name,
                                  join_name_addition(unique_index_column_names(names)), "key",
                                  true);
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: {
      std::vector<std::string> names = exclusion_column_names(c);
      for (const auto& inc : string_list(c->including, c->n_including)) names.push_back(inc);
      return choose_relation_name(ctx, table.schema, table.name,
                                  join_name_addition(unique_index_column_names(names)), "excl",
                                  true);
    }
    default:
      ctx.fail(c->location, "unexpected constraint kind");
  }
}

}  // namespace

IndexKey index_key_from_elem(LoadContext& ctx, const PgQuery__IndexElem* elem,
                             const ColumnTypes& column_types) {
  IndexKey key;
  if (elem->name != nullptr && elem->name[0] != '\0') {
    key.column = elem->name;
  } else if (elem->expr != nullptr && elem->expr->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
             elem->expr->column_ref->n_fields == 1 &&
             elem->expr->column_ref->fields[0]->node_case == PG_QUERY__NODE__NODE_STRING) {
    // ComputeIndexAttrs turns a parenthesised plain column into a simple column key.
    key.column = string_value(elem->expr->column_ref->fields[0]);
  } else {
    key.expr = canon_expr(ctx, elem->expr, column_types);
  }
  key.opclass = last_name(elem->opclass, elem->n_opclass);
  key.collation = collation_name(elem->collation, elem->n_collation);
  key.descending = elem->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
  if (elem->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST)
    key.nulls_first = true;
  else if (elem->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST)
    key.nulls_first = false;
  else
    key.nulls_first = key.descending;
  return key;
}

Constraint constraint_from_node(LoadContext& ctx, const Table& table,
                                const PendingConstraint& pending, const std::string& name,
                                bool creating) {
  const PgQuery__Constraint* c = pending.node;
  const ColumnTypes column_types = column_types_of(ctx.model, table);
  Constraint con;
  con.name = name;
  con.location = ctx.location_at(c->location);
  con.deferrable = pending.deferrable.value_or(c->deferrable);
  con.initially_deferred = pending.initially_deferred.value_or(c->initdeferred);
  if (con.initially_deferred) con.deferrable = true;
  switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
      con.kind = c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ? ConstraintKind::PrimaryKey
                                                                     : ConstraintKind::Unique;
      con.columns = key_columns(pending);
      con.include = string_list(c->including, c->n_including);
      con.nulls_not_distinct = c->nulls_not_distinct;
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
      con.kind = ConstraintKind::Check;
      con.check_expr = canon_expr(ctx, c->raw_expr, column_types);
      con.no_inherit = c->is_no_inherit;
      con.validated = creating || !c->skip_validation;
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: {
      con.kind = ConstraintKind::ForeignKey;
      con.columns = fk_columns(pending);
      ForeignKey fk;
      const std::string ref_schema = ctx.schema_or_default(c->pktable->schemaname);
      fk.ref_table = qualified_key(ref_schema, c->pktable->relname);
      fk.ref_columns = string_list(c->pk_attrs, c->n_pk_attrs);
      if (fk.ref_columns.empty()) {
        // REFERENCES t without columns means t's primary key.
        const Table* ref =
            fk.ref_table == qualified_key(table.schema, table.name) ? &table : nullptr;
        if (ref == nullptr) {
          auto it = ctx.model.tables.find(fk.ref_table);
          if (it == ctx.model.tables.end())
            ctx.fail(
                c->pktable->location,
                "relation " + quote_qualified(ref_schema, c->pktable->relname) + " does not exist");
          ref = &it->second;
        }
        for (const auto& [cname, other] : ref->constraints)
          if (other.kind == ConstraintKind::PrimaryKey) fk.ref_columns = other.columns;
        if (fk.ref_columns.empty())
          ctx.fail(c->pktable->location, "there is no primary key for referenced table \"" +
                                             std::string(c->pktable->relname) + "\"");
      }
      auto code = [](const char* s, char fallback) {
        return s != nullptr && s[0] != '\0' ? s[0] : fallback;
      };
      fk.on_delete = code(c->fk_del_action, 'a');
      fk.on_update = code(c->fk_upd_action, 'a');
      fk.match = code(c->fk_matchtype, 's');
      fk.on_delete_set_columns = string_list(c->fk_del_set_cols, c->n_fk_del_set_cols);
      con.foreign_key = fk;
      con.validated = creating || !c->skip_validation;
      break;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: {
      con.kind = ConstraintKind::Exclusion;
      con.exclusion_method =
          c->access_method != nullptr && c->access_method[0] != '\0' ? c->access_method : "btree";
      for (size_t i = 0; i < c->n_exclusions; ++i) {
        const PgQuery__Node* pair = c->exclusions[i];
        if (pair->node_case != PG_QUERY__NODE__NODE_LIST || pair->list->n_items != 2 ||
            pair->list->items[0]->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM ||
            pair->list->items[1]->node_case != PG_QUERY__NODE__NODE_LIST)
          ctx.fail(c->location, "malformed EXCLUDE element");
        IndexKey key = index_key_from_elem(ctx, pair->list->items[0]->index_elem, column_types);
        ExclusionElement element;
        element.expr = key.column.empty() ? key.expr : key.column;
        // The catalog side leaves a default operator class out (as for CREATE INDEX).
        if (!is_default_opclass(con.exclusion_method, key.opclass)) element.opclass = key.opclass;
        element.descending = key.descending;
        element.nulls_first = key.nulls_first;
        const PgQuery__List* op = pair->list->items[1]->list;
        element.op = last_name(op->items, op->n_items);
        con.exclusion_elements.push_back(element);
      }
      con.include = string_list(c->including, c->n_including);
      if (c->where_clause != nullptr)
        con.where_expr = canon_expr(ctx, c->where_clause, column_types);
      break;
    }
    default:
      ctx.fail(c->location, "unexpected constraint kind");
  }
  return con;
}

void add_constraints(LoadContext& ctx, Table& table, const std::vector<PendingConstraint>& pending,
                     bool creating) {
  std::vector<std::string> chosen;  // names chosen in this statement (ChooseConstraintName's list)
  for (Phase phase : {Phase::Check, Phase::Index, Phase::ForeignKey}) {
    for (const auto& p : pending) {
      if (phase_of(p.node) != phase) continue;
      std::string name = p.node->conname != nullptr && p.node->conname[0] != '\0'
                             ? p.node->conname
                             : generated_name(ctx, table, p, chosen);
      if (table.constraints.count(name) != 0)
        ctx.fail(p.node->location,
                 "constraint \"" + name + "\" for relation \"" + table.name + "\" already exists");
      Constraint con = constraint_from_node(ctx, table, p, name, creating);
      for (const auto& column : con.columns) {
        if (con.kind == ConstraintKind::ForeignKey) break;
        if (table.find_column(column) == nullptr && table.partition_of.empty() &&
            table.inherits.empty())
          ctx.fail(p.node->location, "column \"" + column + "\" named in key does not exist");
        if (con.kind == ConstraintKind::PrimaryKey) {
          if (Column* col = table.find_column(column)) col->not_null = true;
        }
      }
      chosen.push_back(name);
      table.constraints[name] = std::move(con);
    }
  }
}

}  // namespace pgdrift::schema::sql

// ---- table parts -------------------------------------------------------------------------------

namespace pgdrift::schema::sql {

namespace {

std::string option_value(const PgQuery__Node* arg) {
  if (arg == nullptr) return "true";
  switch (arg->node_case) {
    case PG_QUERY__NODE__NODE_STRING:
      return arg->string->sval;
    case PG_QUERY__NODE__NODE_INTEGER:
      return std::to_string(arg->integer->ival);
    case PG_QUERY__NODE__NODE_FLOAT:
      return arg->float_->fval;
    case PG_QUERY__NODE__NODE_BOOLEAN:
      return arg->boolean->boolval ? "true" : "false";
    case PG_QUERY__NODE__NODE_TYPE_NAME:
      return last_name(arg->type_name->names, arg->type_name->n_names);
    default:
      return "";
  }
}

// Types of the parent's partition key columns, "" for expression keys.
std::vector<std::string> partition_key_types(const Table& parent) {
  std::vector<std::string> types;
  const std::string& key = parent.partition_key;
  size_t open = key.find('(');
  if (open == std::string::npos) return types;
  std::string inner = key.substr(open + 1, key.size() - open - 2);
  std::vector<std::string> parts;
  int depth = 0;
  bool quoted = false;
  std::string current;
  for (char c : inner) {
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '(') ++depth;
    if (!quoted && c == ')') --depth;
    if (!quoted && depth == 0 && c == ',') {
      parts.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  parts.push_back(current);
  for (auto part : parts) {
    part.erase(0, part.find_first_not_of(' '));
    std::string name = part.substr(0, part.find(' '));
    if (name.size() >= 2 && name.front() == '"') {
      name = part.substr(1, part.find('"', 1) - 1);
    }
    const Column* column = parent.find_column(name);
    types.push_back(column != nullptr ? column->type : "");
  }
  return types;
}

// A date/time literal as the type's output function prints it (DateStyle ISO, TimeZone UTC).
std::string normalise_datetime(std::string value, const std::string& type) {
  if (value.size() > 10 && value[10] == 'T') value[10] = ' ';
  const bool with_time = type.rfind("timestamp", 0) == 0;
  if (!with_time) return value;
  if (value.size() == 10)
    value += " 00:00:00";
  else if (value.size() == 16)
    value += ":00";
  if (type == "timestamp with time zone" && value.size() == 19) value += "+00";
  return value;
}

// One bound datum as get_const_expr(..., -1) prints it for the key's type.
std::string bound_datum(LoadContext& ctx, const PgQuery__Node* node, const std::string& type) {
  if (node->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
    std::string word = last_name(node->column_ref->fields, node->column_ref->n_fields);
    if (word == "minvalue") return "MINVALUE";
    if (word == "maxvalue") return "MAXVALUE";
  }
  if (node->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
    return bound_datum(ctx, node->type_cast->arg, type);
  if (node->node_case != PG_QUERY__NODE__NODE_A_CONST) {
    try {
      return canonical_expr(node);
    } catch (const CanonicalError& e) {
      ctx.fail(0, e.what());
    }
  }
  const PgQuery__AConst* c = node->a_const;
  if (c->isnull) return "NULL";
  std::string text;
  bool numeric_literal = false;
  switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_IVAL:
      text = std::to_string(c->ival->ival);
      numeric_literal = true;
      break;
    case PG_QUERY__A__CONST__VAL_FVAL:
      text = c->fval->fval;
      numeric_literal = true;
      break;
    case PG_QUERY__A__CONST__VAL_BOOLVAL:
      return c->boolval->boolval ? "true" : "false";
    case PG_QUERY__A__CONST__VAL_SVAL:
      text = c->sval->sval;
      break;
    default:
      text = "";
  }
  if (type == "integer") {
    if (!text.empty() && text[0] != '-') return text;
    return quote_literal(text);
  }
  if (type == "numeric" || type.rfind("numeric(", 0) == 0) {
    if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0])) &&
        text.find_first_of("eE.") != std::string::npos)
      return text;
    return quote_literal(text);
  }
  if (type == "boolean") return text == "t" || text == "true" ? "true" : "false";
  if (type == "date" || type.rfind("timestamp", 0) == 0)
    return quote_literal(normalise_datetime(text, type));
  if (type.empty() && numeric_literal) return text;
  return quote_literal(text);
}

std::string datum_list(LoadContext& ctx, PgQuery__Node* const* nodes, size_t count,
                       const std::vector<std::string>& types, bool list) {
  std::string text;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) text += ", ";
    // LIST partitions have one key column; RANGE bounds have one datum per key column.
    std::string type = list ? (types.empty() ? "" : types[0]) : (i < types.size() ? types[i] : "");
    text += bound_datum(ctx, nodes[i], type);
  }
  return text;
}

}  // namespace

std::map<std::string, std::string> relation_options(LoadContext& ctx, PgQuery__Node* const* defs,
                                                    size_t count) {
  std::map<std::string, std::string> options;
  for (size_t i = 0; i < count; ++i) {
    if (defs[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) {
      ctx.unsupported(0, "storage option");
      continue;
    }
    const PgQuery__DefElem* def = defs[i]->def_elem;
    std::string name = def->defname;
    if (def->defnamespace != nullptr && def->defnamespace[0] != '\0')
      name = std::string(def->defnamespace) + "." + name;
    options[name] = option_value(def->arg);
  }
  return options;
}

std::string partition_bound_text(LoadContext& ctx, const Table& parent,
                                 const PgQuery__PartitionBoundSpec* bound) {
  if (bound->is_default) return "DEFAULT";
  const std::vector<std::string> types = partition_key_types(parent);
  const std::string strategy = bound->strategy != nullptr ? bound->strategy : "";
  if (strategy == "h")
    return "FOR VALUES WITH (modulus " + std::to_string(bound->modulus) + ", remainder " +
           std::to_string(bound->remainder) + ")";
  if (strategy == "l")
    return "FOR VALUES IN (" +
           datum_list(ctx, bound->listdatums, bound->n_listdatums, types, true) + ")";
  return "FOR VALUES FROM (" +
         datum_list(ctx, bound->lowerdatums, bound->n_lowerdatums, types, false) + ") TO (" +
         datum_list(ctx, bound->upperdatums, bound->n_upperdatums, types, false) + ")";
}

std::vector<std::string> index_key_names(const Index& index) {
  std::vector<std::string> names;
  for (const auto& key : index.keys) names.push_back(key.column.empty() ? "expr" : key.column);
  names.insert(names.end(), index.include.begin(), index.include.end());
  return unique_index_column_names(names);
}

}  // namespace pgdrift::schema::sql
