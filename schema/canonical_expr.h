// Internal to the canonical form: what the files of canonical expressions and queries share.
//   canonical_expr.cpp        the entry points of canonical.h: parse, normalise, deparse
//   canonical_expr_build.cpp  building and replacing malloc'd parse-tree nodes
//   canonical_expr_rules.cpp  the rewrite rules, and normalise_node, which applies them
//   canonical_expr_view.cpp   the rules only view queries get
// Walking a tree is parse_tree::walk_children (schema/parse_tree.h), the loader's walk too.
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "schema/canonical.h"

namespace pgdrift::schema::canon {

// What one canonical_expr / canonical_query call knows, handed to the rules that need it.
struct Context {
  // The column type lookup of canonical_expr (null when the caller gave none: the cast rules
  // on column references then keep their type-blind form, see column_type_of).
  const ColumnTypes* column_types = nullptr;
  // How deep the walk is inside sub-SELECTs, whose columns belong to other relations.
  int subquery_depth = 0;
  // The relation column lookup of canonical_query (null when none was given): SELECT * expands
  // to the columns it gives.
  const RelationColumns* relation_columns = nullptr;
  // The WITH clause of the query whose view rules run (SELECT * over a CTE).
  const PgQuery__WithClause* top_with_clause = nullptr;
  // The types of the column references of a SQL-standard function body, resolved against the
  // relations and parameters in scope where each stands (canonical_sql_body.cpp): a reference
  // not listed is of unknown type. When set, it answers for every column reference, those in
  // sub-SELECTs too, instead of column_types.
  const std::map<const PgQuery__ColumnRef*, std::string>* resolved_column_types = nullptr;

  // Whether column types are known at all (else the type-blind rules apply).
  bool knows_column_types() const {
    return column_types != nullptr || resolved_column_types != nullptr;
  }

  // expression_type's answers while the rules walk a tree (coerce_tree, normalise_node): a type
  // asked for at every level of an operator chain would else be computed down the whole chain
  // each time, quadratic in its depth. The walks go bottom-up and only ever ask for the types
  // of the node they are at and of nodes below it, so when the tree changes under a slot (a
  // rule applied there, coerce_to) forgetting the nodes now under that slot is enough: a node
  // freed there and its memory reused for a new node is under a changed slot again
  // (TypeCacheScope below, forget_types; coerce_to forgets the cast it makes at once).
  mutable std::unordered_map<const PgQuery__Node*, std::string> type_cache;
  int type_cache_scopes = 0;  // rule walks in progress
  bool caches_types() const { return type_cache_scopes > 0; }
};

// The tree under *slot changed: its nodes' types are computed again when asked for.
void forget_types(Context& ctx, const PgQuery__Node* node);

// The cache of Context::type_cache is used while one of these lives (the outermost empties it
// first).
struct TypeCacheScope {
  explicit TypeCacheScope(Context& ctx) : ctx_(ctx) {
    if (ctx_.type_cache_scopes++ == 0) ctx_.type_cache.clear();
  }
  ~TypeCacheScope() { --ctx_.type_cache_scopes; }
  TypeCacheScope(const TypeCacheScope&) = delete;
  TypeCacheScope& operator=(const TypeCacheScope&) = delete;

 private:
  Context& ctx_;
};

// An untyped string literal or NULL in *slot that is assigned to a column of `column_type` (an
// INSERT value, an UPDATE SET) becomes `literal::type`, the constant of the column type
// PostgreSQL stores (as for a default, canonical_default_expr); false when *slot is no such
// literal or the type is unknown ("").
bool type_assigned_literal(PgQuery__Node** slot, const std::string& column_type);

// Deparses one statement node (not modified) after the rules the deparser needs to print it
// with its meaning (explicit_timezone_under_cast): the loader's first step for queries.
std::string deparse_statement_safe(const PgQuery__Node* stmt);

// ---- building nodes (canonical_expr_build.cpp) -------------------------------------------------
// Every node is malloc'd, like every node protobuf-c unpacks.
template <typename T, void (*Init)(T*)>
T* make_message() {
  T* message = static_cast<T*>(std::malloc(sizeof(T)));
  Init(message);
  return message;
}
PgQuery__Node* make_node();
PgQuery__Node** make_node_array(size_t count);
PgQuery__Node* make_string_node(const char* text);
// `left op right` (takes ownership of both operands).
PgQuery__Node* make_operator(const char* op, PgQuery__Node* left, PgQuery__Node* right);
// `arg::type_name` with an unqualified type name (takes ownership of arg).
PgQuery__Node* make_cast(PgQuery__Node* arg, const char* type_name);
PgQuery__Node* make_bool_expr(PgQuery__BoolExprType op, PgQuery__Node* a, PgQuery__Node* b);
// `left IN (items)` / `left NOT IN (items)` (takes ownership of left and the items).
PgQuery__Node* make_in_list(const char* op, PgQuery__Node* left,
                            const std::vector<PgQuery__Node*>& items);
void free_node(PgQuery__Node* node);
// Replace *slot by `replacement`, which must be a node owned by *slot's subtree and already
// detached from it (its parent's pointer set to null), then free the old node.
void replace(PgQuery__Node** slot, PgQuery__Node* replacement);
// A malloc'd deep copy.
PgQuery__Node* copy_of(const PgQuery__Node* node);

// `arg::type_sql` with the type as SQL spells it ("double precision", "text[]", "bpchar"; takes
// ownership of arg).
PgQuery__Node* make_cast_to(PgQuery__Node* arg, const std::string& type_sql);

// ---- small predicates --------------------------------------------------------------------------
inline bool is_const(const PgQuery__Node* n) {
  return n != nullptr && n->node_case == PG_QUERY__NODE__NODE_A_CONST;
}
inline bool is_string_const(const PgQuery__Node* n) {
  return is_const(n) && !n->a_const->isnull && n->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL;
}
inline bool is_column_ref(const PgQuery__Node* n) {
  return n != nullptr && n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF;
}

// ---- rules (canonical_expr_rules.cpp) ----------------------------------------------------------
// Marks (in TypeCast.location, which the deparser ignores) a cast that is a whole target of a
// view's SELECT list, where the cast decides the view column's type.
constexpr int32_t kTargetCastMark = -7;

// What is known of the type of the column `ref` (a ColumnRef node) names: nullopt when no lookup
// was given, "" when unknown (not a column of the table, or a column inside a sub-SELECT, which
// belongs to the relations the sub-SELECT reads), else the type PostgreSQL coerces the column
// from (a domain's base type for a domain-typed column).
std::optional<std::string> column_type_of(const Context& ctx, const PgQuery__Node* ref);
// The type PostgreSQL gives a number literal by itself: integer, bigint, or numeric.
std::string number_literal_type(const std::string& text);

// `'01:30:00'::interval minute` -> `'01:30:00'::interval`: the default of a plain interval column
// is stored as a plain interval constant, its fields applied (canonical_default_expr_text).
// True when it changed `node` (a normalised constant; other nodes are left alone).
bool drop_interval_constant_fields(PgQuery__Node* node);

// Children first, then the rules on *slot until none applies.
void normalise_node(Context& ctx, PgQuery__Node** slot);
// `FROM public.t` -> `FROM t`, in the whole tree (also sub-SELECTs of expressions): the relation
// half of unqualify_public_names, run once the view rules have looked relations up by the
// schema they were written with (SELECT * expansion).
void unqualify_public_relations(PgQuery__Node** slot);
// `(x AT TIME ZONE z)::T` -> `timezone(z, x)::T`: the one rule the deparser needs to print a
// tree with its meaning (deparse_expr applies it alone).
bool explicit_timezone_under_cast(PgQuery__Node** slot);

// ---- function arguments (canonical_expr_coerce.cpp) --------------------------------------------
// The resolution type (schema/type_conversion.h) of an expression as far as it is known here:
// literals (kUnknownType for an untyped one), casts, columns of the relation (Context),
// built-in function calls, CURRENT_DATE & co., boolean expressions, COALESCE and ARRAY[...]
// over known types; "" when unknown.
std::string expression_type(const Context& ctx, const PgQuery__Node* node);
// Rule 19: the implicit coercions of a built-in call's arguments, as PostgreSQL stores them.
bool coerce_function_arguments(Context& ctx, PgQuery__Node** slot);
// Rule 19 for operators: the implicit coercions of a built-in operator's operands (10.2), untyped
// literals aside: `qty * price` (integer, numeric) is stored as `qty::numeric * price`.
bool coerce_operator_operands(Context& ctx, PgQuery__Node** slot);
// Rule 20: the values of COALESCE, GREATEST / LEAST, ARRAY[...] and the results of CASE
// coerced to their common type (select_common_type), as PostgreSQL stores them.
bool coerce_to_common_types(Context& ctx, PgQuery__Node** slot);

// The coercion rules alone, bottom-up, on the tree as written: literals still have the type they
// were written with (`2.0` is numeric before rule 2 prints it `2`), which decides how PostgreSQL
// resolved the operators and calls around them (`qty / 2.0` is `qty::numeric / 2.0`).
void coerce_tree(Context& ctx, PgQuery__Node** slot);
// coerce_tree, then normalise_node: what every entry point runs on its tree.
void normalise_tree(Context& ctx, PgQuery__Node** slot);

// ---- view rules (canonical_expr_view.cpp) ------------------------------------------------------
// `relation.c` -> `c` in every column reference under *slot except inside nested SELECTs
// (pg_get_viewdef qualifies every column of a single-relation SELECT).
void strip_qualifier(const std::string& relation, PgQuery__Node** slot);
// Marks every cast that is a whole SELECT-list target, in every SELECT of the query.
void mark_target_casts(PgQuery__Node** slot);
// The view rules for every SELECT in the query (sub-links, FROM sub-queries, CTEs).
void apply_view_rules_to_nested(const Context& ctx, PgQuery__Node** slot);
// A relation read without alias in a sub-SELECT whose enclosing queries already use its name
// gets the alias `name_N` PostgreSQL gives it when it prints the query (ruleutils
// set_rtable_names: names unique across the enclosing levels), its qualified column
// references with it: `... IN (SELECT max(id) FROM points)` inside a query of points reads
// `FROM points points_1`.
void rename_repeated_relations(PgQuery__Node** slot);

}  // namespace pgdrift::schema::canon
