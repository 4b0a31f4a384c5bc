// Canonical expressions and queries: text -> libpg_query tree -> normalised tree -> deparsed
// text. Both the SQL loader (which deparses the node it holds first) and the live introspector
// (which passes pg_get_expr / pg_get_viewdef output) come through canonical_expr_text /
// canonical_query_text, so the two sides take literally the same path.
// docs/canonical-form.md lists every rule; canonical_expr.h says which file holds what.
#include <pg_query/pg_query.pb-c.h>

#include <cstring>
#include <string>

#include "schema/canonical.h"
#include "schema/canonical_expr.h"
#include "schema/parse_tree.h"

namespace pgdrift::schema {

namespace {

// Applies the rules that the deparser needs to print the tree with its meaning (see
// explicit_timezone_under_cast) and nothing else.
void make_deparse_safe(PgQuery__Node** slot) {
  parse_tree::walk_children(&(*slot)->base,
                            [](PgQuery__Node** child) { make_deparse_safe(child); });
  canon::explicit_timezone_under_cast(slot);
}

// A deparse-safe copy of `node`, the caller's tree untouched.
parse_tree::NodePtr deparse_safe_copy(const PgQuery__Node* node) {
  parse_tree::NodePtr copy = parse_tree::copy(node);
  PgQuery__Node* root = copy.release();
  make_deparse_safe(&root);
  return parse_tree::NodePtr(root);
}

}  // namespace

namespace canon {

std::string deparse_statement_safe(const PgQuery__Node* stmt) {
  if (stmt == nullptr) throw CanonicalError("missing statement");
  return parse_tree::deparse_statement(deparse_safe_copy(stmt).get());
}

}  // namespace canon

std::string deparse_expr(const PgQuery__Node* expr) {
  if (expr == nullptr) throw CanonicalError("missing expression");
  return parse_tree::deparse_expression(deparse_safe_copy(expr).get());
}

std::string canonical_expr(const PgQuery__Node* expr) {
  return canonical_expr_text(deparse_expr(expr));
}

namespace {

// The one expression of `SELECT <expr_sql>`, inside `tree`; throws unless it is exactly one
// unnamed expression.
PgQuery__Node** parse_expression(parse_tree::ParseTree& tree, const std::string& expr_sql) {
  tree = parse_tree::parse("SELECT " + expr_sql);
  PgQuery__Node* stmt = parse_tree::first_statement(tree);
  if (tree->n_stmts != 1 || stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
    throw CanonicalError("not an expression: " + expr_sql);
  }
  PgQuery__SelectStmt* select = stmt->select_stmt;
  if (select->n_target_list != 1 || select->n_from_clause != 0 || select->where_clause ||
      select->target_list[0]->node_case != PG_QUERY__NODE__NODE_RES_TARGET ||
      select->target_list[0]->res_target->val == nullptr ||
      (select->target_list[0]->res_target->name != nullptr &&
       select->target_list[0]->res_target->name[0] != '\0')) {
    throw CanonicalError("not a single expression: " + expr_sql);
  }
  return &select->target_list[0]->res_target->val;
}

std::string normalised_text(canon::Context& ctx, PgQuery__Node** slot) {
  canon::normalise_tree(ctx, slot);
  canon::unqualify_public_relations(slot);
  return parse_tree::deparse_expression(*slot);
}

// canonical_expr_text with the column type lookup `column_types` (null: type-blind).
std::string expr_text(const std::string& expr_sql, const ColumnTypes* column_types) {
  parse_tree::ParseTree tree;
  canon::Context ctx;
  ctx.column_types = column_types;
  return normalised_text(ctx, parse_expression(tree, expr_sql));
}

// canonical_query_text with the relation column lookup `relation_columns` (null: none).
std::string query_text(const std::string& query_sql, const RelationColumns* relation_columns) {
  auto tree = parse_tree::parse(query_sql);
  PgQuery__Node** slot = &tree->stmts[0]->stmt;
  if (tree->n_stmts != 1 || (*slot)->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
    throw CanonicalError("not a single SELECT: " + query_sql);
  }
  canon::Context ctx;
  ctx.relation_columns = relation_columns;
  canon::mark_target_casts(slot);
  canon::normalise_tree(ctx, slot);
  ctx.top_with_clause = (*slot)->select_stmt->with_clause;
  canon::rename_repeated_relations(slot);
  canon::apply_view_rules_to_nested(ctx, slot);
  canon::unqualify_public_relations(slot);
  return parse_tree::deparse_statement(*slot);
}

}  // namespace

std::string canonical_expr_text(const std::string& expr_sql) {
  return expr_text(expr_sql, nullptr);
}

std::string canonical_expr(const PgQuery__Node* expr, const ColumnTypes& column_types) {
  return canonical_expr_text(deparse_expr(expr), column_types);
}

std::string canonical_expr_text(const std::string& expr_sql, const ColumnTypes& column_types) {
  return expr_text(expr_sql, column_types ? &column_types : nullptr);
}

std::string canonical_default_expr(const PgQuery__Node* expr, const std::string& column_type) {
  return canonical_default_expr_text(deparse_expr(expr), column_type);
}

namespace {

// `CAST(<literal_sql> AS <column_type>)` as PostgreSQL stores an untyped string (or NULL) given
// to a column of that type, inside `tree`: the type without its typmods (a hidden length
// coercion applies them), `'x'::character varying` for varchar(20), `'101'::"bit"` for bit(3);
// interval keeps its fields (`'1 day'::interval day`).
PgQuery__Node** column_typed_literal(parse_tree::ParseTree& tree, const std::string& literal_sql,
                                     const std::string& column_type) {
  PgQuery__Node** slot = parse_expression(tree, "CAST(" + literal_sql + " AS " + column_type + ")");
  if ((*slot)->node_case != PG_QUERY__NODE__NODE_TYPE_CAST) {
    throw CanonicalError("not a type: " + column_type);
  }
  PgQuery__TypeName* type = (*slot)->type_cast->type_name;
  const bool is_interval = parse_tree::last_name(type->names, type->n_names) == "interval";
  if (!is_interval) {
    for (size_t i = 0; i < type->n_typmods; ++i) canon::free_node(type->typmods[i]);
    std::free(type->typmods);
    type->typmods = nullptr;
    type->n_typmods = 0;
  }
  return slot;
}

bool is_untyped_literal(const PgQuery__Node* node) {
  return canon::is_string_const(node) || (canon::is_const(node) && node->a_const->isnull);
}

}  // namespace

namespace canon {

bool type_assigned_literal(PgQuery__Node** slot, const std::string& column_type) {
  if (column_type.empty() || !is_untyped_literal(*slot)) return false;
  parse_tree::ParseTree tree;
  PgQuery__Node** cast =
      column_typed_literal(tree, parse_tree::deparse_expression(*slot), column_type);
  replace(slot, parse_tree::copy(*cast).release());
  return true;
}

}  // namespace canon

std::string canonical_default_expr_text(const std::string& expr_sql,
                                        const std::string& column_type) {
  parse_tree::ParseTree tree;
  PgQuery__Node** slot = parse_expression(tree, expr_sql);
  canon::Context ctx;
  if (column_type == "interval") {
    // The fields of an interval constant apply to its value, then go: PostgreSQL coerces the
    // default to the column's type, plain interval (`'90'::interval minute` is stored as
    // `'01:30:00'::interval`).
    canon::normalise_tree(ctx, slot);
    canon::drop_interval_constant_fields(*slot);
  }
  if (column_type.empty() || !is_untyped_literal(*slot)) return normalised_text(ctx, slot);
  // PostgreSQL stores an untyped string (or NULL) default as a constant of the column type,
  // printed with a cast (`'{}'::jsonb`).
  parse_tree::ParseTree cast_tree;
  return normalised_text(
      ctx, column_typed_literal(cast_tree, parse_tree::deparse_expression(*slot), column_type));
}

std::string canonical_query(const PgQuery__Node* select_stmt) {
  if (select_stmt == nullptr) throw CanonicalError("missing query");
  return query_text(canon::deparse_statement_safe(select_stmt), nullptr);
}

std::string canonical_query_text(const std::string& query_sql) {
  return query_text(query_sql, nullptr);
}

std::string canonical_query(const PgQuery__Node* select_stmt,
                            const RelationColumns& relation_columns) {
  if (select_stmt == nullptr) throw CanonicalError("missing query");
  return query_text(canon::deparse_statement_safe(select_stmt), &relation_columns);
}

}  // namespace pgdrift::schema
