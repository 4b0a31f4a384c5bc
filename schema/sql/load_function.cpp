// CREATE [OR REPLACE] FUNCTION / PROCEDURE and ALTER FUNCTION / PROCEDURE / ROUTINE.
// The return type is rendered exactly as pg_get_function_result prints it, cost and rows are
// stored as 0 when they equal the default PostgreSQL would pick, and the body is prosrc, or the
// canonical SQL-standard body (canonical_sql_body).

#include <cctype>
#include <cstring>

#include "schema/canonical.h"
#include "schema/parse_tree.h"
#include "schema/pg_builtins.h"
#include "schema/sql/load_context.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace {

std::string parameter_mode(PgQuery__FunctionParameterMode mode) {
  switch (mode) {
    case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT:
      return "OUT";
    case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_INOUT:
      return "INOUT";
    case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_VARIADIC:
      return "VARIADIC";
    case PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE:
      return "TABLE";
    default:
      return "IN";
  }
}

// The value text of `SET name = args` as proconfig stores it (flatten_set_variable_args).
std::string setting_value(LoadContext& ctx, const PgQuery__VariableSetStmt* set) {
  std::string value;
  std::string name = set->name;
  for (size_t i = 0; i < set->n_args; ++i) {
    const PgQuery__Node* arg = set->args[i];
    if (i > 0) value += ", ";
    if (arg->node_case != PG_QUERY__NODE__NODE_A_CONST) {
      ctx.unsupported(-1, "SET " + name + " with a non-constant value");
      continue;
    }
    const PgQuery__AConst* c = arg->a_const;
    switch (c->val_case) {
      case PG_QUERY__A__CONST__VAL_IVAL:
        value += std::to_string(c->ival->ival);
        break;
      case PG_QUERY__A__CONST__VAL_FVAL:
        value += c->fval->fval;
        break;
      case PG_QUERY__A__CONST__VAL_SVAL:
        value += is_list_quoted_setting(name) ? quote_ident(c->sval->sval) : c->sval->sval;
        break;
      case PG_QUERY__A__CONST__VAL_BOOLVAL:
        value += c->boolval->boolval ? "true" : "false";
        break;
      default:
        ctx.unsupported(-1, "SET " + name + " value");
    }
  }
  return value;
}

// proconfig stores a built-in setting under the GUC's own spelling, whatever case was written:
// `SET timezone` / `SET TIME ZONE` -> TimeZone. Only these three PostgreSQL 15 settings are
// not all lower case (select name from pg_settings where name <> lower(name)).
std::string guc_name(const std::string& written) {
  std::string lower;
  for (char ch : written) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const char* name : {"DateStyle", "IntervalStyle", "TimeZone"}) {
    std::string candidate = name;
    for (char& ch : candidate) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == candidate) return name;
  }
  return written;
}

void apply_set(LoadContext& ctx, Function& f, const PgQuery__VariableSetStmt* set) {
  std::string name = guc_name(set->name ? set->name : "");
  switch (set->kind) {
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE:
      f.config[name] = setting_value(ctx, set);
      break;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT:
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET:
      f.config.erase(name);
      break;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL:
      f.config.clear();
      break;
    default:
      ctx.unsupported(-1, "SET " + name + " FROM CURRENT");
  }
}

bool returns_set(const Function& f) {
  return f.returns.rfind("SETOF ", 0) == 0 || f.returns.rfind("TABLE(", 0) == 0;
}

double default_cost(const Function& f) {
  return (f.language == "c" || f.language == "internal") ? 1 : 100;
}

// Attributes shared by CREATE and ALTER. `written_cost`/`written_rows` are resolved against
// the defaults once the whole statement is read (the language may come after COST).
struct Attributes {
  std::optional<double> cost, rows;
};

bool apply_attribute(LoadContext& ctx, Function& f, const PgQuery__DefElem* d, Attributes& a) {
  std::string name = d->defname;
  if (name == "volatility") {
    f.volatility = upper(defelem_string(d));
  } else if (name == "strict") {
    f.strict = defelem_bool(d);
  } else if (name == "security") {
    f.security_definer = defelem_bool(d);
  } else if (name == "leakproof") {
    f.leakproof = defelem_bool(d);
  } else if (name == "parallel") {
    f.parallel = upper(defelem_string(d));
    if (f.parallel != "SAFE" && f.parallel != "RESTRICTED" && f.parallel != "UNSAFE")
      ctx.fail(d->location, "parameter \"parallel\" must be SAFE, RESTRICTED, or UNSAFE");
  } else if (name == "cost") {
    a.cost = defelem_number(d);
    if (*a.cost <= 0) ctx.fail(d->location, "COST must be positive");
  } else if (name == "rows") {
    a.rows = defelem_number(d);
    if (*a.rows <= 0) ctx.fail(d->location, "ROWS must be positive");
  } else if (name == "set") {
    if (d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT)
      apply_set(ctx, f, d->arg->variable_set_stmt);
  } else {
    return false;
  }
  return true;
}

void resolve_cost_rows(LoadContext& ctx, Function& f, const Attributes& a) {
  if (a.cost) f.cost = *a.cost == default_cost(f) ? 0 : *a.cost;
  if (a.rows) {
    if (!returns_set(f)) ctx.fail(-1, "ROWS is not applicable when function does not return a set");
    f.rows = *a.rows == 1000 ? 0 : *a.rows;
  }
}

}  // namespace

void load_create_function(LoadContext& ctx, const PgQuery__CreateFunctionStmt* stmt) {
  Function f;
  auto name = qualified_name(ctx, stmt->funcname, stmt->n_funcname);
  f.schema = name.schema;
  f.name = name.name;
  f.procedure = stmt->is_procedure;
  f.location = ctx.location_at(-1);

  std::vector<std::string> out_types, table_columns;
  for (size_t i = 0; i < stmt->n_parameters; ++i) {
    const PgQuery__FunctionParameter* p = stmt->parameters[i]->function_parameter;
    if (!p) continue;
    FunctionArgument arg;
    arg.mode = parameter_mode(p->mode);
    arg.name = p->name ? p->name : "";
    if (p->arg_type && p->arg_type->pct_type)
      ctx.unsupported(p->arg_type->location, "%TYPE in a function argument");
    arg.type = canonical_type(p->arg_type, ctx.search_schema);
    if (p->defexpr) arg.default_expr = canonical_expr(p->defexpr);
    if (arg.mode == "OUT" || arg.mode == "INOUT") out_types.push_back(arg.type);
    if (arg.mode == "TABLE") table_columns.push_back(quote_ident(arg.name) + " " + arg.type);
    f.arguments.push_back(arg);
  }

  if (!f.procedure) {
    if (!table_columns.empty()) {
      std::string joined;
      for (const auto& column : table_columns) joined += (joined.empty() ? "" : ", ") + column;
      f.returns = "TABLE(" + joined + ")";
    } else if (stmt->return_type) {
      f.returns = canonical_type(stmt->return_type, ctx.search_schema);
      // canonical_type may already render the SETOF marker of the TypeName.
      if (stmt->return_type->setof && f.returns.rfind("SETOF ", 0) != 0)
        f.returns = "SETOF " + f.returns;
    } else if (out_types.size() == 1) {
      f.returns = out_types[0];
    } else if (out_types.size() > 1) {
      f.returns = "record";
    } else {
      ctx.fail(-1, "function result type must be specified");
    }
  }

  Attributes attributes;
  bool language_given = false;
  for (size_t i = 0; i < stmt->n_options; ++i) {
    if (stmt->options[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = stmt->options[i]->def_elem;
    std::string option = d->defname;
    if (option == "language") {
      f.language = lower(defelem_string(d));
      language_given = true;
    } else if (option == "as") {
      std::vector<std::string> parts;
      if (d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_LIST)
        parts = string_list(d->arg->list->items, d->arg->list->n_items);
      // AS 'obj_file', 'link_symbol': prosrc is the link symbol (probin is not modelled).
      if (parts.size() == 2) ctx.unsupported(d->location, "AS 'obj_file', 'link_symbol'");
      if (!parts.empty()) f.body = parts.back();
    } else if (!apply_attribute(ctx, f, d, attributes)) {
      ctx.unsupported(d->location, "function option " + option);
    }
  }
  if (stmt->sql_body) {
    // SQL-standard body: prosrc is empty and prosqlbody holds the analysed body, which
    // PostgreSQL resolves against the tables already created (loaded before this statement).
    if (!language_given) f.language = "sql";
    if (f.language != "sql") ctx.fail(-1, "inline SQL function body only valid for language SQL");
    try {
      f.sql_body =
          canonical_sql_body(stmt->sql_body, sql_body_context(ctx.model, f, ctx.search_schema));
    } catch (const CanonicalError& e) {
      ctx.fail(-1, e.what());
    }
  }
  if (f.language.empty()) ctx.fail(-1, "no language specified");
  resolve_cost_rows(ctx, f, attributes);

  std::string key = function_key(f);
  auto existing = ctx.model.functions.find(key);
  if (existing != ctx.model.functions.end()) {
    if (!stmt->replace)
      ctx.fail(-1, std::string(f.procedure ? "procedure" : "function") + " \"" + f.name +
                       "\" already exists with same argument types");
    if (existing->second.procedure != f.procedure)
      ctx.fail(-1, "cannot change routine kind of \"" + f.name + "\"");
    // OR REPLACE keeps privileges and the comment, as PostgreSQL does.
    f.grants = existing->second.grants;
    f.comment = existing->second.comment;
    f.owner = existing->second.owner;
  } else {
    ctx.created(f, "FUNCTIONS", f.schema);
  }
  ctx.model.functions[key] = f;
}

void load_alter_function(LoadContext& ctx, const PgQuery__AlterFunctionStmt* stmt) {
  std::string key = find_function(ctx, stmt->func, -1);
  if (key.empty()) {
    auto name = qualified_name(ctx, stmt->func->objname, stmt->func->n_objname);
    ctx.fail(-1, "function " + name.key() + " does not exist");
  }
  Function& f = ctx.model.functions.at(key);
  Attributes attributes;
  for (size_t i = 0; i < stmt->n_actions; ++i) {
    if (stmt->actions[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const PgQuery__DefElem* d = stmt->actions[i]->def_elem;
    if (!apply_attribute(ctx, f, d, attributes))
      ctx.unsupported(d->location, std::string("ALTER FUNCTION ") + d->defname);
  }
  resolve_cost_rows(ctx, f, attributes);
}

}  // namespace pgdrift::schema::sql
