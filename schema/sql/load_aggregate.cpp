// CREATE [OR REPLACE] AGGREGATE, new and old syntax. Options are stored as pg_aggregate holds
// them (CREATE AGGREGATE's reference page): FINALFUNC_MODIFY defaults to READ_ONLY, or
// READ_WRITE for an ordered-set aggregate; PARALLEL to UNSAFE; support functions are resolved
// by routine_name (tree_read.h).

#include "schema/canonical.h"
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

FunctionArgument aggregate_argument(LoadContext& ctx, const PgQuery__FunctionParameter* p) {
  FunctionArgument arg;
  if (p->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_VARIADIC)
    arg.mode = "VARIADIC";
  else if (p->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT ||
           p->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_INOUT ||
           p->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE)
    ctx.fail(p->arg_type ? p->arg_type->location : -1, "aggregates cannot have output arguments");
  arg.name = p->name ? p->name : "";
  arg.type = located_canonical_type(ctx, p->arg_type);
  return arg;
}

// The new syntax's argument list: (List of FunctionParameter, Integer number of direct
// arguments or -1 for a normal aggregate), as gram.y builds it for aggr_args.
void read_arguments(LoadContext& ctx, const PgQuery__DefineStmt* stmt, Aggregate& a) {
  if (stmt->n_args != 2) ctx.fail(-1, "aggregate argument list not understood");
  const PgQuery__Node* params = stmt->args[0];
  const PgQuery__Node* direct = stmt->args[1];
  if (params && params->node_case == PG_QUERY__NODE__NODE_LIST)
    for (size_t i = 0; i < params->list->n_items; ++i)
      if (params->list->items[i]->node_case == PG_QUERY__NODE__NODE_FUNCTION_PARAMETER)
        a.arguments.push_back(aggregate_argument(ctx, params->list->items[i]->function_parameter));
  int direct_count =
      direct && direct->node_case == PG_QUERY__NODE__NODE_INTEGER ? direct->integer->ival : -1;
  if (direct_count >= 0) {
    a.kind = "ordered_set";
    a.direct_arguments = direct_count;
    // `(VARIADIC "any" ORDER BY VARIADIC "any")` is folded by the grammar into fewer
    // arguments than it lists; its catalog form is not modelled.
    for (const auto& arg : a.arguments)
      if (arg.mode == "VARIADIC")
        ctx.unsupported(-1, "VARIADIC argument of an ordered-set aggregate");
  }
}

std::string name_text(const PgQuery__DefElem* d) {
  std::vector<std::string> parts = object_name_parts(d->arg);
  return parts.empty() ? defelem_string(d) : parts.back();
}

// PostgreSQL's spelling of FINALFUNC_MODIFY / MFINALFUNC_MODIFY.
std::string final_modify(LoadContext& ctx, const PgQuery__DefElem* d) {
  std::string value = lower(name_text(d));
  if (value == "read_only") return "READ_ONLY";
  if (value == "shareable") return "SHAREABLE";
  if (value == "read_write") return "READ_WRITE";
  ctx.fail(d->location, std::string("parameter \"") + d->defname +
                            "\" must be READ_ONLY, SHAREABLE, or READ_WRITE");
}

// SORTOP = op: the operator as the model stores it ("<", "OPERATOR(public.<)").
std::string sort_operator(const PgQuery__DefElem* d) {
  std::vector<std::string> parts = object_name_parts(d->arg);
  if (parts.empty()) return defelem_string(d);
  if (parts.size() == 1 || parts[parts.size() - 2] == "pg_catalog") return parts.back();
  return "OPERATOR(" + quote_ident(parts[parts.size() - 2]) + "." + parts.back() + ")";
}

std::optional<std::string> initial_condition(const PgQuery__DefElem* d) {
  return defelem_string(d);
}

}  // namespace

void load_create_aggregate(LoadContext& ctx, const PgQuery__DefineStmt* stmt) {
  Aggregate a;
  auto name = qualified_name(ctx, stmt->defnames, stmt->n_defnames);
  a.schema = name.schema;
  a.name = name.name;
  a.location = ctx.location_at(-1);
  if (!stmt->oldstyle) read_arguments(ctx, stmt, a);

  bool final_modify_given = false, moving_final_modify_given = false, hypothetical = false;
  for (size_t i = 0; i < stmt->n_definition; ++i) {
    if (stmt->definition[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = stmt->definition[i]->def_elem;
    const std::string option = lower(d->defname);
    auto routine = [&] { return routine_name(ctx, object_name_parts(d->arg)); };
    auto type = [&] {
      if (!d->arg || d->arg->node_case != PG_QUERY__NODE__NODE_TYPE_NAME)
        ctx.fail(d->location, "aggregate " + option + " must be a type name");
      return located_canonical_type(ctx, d->arg->type_name);
    };
    if (option == "sfunc" || option == "sfunc1")
      a.state_function = routine();
    else if (option == "stype" || option == "stype1")
      a.state_type = type();
    else if (option == "sspace")
      a.state_space = def_int(ctx, d);
    else if (option == "finalfunc")
      a.final_function = routine();
    else if (option == "finalfunc_extra")
      a.final_extra = defelem_bool(d);
    else if (option == "finalfunc_modify") {
      a.final_modify = final_modify(ctx, d);
      final_modify_given = true;
    } else if (option == "combinefunc")
      a.combine_function = routine();
    else if (option == "serialfunc")
      a.serial_function = routine();
    else if (option == "deserialfunc")
      a.deserial_function = routine();
    else if (option == "initcond" || option == "initcond1")
      a.initial_condition = initial_condition(d);
    else if (option == "msfunc")
      a.moving_state_function = routine();
    else if (option == "minvfunc")
      a.moving_inverse_function = routine();
    else if (option == "mstype")
      a.moving_state_type = type();
    else if (option == "msspace")
      a.moving_state_space = def_int(ctx, d);
    else if (option == "mfinalfunc")
      a.moving_final_function = routine();
    else if (option == "mfinalfunc_extra")
      a.moving_final_extra = defelem_bool(d);
    else if (option == "mfinalfunc_modify") {
      a.moving_final_modify = final_modify(ctx, d);
      moving_final_modify_given = true;
    } else if (option == "minitcond")
      a.moving_initial_condition = initial_condition(d);
    else if (option == "sortop")
      a.sort_operator = sort_operator(d);
    else if (option == "parallel") {
      a.parallel = upper(name_text(d));
      if (a.parallel != "SAFE" && a.parallel != "RESTRICTED" && a.parallel != "UNSAFE")
        ctx.fail(d->location, "parameter \"parallel\" must be SAFE, RESTRICTED, or UNSAFE");
    } else if (option == "hypothetical")
      hypothetical = defelem_bool(d);
    else if (option == "basetype" && stmt->oldstyle) {
      // Old syntax: BASETYPE = "ANY" is an aggregate of no arguments (count(*)).
      if (lower(name_text(d)) != "any") a.arguments.push_back({"IN", "", type(), std::nullopt});
    } else
      ctx.unsupported(d->location, "aggregate attribute \"" + option + "\"");
  }
  if (a.state_type.empty()) ctx.fail(-1, "aggregate stype must be specified");
  if (a.state_function.empty()) ctx.fail(-1, "aggregate sfunc must be specified");
  if (hypothetical) {
    if (a.kind != "ordered_set") ctx.fail(-1, "only ordered-set aggregates can be hypothetical");
    a.kind = "hypothetical";
  }
  if (a.moving_state_function.empty() != a.moving_state_type.empty())
    ctx.fail(-1, "aggregate msfunc and mstype must be specified together");
  // The defaults PostgreSQL stores (pg_aggregate.aggfinalmodify / aggmfinalmodify).
  const std::string default_modify = a.kind == "normal" ? "READ_ONLY" : "READ_WRITE";
  if (!final_modify_given) a.final_modify = default_modify;
  if (!moving_final_modify_given) a.moving_final_modify = default_modify;

  const std::string key = aggregate_key(a);
  for (const auto& [fkey, f] : ctx.model.functions)
    if (f.schema == a.schema && f.name == a.name && f.identity_arguments() == a.argument_types())
      ctx.fail(-1, "function \"" + a.name + "\" already exists with same argument types");
  auto existing = ctx.model.aggregates.find(key);
  if (existing != ctx.model.aggregates.end()) {
    if (!stmt->replace)
      ctx.fail(-1, "function \"" + a.name + "\" already exists with same argument types");
    // OR REPLACE keeps privileges and the comment, as PostgreSQL does.
    a.grants = existing->second.grants;
    a.comment = existing->second.comment;
  }
  ctx.model.aggregates[key] = a;
}

}  // namespace pgdrift::schema::sql
