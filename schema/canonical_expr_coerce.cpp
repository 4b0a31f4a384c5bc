// Rule 19 of the canonical form (docs/canonical-form.md): the implicit coercions PostgreSQL
// adds to the arguments of a built-in function call, written out as it stores them:
// `to_timestamp(id)` on an integer id is `to_timestamp(id::double precision)`,
// `to_tsvector('simple', body)` is `to_tsvector('simple'::regconfig, body)`. The call is resolved
// as PostgreSQL's parser resolves it (schema/type_conversion.h) from the types known here:
// literals, casts, the columns of the expression's relation, nested built-in calls. Whatever is
// not known leaves the call as written.
#include <optional>
#include <string>
#include <vector>

#include "schema/canonical_expr.h"
#include "schema/parse_tree.h"
#include "schema/type_conversion.h"

namespace pgdrift::schema::canon {

namespace {

std::string sql_value_function_type(PgQuery__SQLValueFunctionOp op) {
  switch (op) {
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE:
      return "date";
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME_N:
      return "time with time zone";
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N:
      return "timestamp with time zone";
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME_N:
      return "time without time zone";
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N:
      return "timestamp without time zone";
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_ROLE:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_USER:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_USER:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_SESSION_USER:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_CATALOG:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA:
      return "name";
    default:
      return "";
  }
}

// The unqualified name of a call to resolve among pg_catalog's functions ("" when it is not
// one: another schema, named arguments, an explicit VARIADIC, an ordered-set aggregate).
std::string builtin_call_name(const PgQuery__FuncCall* call) {
  if (call->agg_within_group || call->func_variadic || call->n_funcname == 0 ||
      call->n_funcname > 2) {
    return "";
  }
  if (call->n_funcname == 2 && parse_tree::string_value(call->funcname[0]) != "pg_catalog") {
    return "";
  }
  for (size_t i = 0; i < call->n_args; ++i)
    if (call->args[i]->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) return "";
  return parse_tree::string_value(call->funcname[call->n_funcname - 1]);
}

std::optional<ResolvedCall> resolve_call(const Context& ctx, const PgQuery__FuncCall* call) {
  const std::string name = builtin_call_name(call);
  if (name.empty()) return std::nullopt;
  std::vector<std::string> arguments;
  if (!call->agg_star) {
    for (size_t i = 0; i < call->n_args; ++i) {
      arguments.push_back(expression_type(ctx, call->args[i]));
      if (arguments.back().empty()) return std::nullopt;
    }
  }
  return resolve_builtin_function(name, arguments);
}

// The common type of `nodes` (CASE results, COALESCE arguments, ARRAY elements), "" unknown.
std::string common_type_of(const Context& ctx, PgQuery__Node* const* nodes, size_t count) {
  std::vector<std::string> types;
  for (size_t i = 0; i < count; ++i) {
    types.push_back(expression_type(ctx, nodes[i]));
    if (types.back().empty()) return "";
  }
  if (types.empty()) return "";
  return common_type(types).value_or("");
}

// The result slots of a CASE (every THEN, and the ELSE); empty when one is not a CaseWhen.
std::vector<PgQuery__Node**> case_results(PgQuery__CaseExpr* expr) {
  std::vector<PgQuery__Node**> results;
  for (size_t i = 0; i < expr->n_args; ++i) {
    if (expr->args[i]->node_case != PG_QUERY__NODE__NODE_CASE_WHEN) return {};
    results.push_back(&expr->args[i]->case_when->result);
  }
  if (expr->defresult != nullptr) results.push_back(&expr->defresult);
  return results;
}

// The common type of the CASE's results, "" unknown.
std::string case_type(const Context& ctx, PgQuery__CaseExpr* expr) {
  std::vector<std::string> types;
  for (PgQuery__Node** result : case_results(expr)) {
    types.push_back(expression_type(ctx, *result));
    if (types.back().empty()) return "";
  }
  if (types.empty()) return "";
  return common_type(types).value_or("");
}

// The name of an operator to resolve among pg_catalog's (`op` or OPERATOR(pg_catalog.op)), ""
// for anything else (another schema, ANY / ALL, IN, LIKE, ...).
std::string builtin_operator_name(const PgQuery__AExpr* expr) {
  if (expr->rexpr == nullptr) return "";
  // IS [NOT] DISTINCT FROM compares with the = operator of the two types.
  if (expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT ||
      expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT) {
    return expr->lexpr != nullptr ? "=" : "";
  }
  if (expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP) return "";
  if (expr->n_name == 1) return parse_tree::string_value(expr->name[0]);
  if (expr->n_name == 2 && parse_tree::string_value(expr->name[0]) == "pg_catalog")
    return parse_tree::string_value(expr->name[1]);
  return "";
}

std::optional<ResolvedCall> resolve_operator(const Context& ctx, const PgQuery__AExpr* expr) {
  const std::string name = builtin_operator_name(expr);
  if (name.empty()) return std::nullopt;
  std::vector<std::string> operands;
  if (expr->lexpr != nullptr) operands.push_back(expression_type(ctx, expr->lexpr));
  operands.push_back(expression_type(ctx, expr->rexpr));
  for (const std::string& t : operands)
    if (t.empty()) return std::nullopt;
  return resolve_builtin_operator(name, operands);
}

bool is_boolean_operator(const PgQuery__AExpr* expr) {
  if (expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP)
    return expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF;
  if (expr->n_name != 1) return false;
  const std::string op = parse_tree::string_value(expr->name[0]);
  return op == "=" || op == "<>" || op == "<" || op == ">" || op == "<=" || op == ">=" ||
         op == "~~" || op == "!~~" || op == "~~*" || op == "!~~*" || op == "~" || op == "!~" ||
         op == "~*" || op == "!~*";
}

}  // namespace

namespace {
std::string compute_expression_type(const Context& ctx, const PgQuery__Node* node);
}  // namespace

void forget_types(Context& ctx, const PgQuery__Node* node) {
  if (ctx.type_cache.empty() || node == nullptr) return;
  parse_tree::visit_nodes(&node->base, [&](const PgQuery__Node* n) { ctx.type_cache.erase(n); });
}

std::string expression_type(const Context& ctx, const PgQuery__Node* node) {
  if (node == nullptr) return "";
  if (!ctx.caches_types()) return compute_expression_type(ctx, node);
  auto cached = ctx.type_cache.find(node);
  if (cached != ctx.type_cache.end()) return cached->second;
  std::string type = compute_expression_type(ctx, node);
  ctx.type_cache.emplace(node, type);
  return type;
}

namespace {

std::string compute_expression_type(const Context& ctx, const PgQuery__Node* node) {
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST: {
      const PgQuery__AConst* c = node->a_const;
      if (c->isnull) return kUnknownType;
      switch (c->val_case) {
        case PG_QUERY__A__CONST__VAL_SVAL:
          return kUnknownType;
        case PG_QUERY__A__CONST__VAL_IVAL:
          return "integer";
        case PG_QUERY__A__CONST__VAL_FVAL:
          return number_literal_type(c->fval->fval);
        case PG_QUERY__A__CONST__VAL_BOOLVAL:
          return "boolean";
        case PG_QUERY__A__CONST__VAL_BSVAL:
          return "bit";
        default:
          return "";
      }
    }
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
      const PgQuery__TypeName* type = node->type_cast->type_name;
      if (type == nullptr) return "";
      try {
        return resolution_type(canonical_type(type, "public"));
      } catch (const CanonicalError&) {
        return "";
      }
    }
    case PG_QUERY__NODE__NODE_COLUMN_REF:
      return resolution_type(column_type_of(ctx, node).value_or(""));
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      std::optional<ResolvedCall> call = resolve_call(ctx, node->func_call);
      return call ? call->result_type : "";
    }
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
      return sql_value_function_type(node->sqlvalue_function->op);
    case PG_QUERY__NODE__NODE_BOOL_EXPR:
    case PG_QUERY__NODE__NODE_NULL_TEST:
    case PG_QUERY__NODE__NODE_BOOLEAN_TEST:
      return "boolean";
    case PG_QUERY__NODE__NODE_A_EXPR: {
      if (std::optional<ResolvedCall> op = resolve_operator(ctx, node->a_expr))
        return op->result_type;
      return is_boolean_operator(node->a_expr) ? "boolean" : "";
    }
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
      return common_type_of(ctx, node->coalesce_expr->args, node->coalesce_expr->n_args);
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
      return common_type_of(ctx, node->min_max_expr->args, node->min_max_expr->n_args);
    case PG_QUERY__NODE__NODE_CASE_EXPR:
      return case_type(ctx, node->case_expr);
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR: {
      const std::string element =
          common_type_of(ctx, node->a_array_expr->elements, node->a_array_expr->n_elements);
      return element.empty() || element.find("[]") != std::string::npos ? "" : element + "[]";
    }
    default:
      return "";
  }
}

// coerce_to changing the tree under *slot: when it is done, the nodes under *slot are forgotten.
// While it runs the cache stays in use: the argument's nodes move under the new cast unchanged
// (their types still hold), the cast itself is a new node (forgotten as it is made: its memory
// may be a freed node's), and the rules normalise_node applies forget under their slot as
// always. Without the cache, coercing an operand of a long operator chain (`1+1+...+.1`)
// computed every type of the chain once per level below: quadratic, seconds for 2,000 terms.
struct TypeCacheMutation {
  TypeCacheMutation(Context& ctx, PgQuery__Node** slot) : ctx_(ctx), slot_(slot) {}
  ~TypeCacheMutation() { forget_types(ctx_, *slot_); }
  TypeCacheMutation(const TypeCacheMutation&) = delete;
  TypeCacheMutation& operator=(const TypeCacheMutation&) = delete;

 private:
  Context& ctx_;
  PgQuery__Node** slot_;
};

// Coerces *arg to `target` as PostgreSQL does where it is stored: the cast, then the rules on
// it. Where they take it away again (a literal that means the same untyped, a varchar column
// meeting text), the text stays as it was; false then. The argument's own nodes move under the
// cast (never copied): the column types of a query are looked up by node.
//
// Whether the text changed is decided by shape where it can be: deparsing goes through
// protobuf-c, quadratic in the depth, and two deparses of an operand that is a long operator
// chain took seconds (fuzz/regressions/sql_loader). The argument still directly under the new
// cast prints with one cast more: changed. Otherwise the texts are compared, for an argument of
// up to kTextCompareNodes nodes; a larger one (the cast replaced or dropped by a rule) counts
// as changed, which at worst repeats coerce_tree's bounded loop.
constexpr size_t kTextCompareNodes = 256;
bool coerce_to(Context& ctx, PgQuery__Node** arg, const std::string& target) {
  if (target.empty() || expression_type(ctx, *arg) == target) return false;
  TypeCacheMutation mutation(ctx, arg);
  PgQuery__Node* const original = *arg;
  size_t nodes = 0;
  parse_tree::visit_nodes(&original->base, [&](const PgQuery__Node*) { ++nodes; });
  const bool compare_text = nodes <= kTextCompareNodes;
  const std::string before = compare_text ? parse_tree::deparse_expression(original) : "";
  *arg = make_cast_to(original, cast_type_sql(target));
  ctx.type_cache.erase(*arg);
  normalise_node(ctx, arg);
  if ((*arg)->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && (*arg)->type_cast->arg == original)
    return true;
  return !compare_text || parse_tree::deparse_expression(*arg) != before;
}

// Coerces every one of `nodes` to their common type (select_common_type), when all types are
// known.
bool coerce_to_common_type(Context& ctx, PgQuery__Node** nodes, size_t count) {
  const std::string common = common_type_of(ctx, nodes, count);
  if (common.empty()) return false;
  bool changed = false;
  for (size_t i = 0; i < count; ++i) changed = coerce_to(ctx, &nodes[i], common) || changed;
  return changed;
}

}  // namespace

bool coerce_function_arguments(Context& ctx, PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  // SQL-syntax calls (TRIM, SUBSTRING ... FROM, AT TIME ZONE, ...) are printed without their
  // arguments' implicit coercions: nothing to write there.
  if (node->node_case != PG_QUERY__NODE__NODE_FUNC_CALL || node->func_call->agg_star ||
      node->func_call->funcformat == PG_QUERY__COERCION_FORM__COERCE_SQL_SYNTAX) {
    return false;
  }
  PgQuery__FuncCall* call = node->func_call;
  std::optional<ResolvedCall> resolved = resolve_call(ctx, call);
  if (!resolved) return false;
  bool changed = false;
  for (size_t i = 0; i < call->n_args; ++i)
    changed = coerce_to(ctx, &call->args[i], resolved->argument_types[i]) || changed;
  return changed;
}

bool coerce_operator_operands(Context& ctx, PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  if (node->node_case != PG_QUERY__NODE__NODE_A_EXPR) return false;
  PgQuery__AExpr* expr = node->a_expr;
  std::optional<ResolvedCall> resolved = resolve_operator(ctx, expr);
  if (!resolved) return false;
  std::vector<PgQuery__Node**> operands;
  if (expr->lexpr != nullptr) operands.push_back(&expr->lexpr);
  operands.push_back(&expr->rexpr);
  bool changed = false;
  for (size_t i = 0; i < operands.size(); ++i) {
    // An untyped literal takes the operator's type without a cast here: facing a column or a
    // typed expression its cast is what rule 5b drops again (`d > '2020-01-01'`).
    if (expression_type(ctx, *operands[i]) == kUnknownType) continue;
    changed = coerce_to(ctx, operands[i], resolved->argument_types[i]) || changed;
  }
  return changed;
}

bool coerce_to_common_types(Context& ctx, PgQuery__Node** slot) {
  PgQuery__Node* node = *slot;
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
      return coerce_to_common_type(ctx, node->coalesce_expr->args, node->coalesce_expr->n_args);
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
      return coerce_to_common_type(ctx, node->min_max_expr->args, node->min_max_expr->n_args);
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
      return coerce_to_common_type(ctx, node->a_array_expr->elements,
                                   node->a_array_expr->n_elements);
    case PG_QUERY__NODE__NODE_CASE_EXPR: {
      const std::string common = case_type(ctx, node->case_expr);
      if (common.empty()) return false;
      bool changed = false;
      for (PgQuery__Node** result : case_results(node->case_expr))
        changed = coerce_to(ctx, result, common) || changed;
      return changed;
    }
    default:
      return false;
  }
}

void coerce_tree(Context& ctx, PgQuery__Node** slot) {
  TypeCacheScope cache(ctx);
  const bool subquery = (*slot)->node_case == PG_QUERY__NODE__NODE_SELECT_STMT;
  if (subquery) ++ctx.subquery_depth;
  parse_tree::walk_children(&(*slot)->base,
                            [&](PgQuery__Node** child) { coerce_tree(ctx, child); });
  if (subquery) --ctx.subquery_depth;
  for (int guard = 0;
       guard < 10 && (coerce_function_arguments(ctx, slot) || coerce_operator_operands(ctx, slot) ||
                      coerce_to_common_types(ctx, slot));
       ++guard) {
  }
}

void normalise_tree(Context& ctx, PgQuery__Node** slot) {
  coerce_tree(ctx, slot);
  normalise_node(ctx, slot);
}

}  // namespace pgdrift::schema::canon
