#include "schema/sql/table_parts.h"

#include <cctype>

#include "schema/canonical.h"
#include "schema/sql/naming.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

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
    key.expr = located_canonical_expr(ctx, elem->expr, column_types);
  }
  key.opclass = last_name(elem->opclass, elem->n_opclass);
  key.collation = collation_name(ctx, elem->collation, elem->n_collation);
  key.descending = elem->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
  if (elem->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST)
    key.nulls_first = true;
  else if (elem->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST)
    key.nulls_first = false;
  else
    key.nulls_first = key.descending;
  return key;
}

namespace {

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

void rename_replica_identity_index(Table& table, const std::string& from, const std::string& to) {
  if (table.replica_identity == 'i' && table.replica_identity_index == from)
    table.replica_identity_index = to;
}

void settle_replica_identity(Table& table) {
  if (table.replica_identity != 'i' || table.indexes.count(table.replica_identity_index) != 0 ||
      table.constraints.count(table.replica_identity_index) != 0)
    return;
  table.replica_identity = 'n';
  table.replica_identity_index.clear();
}

}  // namespace pgdrift::schema::sql
