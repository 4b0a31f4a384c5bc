// The rules only view queries get: a view's SELECT as pg_get_viewdef prints it (SELECT *
// expanded, qualifiers of a single relation dropped, aliases PostgreSQL derives itself dropped),
// on top of the expression rules every query gets (canonical_expr_rules.cpp).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "schema/canonical_expr.h"
#include "schema/parse_tree.h"

namespace pgdrift::schema::canon {

using parse_tree::last_name;
using parse_tree::string_list;

namespace {

// The output column name PostgreSQL derives for an unnamed target (parser's FigureColname),
// for the node kinds views commonly use; "" when unknown (the alias is then kept).
std::string figure_column_name(const PgQuery__Node* node) {
  if (node == nullptr) return "";
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF:
      return last_name(node->column_ref->fields, node->column_ref->n_fields);
    case PG_QUERY__NODE__NODE_FUNC_CALL:
      return last_name(node->func_call->funcname, node->func_call->n_funcname);
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
      std::string name = figure_column_name(node->type_cast->arg);
      if (!name.empty() || node->type_cast->type_name == nullptr) return name;
      return last_name(node->type_cast->type_name->names, node->type_cast->type_name->n_names);
    }
    case PG_QUERY__NODE__NODE_CASE_EXPR:
      return "case";
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
      return "coalesce";
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
      return node->min_max_expr->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? "greatest" : "least";
    default:
      return "";
  }
}

// figure_column_name, with PostgreSQL's "?column?" for the node kinds that have no name of
// their own (constants, operators, boolean tests): `SELECT 1` is printed `1 AS "?column?"`.
std::string derived_column_name(const PgQuery__Node* node) {
  std::string name = figure_column_name(node);
  if (!name.empty() || node == nullptr) return name;
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
    case PG_QUERY__NODE__NODE_A_EXPR:
    case PG_QUERY__NODE__NODE_BOOL_EXPR:
    case PG_QUERY__NODE__NODE_NULL_TEST:
    case PG_QUERY__NODE__NODE_BOOLEAN_TEST:
      return "?column?";
    default:
      return "";
  }
}

void clear_name(PgQuery__ResTarget* res) {
  std::free(res->name);
  res->name = strdup("");
}

// The single relation a SELECT reads, by the name its columns are qualified with.
std::string single_relation_of(const PgQuery__SelectStmt* select) {
  if (select->n_from_clause != 1) return "";
  const PgQuery__Node* from = select->from_clause[0];
  const PgQuery__Alias* alias = nullptr;
  std::string name;
  if (from->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
    alias = from->range_var->alias;
    name = from->range_var->relname;
  } else if (from->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT) {
    alias = from->range_subselect->alias;
  } else if (from->node_case == PG_QUERY__NODE__NODE_RANGE_FUNCTION) {
    alias = from->range_function->alias;
  }
  if (alias != nullptr && alias->aliasname != nullptr && alias->aliasname[0] != '\0') {
    return alias->aliasname;
  }
  return name;
}

// The output column names of a SELECT (its first branch for a set operation), or empty when
// one of them is not known without the catalog (a `*`, an expression PostgreSQL names itself).
std::vector<std::string> output_column_names(const PgQuery__SelectStmt* select) {
  while (select->larg != nullptr) select = select->larg;
  std::vector<std::string> names;
  for (size_t i = 0; i < select->n_target_list; ++i) {
    const PgQuery__Node* target = select->target_list[i];
    if (target->node_case != PG_QUERY__NODE__NODE_RES_TARGET) return {};
    const PgQuery__ResTarget* res = target->res_target;
    std::string name = res->name != nullptr && res->name[0] != '\0' ? std::string(res->name)
                                                                    : derived_column_name(res->val);
    if (name.empty() || name == "?column?") return {};
    names.push_back(name);
  }
  return names;
}

// The columns `SELECT *` reads from the single FROM item of `select`: a CTE, a sub-query, or a
// relation the caller's lookup knows.
std::vector<std::string> star_columns(const Context& ctx, const PgQuery__SelectStmt* select) {
  if (select->n_from_clause != 1) return {};
  const PgQuery__Node* from = select->from_clause[0];
  if (from->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT) {
    const PgQuery__RangeSubselect* sub = from->range_subselect;
    if (sub->alias != nullptr && sub->alias->n_colnames > 0) return {};  // partial renames
    if (sub->subquery == nullptr || sub->subquery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
      return {};
    return output_column_names(sub->subquery->select_stmt);
  }
  if (from->node_case != PG_QUERY__NODE__NODE_RANGE_VAR) return {};
  const PgQuery__RangeVar* rv = from->range_var;
  if (rv->alias != nullptr && rv->alias->n_colnames > 0) return {};
  const std::string schema = rv->schemaname != nullptr ? rv->schemaname : "";
  for (const PgQuery__WithClause* with :
       {static_cast<const PgQuery__WithClause*>(select->with_clause), ctx.top_with_clause}) {
    if (with == nullptr || !schema.empty()) continue;
    for (size_t i = 0; i < with->n_ctes; ++i) {
      if (with->ctes[i]->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) continue;
      const PgQuery__CommonTableExpr* cte = with->ctes[i]->common_table_expr;
      if (std::strcmp(cte->ctename, rv->relname) != 0) continue;
      if (cte->n_aliascolnames > 0) return string_list(cte->aliascolnames, cte->n_aliascolnames);
      if (cte->ctequery == nullptr || cte->ctequery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return {};
      return output_column_names(cte->ctequery->select_stmt);
    }
  }
  if (ctx.relation_columns == nullptr) return {};
  return (*ctx.relation_columns)(schema, rv->relname);
}

bool is_bare_star(const PgQuery__Node* target) {
  if (target->node_case != PG_QUERY__NODE__NODE_RES_TARGET) return false;
  const PgQuery__Node* val = target->res_target->val;
  return val != nullptr && val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
         val->column_ref->n_fields == 1 &&
         val->column_ref->fields[0]->node_case == PG_QUERY__NODE__NODE_A_STAR;
}

// `SELECT * FROM t` -> `SELECT a, b FROM t`: PostgreSQL stores the expanded column list.
void expand_star(const Context& ctx, PgQuery__SelectStmt* select) {
  if (select->n_target_list != 1 || !is_bare_star(select->target_list[0])) return;
  const std::vector<std::string> columns = star_columns(ctx, select);
  if (columns.empty()) return;
  PgQuery__Node** targets = make_node_array(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    auto* ref = make_message<PgQuery__ColumnRef, pg_query__column_ref__init>();
    ref->n_fields = 1;
    ref->fields = make_node_array(1);
    ref->fields[0] = make_string_node(columns[i].c_str());
    ref->location = -1;
    PgQuery__Node* val = make_node();
    val->node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
    val->column_ref = ref;
    auto* res = make_message<PgQuery__ResTarget, pg_query__res_target__init>();
    res->val = val;
    res->location = -1;
    targets[i] = make_node();
    targets[i]->node_case = PG_QUERY__NODE__NODE_RES_TARGET;
    targets[i]->res_target = res;
  }
  free_node(select->target_list[0]);
  std::free(select->target_list);
  select->target_list = targets;
  select->n_target_list = columns.size();
}

// The target entry `item` of a GROUP BY or ORDER BY refers to, as findTargetlistEntrySQL92
// finds it: a number is the n-th target; a bare name an output column (its alias), except that
// for GROUP BY a column of the FROM item with that name comes first (`from_columns`, null when
// they are unknown: then no name is decided). Null when it is no such reference.
const PgQuery__ResTarget* referenced_target(const PgQuery__SelectStmt* select,
                                            const PgQuery__Node* item,
                                            const std::vector<std::string>* from_columns,
                                            bool group_by) {
  if (is_const(item) && item->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
    const int32_t n = item->a_const->ival->ival;
    if (n < 1 || static_cast<size_t>(n) > select->n_target_list) return nullptr;
    const PgQuery__Node* target = select->target_list[n - 1];
    return target->node_case == PG_QUERY__NODE__NODE_RES_TARGET ? target->res_target : nullptr;
  }
  if (!is_column_ref(item) || item->column_ref->n_fields != 1 ||
      item->column_ref->fields[0]->node_case != PG_QUERY__NODE__NODE_STRING) {
    return nullptr;
  }
  const std::string name = item->column_ref->fields[0]->string->sval;
  if (group_by &&
      (from_columns == nullptr || from_columns->empty() ||
       std::find(from_columns->begin(), from_columns->end(), name) != from_columns->end())) {
    return nullptr;
  }
  const PgQuery__ResTarget* found = nullptr;
  for (size_t t = 0; t < select->n_target_list; ++t) {
    const PgQuery__Node* candidate = select->target_list[t];
    if (candidate->node_case != PG_QUERY__NODE__NODE_RES_TARGET ||
        candidate->res_target->name == nullptr || candidate->res_target->name != name) {
      continue;
    }
    if (found != nullptr) return nullptr;  // two outputs of that name: not decided here
    found = candidate->res_target;
  }
  return found;
}

// `GROUP BY alias`, `GROUP BY 2`, `ORDER BY alias`, `ORDER BY 2` -> the target's expression:
// PostgreSQL stores a reference to the target entry and prints its expression.
void sort_group_targets(const Context& ctx, PgQuery__SelectStmt* select) {
  auto replace_item = [](PgQuery__Node*& item, const PgQuery__ResTarget* target) {
    if (target == nullptr || target->val == nullptr || is_const(target->val)) return;
    free_node(item);
    item = copy_of(target->val);
  };
  if (select->n_group_clause > 0) {
    const std::vector<std::string> columns = star_columns(ctx, select);
    for (size_t i = 0; i < select->n_group_clause; ++i) {
      PgQuery__Node*& item = select->group_clause[i];
      replace_item(item, referenced_target(select, item, &columns, true));
    }
  }
  for (size_t i = 0; i < select->n_sort_clause; ++i) {
    PgQuery__Node* sort = select->sort_clause[i];
    if (sort->node_case != PG_QUERY__NODE__NODE_SORT_BY || sort->sort_by->node == nullptr) continue;
    replace_item(sort->sort_by->node,
                 referenced_target(select, sort->sort_by->node, nullptr, false));
  }
}

// `in_set_branch`: a non-first branch of UNION / INTERSECT / EXCEPT, whose column names
// PostgreSQL ignores (and prints as the first branch's names).
void apply_view_rules(const Context& ctx, PgQuery__SelectStmt* select, bool in_set_branch = false) {
  expand_star(ctx, select);
  if (std::string name = single_relation_of(select); !name.empty()) {
    auto strip = [&](PgQuery__Node** clause) {
      if (*clause != nullptr) strip_qualifier(name, clause);
    };
    for (size_t i = 0; i < select->n_target_list; ++i) strip(&select->target_list[i]);
    strip(&select->where_clause);
    for (size_t i = 0; i < select->n_group_clause; ++i) strip(&select->group_clause[i]);
    strip(&select->having_clause);
    for (size_t i = 0; i < select->n_distinct_clause; ++i) strip(&select->distinct_clause[i]);
    for (size_t i = 0; i < select->n_sort_clause; ++i) strip(&select->sort_clause[i]);
  }
  sort_group_targets(ctx, select);
  // `SELECT id AS id`, `max(x) AS max` -> no alias: PostgreSQL prints an alias only when it
  // differs from the name it derives itself.
  for (size_t i = 0; i < select->n_target_list; ++i) {
    PgQuery__Node* target = select->target_list[i];
    if (target->node_case != PG_QUERY__NODE__NODE_RES_TARGET) continue;
    PgQuery__ResTarget* res = target->res_target;
    if (res->name == nullptr || res->name[0] == '\0') continue;
    if (in_set_branch || derived_column_name(res->val) == res->name) clear_name(res);
  }
  if (select->larg) apply_view_rules(ctx, select->larg, in_set_branch);
  if (select->rarg) apply_view_rules(ctx, select->rarg, true);
}

}  // namespace

// `users.id` -> `id` in a SELECT that reads one relation, `relation` (pg_get_viewdef qualifies
// every column). Nested SELECTs are skipped here: they get their own pass with their own relation.
void strip_qualifier(const std::string& relation, PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) return;
  parse_tree::walk_children(&node->base,
                            [&](PgQuery__Node** child) { strip_qualifier(relation, child); });
  if (!is_column_ref(node)) return;
  PgQuery__ColumnRef* ref = node->column_ref;
  if (ref->n_fields != 2 || ref->fields[0]->node_case != PG_QUERY__NODE__NODE_STRING ||
      relation != ref->fields[0]->string->sval) {
    return;
  }
  free_node(ref->fields[0]);
  ref->fields[0] = ref->fields[1];
  ref->n_fields = 1;
}

// Marks every cast that is a whole SELECT-list target, in every SELECT of the query.
void mark_target_casts(PgQuery__Node** slot) {
  if ((*slot)->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
    PgQuery__SelectStmt* select = (*slot)->select_stmt;
    for (size_t i = 0; i < select->n_target_list; ++i) {
      PgQuery__Node* target = select->target_list[i];
      if (target->node_case == PG_QUERY__NODE__NODE_RES_TARGET &&
          target->res_target->val != nullptr &&
          target->res_target->val->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
        target->res_target->val->type_cast->location = kTargetCastMark;
      }
    }
  }
  parse_tree::walk_children(&(*slot)->base,
                            [](PgQuery__Node** child) { mark_target_casts(child); });
}

// Finds every SELECT nested in the query (sub-links, FROM sub-queries, CTEs) and gives it the
// view rules; UNION branches are handled by apply_view_rules itself.
namespace {

// The names the FROM items of one query level are referred to by: alias, else relation name
// (RangeVars inside joins too); `unaliased` collects the RangeVars without an alias.
void from_names(PgQuery__Node* item, std::set<std::string>& names,
                std::vector<PgQuery__RangeVar*>& unaliased) {
  if (item == nullptr) return;
  const PgQuery__Alias* alias = nullptr;
  switch (item->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR:
      alias = item->range_var->alias;
      if (alias == nullptr || alias->aliasname == nullptr || alias->aliasname[0] == '\0') {
        names.insert(item->range_var->relname);
        unaliased.push_back(item->range_var);
        return;
      }
      break;
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT:
      alias = item->range_subselect->alias;
      break;
    case PG_QUERY__NODE__NODE_RANGE_FUNCTION:
      alias = item->range_function->alias;
      break;
    case PG_QUERY__NODE__NODE_JOIN_EXPR:
      from_names(item->join_expr->larg, names, unaliased);
      from_names(item->join_expr->rarg, names, unaliased);
      alias = item->join_expr->alias;
      break;
    default:
      break;
  }
  if (alias != nullptr && alias->aliasname != nullptr && alias->aliasname[0] != '\0')
    names.insert(alias->aliasname);
}

// `old.c` -> `renamed.c` in the column references under *slot, nested SELECTs excepted.
void rename_qualifier(const std::string& old_name, const std::string& renamed,
                      PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) return;
  if (is_column_ref(node) && node->column_ref->n_fields == 2 &&
      node->column_ref->fields[0]->node_case == PG_QUERY__NODE__NODE_STRING &&
      old_name == node->column_ref->fields[0]->string->sval) {
    free_node(node->column_ref->fields[0]);
    node->column_ref->fields[0] = make_string_node(renamed.c_str());
    return;
  }
  parse_tree::walk_children(
      &node->base, [&](PgQuery__Node** child) { rename_qualifier(old_name, renamed, child); });
}

void rename_repeated(PgQuery__Node** slot, std::vector<std::set<std::string>>& levels) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
    parse_tree::walk_children(&node->base,
                              [&](PgQuery__Node** child) { rename_repeated(child, levels); });
    return;
  }
  PgQuery__SelectStmt* select = node->select_stmt;
  std::set<std::string> names;
  std::vector<PgQuery__RangeVar*> unaliased;
  for (size_t i = 0; i < select->n_from_clause; ++i)
    from_names(select->from_clause[i], names, unaliased);
  auto used = [&](const std::string& name) {
    if (names.count(name) > 0) return true;
    for (const auto& level : levels)
      if (level.count(name) > 0) return true;
    return false;
  };
  for (PgQuery__RangeVar* rv : unaliased) {
    const std::string name = rv->relname;
    bool outer = false;
    for (const auto& level : levels) outer = outer || level.count(name) > 0;
    if (!outer) continue;
    std::string renamed;
    for (int n = 1; renamed.empty() || used(renamed); ++n) renamed = name + "_" + std::to_string(n);
    if (rv->alias == nullptr) rv->alias = make_message<PgQuery__Alias, pg_query__alias__init>();
    if (rv->alias->aliasname != nullptr && rv->alias->aliasname != protobuf_c_empty_string)
      std::free(rv->alias->aliasname);
    rv->alias->aliasname = strdup(renamed.c_str());
    names.insert(renamed);
    parse_tree::walk_children(
        &node->base, [&](PgQuery__Node** child) { rename_qualifier(name, renamed, child); });
  }
  levels.push_back(names);
  parse_tree::walk_children(&node->base,
                            [&](PgQuery__Node** child) { rename_repeated(child, levels); });
  levels.pop_back();
}

}  // namespace

void rename_repeated_relations(PgQuery__Node** slot) {
  std::vector<std::set<std::string>> levels;
  rename_repeated(slot, levels);
}

void apply_view_rules_to_nested(const Context& ctx, PgQuery__Node** slot) {
  if ((*slot)->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
    apply_view_rules(ctx, (*slot)->select_stmt);
  }
  parse_tree::walk_children(&(*slot)->base,
                            [&](PgQuery__Node** child) { apply_view_rules_to_nested(ctx, child); });
}

}  // namespace pgdrift::schema::canon
