// Building parse-tree nodes for the canonical form's rules: every node is malloc'd, like every
// node protobuf-c unpacks, so that one pg_query__node__free_unpacked frees a rewritten tree.
#include <cstdlib>
#include <cstring>

#include "schema/canonical_expr.h"
#include "schema/parse_tree.h"

namespace pgdrift::schema::canon {

PgQuery__Node* make_node() { return make_message<PgQuery__Node, pg_query__node__init>(); }

PgQuery__Node** make_node_array(size_t count) {
  return static_cast<PgQuery__Node**>(std::malloc(sizeof(PgQuery__Node*) * (count ? count : 1)));
}

PgQuery__Node* make_string_node(const char* text) {
  auto* string = make_message<PgQuery__String, pg_query__string__init>();
  string->sval = strdup(text);
  PgQuery__Node* node = make_node();
  node->node_case = PG_QUERY__NODE__NODE_STRING;
  node->string = string;
  return node;
}

// `left op right` (takes ownership of both operands).
PgQuery__Node* make_operator(const char* op, PgQuery__Node* left, PgQuery__Node* right) {
  auto* expr = make_message<PgQuery__AExpr, pg_query__a__expr__init>();
  expr->kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
  expr->n_name = 1;
  expr->name = make_node_array(1);
  expr->name[0] = make_string_node(op);
  expr->lexpr = left;
  expr->rexpr = right;
  expr->location = -1;
  PgQuery__Node* node = make_node();
  node->node_case = PG_QUERY__NODE__NODE_A_EXPR;
  node->a_expr = expr;
  return node;
}

PgQuery__Node* make_cast(PgQuery__Node* arg, const char* type_name) {
  auto* type = make_message<PgQuery__TypeName, pg_query__type_name__init>();
  type->n_names = 1;
  type->names = make_node_array(1);
  type->names[0] = make_string_node(type_name);
  type->typemod = -1;
  type->location = -1;
  auto* cast = make_message<PgQuery__TypeCast, pg_query__type_cast__init>();
  cast->arg = arg;
  cast->type_name = type;
  cast->location = -1;
  PgQuery__Node* node = make_node();
  node->node_case = PG_QUERY__NODE__NODE_TYPE_CAST;
  node->type_cast = cast;
  return node;
}

PgQuery__Node* make_cast_to(PgQuery__Node* arg, const std::string& type_sql) {
  parse_tree::ParseTree tree = parse_tree::parse("SELECT NULL::" + type_sql);
  PgQuery__Node* target = parse_tree::first_statement(tree)->select_stmt->target_list[0];
  PgQuery__TypeCast* parsed = target->res_target->val->type_cast;
  PgQuery__Node* cast = make_cast(arg, "text");
  pg_query__type_name__free_unpacked(cast->type_cast->type_name, nullptr);
  cast->type_cast->type_name = parsed->type_name;  // moved out of the parsed tree
  parsed->type_name = nullptr;
  return cast;
}

PgQuery__Node* make_bool_expr(PgQuery__BoolExprType op, PgQuery__Node* a, PgQuery__Node* b) {
  auto* expr = make_message<PgQuery__BoolExpr, pg_query__bool_expr__init>();
  expr->boolop = op;
  expr->n_args = 2;
  expr->args = make_node_array(2);
  expr->args[0] = a;
  expr->args[1] = b;
  expr->location = -1;
  PgQuery__Node* node = make_node();
  node->node_case = PG_QUERY__NODE__NODE_BOOL_EXPR;
  node->bool_expr = expr;
  return node;
}

void free_node(PgQuery__Node* node) { pg_query__node__free_unpacked(node, nullptr); }

// Replace *slot by `replacement`, which must be a node owned by *slot's subtree and already
// detached from it (its parent's pointer set to null), then free the old node.
void replace(PgQuery__Node** slot, PgQuery__Node* replacement) {
  PgQuery__Node* old = *slot;
  *slot = replacement;
  free_node(old);
}

// `left IN (items)` / `left NOT IN (items)` (takes ownership of left and the items).
PgQuery__Node* make_in_list(const char* op, PgQuery__Node* left,
                            const std::vector<PgQuery__Node*>& items) {
  auto* list = make_message<PgQuery__List, pg_query__list__init>();
  list->n_items = items.size();
  list->items = make_node_array(items.size());
  for (size_t i = 0; i < items.size(); ++i) list->items[i] = items[i];
  PgQuery__Node* right = make_node();
  right->node_case = PG_QUERY__NODE__NODE_LIST;
  right->list = list;
  PgQuery__Node* node = make_operator(op, left, right);
  node->a_expr->kind = PG_QUERY__A__EXPR__KIND__AEXPR_IN;
  return node;
}

PgQuery__Node* copy_of(const PgQuery__Node* node) { return parse_tree::copy(node).release(); }

}  // namespace pgdrift::schema::canon
