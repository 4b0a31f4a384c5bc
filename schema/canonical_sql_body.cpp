// SQL-standard function bodies (`RETURN expr`, `BEGIN ATOMIC ... END`): the same text -> tree ->
// normalised tree -> text path as expressions and queries, after a name resolution that puts
// parameter and column references in the form pg_get_function_sqlbody prints them.
//
// PostgreSQL stores the analysed body (prosqlbody) and prints it back with every reference
// resolved: a parameter by name (`$n` only when unnamed), qualified with the function name
// when the statement reads any relation (`f.x`); a column qualified with its relation; an
// INSERT with its column list; SELECT * expanded. The resolution below rewrites the loader's
// tree into that form with the model's columns and the function's parameters; the server's text
// goes through it unchanged (it is already resolved), and both then get the expression and query
// rules (canonical_expr_rules.cpp, canonical_expr_view.cpp). docs/canonical-form.md has the rules.
#include <pg_query/pg_query.pb-c.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schema/canonical.h"
#include "schema/canonical_expr.h"
#include "schema/model.h"
#include "schema/parse_tree.h"

namespace pgdrift::schema {

namespace {

using canon::free_node;
using canon::make_node;
using canon::make_node_array;
using canon::make_string_node;
using Columns = std::vector<std::pair<std::string, std::string>>;

const char kAtomicIndent[] = "    ";

// A FROM item (or the target of INSERT / UPDATE / DELETE) as name resolution sees it.
struct ScopeRelation {
  std::string name;  // what its columns are qualified with: the alias, else the relation name
  bool known = false;
  Columns columns;  // name, expression type ("" = unknown)
};

// One query level: whether it has a range table (PostgreSQL then qualifies parameters) and the
// relations whose columns its expressions see.
struct Level {
  bool has_rtable = false;
  std::vector<ScopeRelation> relations;
};

std::string field_name(const PgQuery__Node* field) {
  return field != nullptr && field->node_case == PG_QUERY__NODE__NODE_STRING ? field->string->sval
                                                                             : "";
}

// Resolves the parameter and column references of one body statement (or RETURN expression)
// in place, and records the type of every column reference it resolves.
class Resolver {
 public:
  explicit Resolver(const SqlBodyContext& context) : context_(context) {}

  std::map<const PgQuery__ColumnRef*, std::string> types;

  void visit(PgQuery__Node** slot) {
    PgQuery__Node* node = *slot;
    switch (node->node_case) {
      case PG_QUERY__NODE__NODE_SELECT_STMT:
        select(node->select_stmt);
        return;
      case PG_QUERY__NODE__NODE_INSERT_STMT:
        insert(node->insert_stmt);
        return;
      case PG_QUERY__NODE__NODE_UPDATE_STMT:
        update(node->update_stmt);
        return;
      case PG_QUERY__NODE__NODE_DELETE_STMT:
        remove(node->delete_stmt);
        return;
      case PG_QUERY__NODE__NODE_RETURN_STMT:
        stack_.push_back(Level{});
        if (node->return_stmt->returnval != nullptr) visit(&node->return_stmt->returnval);
        stack_.pop_back();
        return;
      case PG_QUERY__NODE__NODE_PARAM_REF:
        param_ref(slot);
        return;
      case PG_QUERY__NODE__NODE_COLUMN_REF:
        column_ref(node->column_ref);
        return;
      default:
        children(&node->base);
    }
  }

 private:
  void children(ProtobufCMessage* message) {
    parse_tree::walk_children(message, [this](PgQuery__Node** child) { visit(child); });
  }

  ScopeRelation relation_of(PgQuery__RangeVar* rv, const PgQuery__Alias* alias) const {
    ScopeRelation r;
    r.name = alias != nullptr && alias->aliasname != nullptr && alias->aliasname[0] != '\0'
                 ? alias->aliasname
                 : rv->relname;
    if (alias != nullptr && alias->n_colnames > 0) return r;  // renamed columns: unknown
    const bool qualified = rv->schemaname != nullptr && rv->schemaname[0] != '\0';
    for (auto cte = ctes_.rbegin(); !qualified && cte != ctes_.rend(); ++cte) {
      if (cte->name != rv->relname) continue;
      r.columns = cte->columns;
      r.known = cte->known;
      return r;
    }
    if (context_.relation_columns) {
      r.columns = context_.relation_columns(qualified ? rv->schemaname : "", rv->relname);
      r.known = !r.columns.empty();
    }
    if (!qualified && r.known && !context_.unqualified_schema.empty() &&
        context_.unqualified_schema != "public") {
      // An empty string may be protobuf-c's static one, which is not freed.
      if (rv->schemaname != protobuf_c_empty_string) std::free(rv->schemaname);
      rv->schemaname = strdup(context_.unqualified_schema.c_str());
    }
    return r;
  }

  // The output columns of a CTE (types unknown), when every name is known without the catalog.
  static ScopeRelation cte_relation(const PgQuery__CommonTableExpr* cte) {
    ScopeRelation r;
    r.name = cte->ctename;
    if (cte->n_aliascolnames > 0) {
      for (const std::string& name :
           parse_tree::string_list(cte->aliascolnames, cte->n_aliascolnames))
        r.columns.emplace_back(name, "");
      r.known = true;
      return r;
    }
    if (cte->ctequery == nullptr || cte->ctequery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
      return r;
    const PgQuery__SelectStmt* select = cte->ctequery->select_stmt;
    while (select->larg != nullptr) select = select->larg;
    for (size_t i = 0; i < select->n_target_list; ++i) {
      const PgQuery__Node* t = select->target_list[i];
      if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET) return r;
      const PgQuery__ResTarget* res = t->res_target;
      std::string name = res->name != nullptr ? res->name : "";
      if (name.empty() && res->val != nullptr &&
          res->val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF)
        name = field_name(res->val->column_ref->fields[res->val->column_ref->n_fields - 1]);
      if (name.empty()) return ScopeRelation{cte->ctename, false, {}};
      r.columns.emplace_back(name, "");
    }
    r.known = !r.columns.empty();
    return r;
  }

  // Makes the CTEs of `with` visible (until the matching pop_ctes).
  size_t push_ctes(const PgQuery__WithClause* with) {
    const size_t mark = ctes_.size();
    if (with == nullptr) return mark;
    for (size_t i = 0; i < with->n_ctes; ++i)
      if (with->ctes[i]->node_case == PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR)
        ctes_.push_back(cte_relation(with->ctes[i]->common_table_expr));
    return mark;
  }
  void pop_ctes(size_t mark) { ctes_.resize(mark); }

  // The relations a FROM item brings into scope (both sides of a join; a sub-query or a
  // function by its alias, columns unknown).
  void add_from_item(PgQuery__Node* item, Level& level) const {
    switch (item->node_case) {
      case PG_QUERY__NODE__NODE_RANGE_VAR:
        level.relations.push_back(relation_of(item->range_var, item->range_var->alias));
        break;
      case PG_QUERY__NODE__NODE_JOIN_EXPR:
        if (item->join_expr->alias != nullptr) {
          level.relations.push_back({item->join_expr->alias->aliasname, false, {}});
          break;
        }
        if (item->join_expr->larg != nullptr) add_from_item(item->join_expr->larg, level);
        if (item->join_expr->rarg != nullptr) add_from_item(item->join_expr->rarg, level);
        break;
      case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
        const PgQuery__Alias* alias = item->range_subselect->alias;
        level.relations.push_back({alias != nullptr ? alias->aliasname : "", false, {}});
        break;
      }
      case PG_QUERY__NODE__NODE_RANGE_FUNCTION: {
        const PgQuery__Alias* alias = item->range_function->alias;
        level.relations.push_back({alias != nullptr ? alias->aliasname : "", false, {}});
        break;
      }
      default:
        level.relations.push_back({"", false, {}});
    }
  }

  void select(PgQuery__SelectStmt* s) {
    if (s->larg != nullptr || s->rarg != nullptr) {
      // A set operation: each branch is a query of its own; ORDER BY / LIMIT see its output.
      PgQuery__SelectStmt* left = s->larg;
      PgQuery__SelectStmt* right = s->rarg;
      s->larg = s->rarg = nullptr;
      stack_.push_back(Level{true, {}});
      if (left != nullptr) select(left);
      if (right != nullptr) select(right);
      children(&s->base);
      stack_.pop_back();
      s->larg = left;
      s->rarg = right;
      return;
    }
    const size_t ctes = push_ctes(s->with_clause);
    Level level;
    level.has_rtable = s->n_from_clause > 0 || s->n_values_lists > 1;
    for (size_t i = 0; i < s->n_from_clause; ++i) add_from_item(s->from_clause[i], level);
    stack_.push_back(std::move(level));
    children(&s->base);
    stack_.pop_back();
    pop_ctes(ctes);
  }

  // INSERT: the VALUES / SELECT do not see the target's columns (RETURNING and ON CONFLICT do);
  // the column list is written out as PostgreSQL prints it.
  void insert(PgQuery__InsertStmt* s) {
    const size_t ctes = push_ctes(s->with_clause);
    ScopeRelation target = relation_of(s->relation, s->relation->alias);
    add_column_list(s, target);
    type_values(s, target);
    PgQuery__Node* source = s->select_stmt;
    s->select_stmt = nullptr;
    Level level{true, {target}};
    ScopeRelation excluded = target;
    excluded.name = "excluded";
    level.relations.push_back(excluded);
    stack_.push_back(std::move(level));
    children(&s->base);
    stack_.pop_back();
    s->select_stmt = source;
    if (source != nullptr) {
      stack_.push_back(Level{true, {}});
      visit(&s->select_stmt);
      stack_.pop_back();
    }
    pop_ctes(ctes);
  }

  // `INSERT INTO t VALUES (...)` / `INSERT INTO t SELECT a, b ...` -> `INSERT INTO t (c1, c2)`:
  // the first columns of the table, as many as the source has values.
  static void add_column_list(PgQuery__InsertStmt* s, const ScopeRelation& target) {
    if (s->n_cols > 0 || !target.known || s->select_stmt == nullptr ||
        s->select_stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
      return;
    const PgQuery__SelectStmt* source = s->select_stmt->select_stmt;
    while (source->larg != nullptr) source = source->larg;
    size_t count = 0;
    if (source->n_values_lists > 0) {
      const PgQuery__Node* first = source->values_lists[0];
      if (first->node_case != PG_QUERY__NODE__NODE_LIST) return;
      count = first->list->n_items;
    } else {
      for (size_t i = 0; i < source->n_target_list; ++i) {
        const PgQuery__Node* t = source->target_list[i];
        if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET || t->res_target->val == nullptr)
          return;
        const PgQuery__Node* val = t->res_target->val;
        if (val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
            val->column_ref->fields[val->column_ref->n_fields - 1]->node_case ==
                PG_QUERY__NODE__NODE_A_STAR)
          return;  // the star's width is not known here
      }
      count = source->n_target_list;
    }
    if (count == 0 || count > target.columns.size()) return;
    s->cols = make_node_array(count);
    s->n_cols = count;
    for (size_t i = 0; i < count; ++i) {
      auto* res = canon::make_message<PgQuery__ResTarget, pg_query__res_target__init>();
      res->name = strdup(target.columns[i].first.c_str());
      res->location = -1;
      s->cols[i] = make_node();
      s->cols[i]->node_case = PG_QUERY__NODE__NODE_RES_TARGET;
      s->cols[i]->res_target = res;
    }
  }

  // The type of column `name` of `r` ("" when unknown).
  static std::string column_type(const ScopeRelation& r, const std::string& name) {
    for (const auto& [column, type] : r.columns)
      if (column == name) return type;
    return "";
  }

  // `VALUES ('x', NULL)` -> `VALUES ('x'::text, NULL::integer)`: PostgreSQL stores an untyped
  // literal given to a column as a constant of the column's type (as for a default).
  static void type_values(PgQuery__InsertStmt* s, const ScopeRelation& target) {
    if (s->select_stmt == nullptr || s->select_stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
      return;
    PgQuery__SelectStmt* source = s->select_stmt->select_stmt;
    for (size_t row = 0; row < source->n_values_lists; ++row) {
      PgQuery__Node* list = source->values_lists[row];
      if (list->node_case != PG_QUERY__NODE__NODE_LIST) continue;
      for (size_t i = 0; i < list->list->n_items && i < s->n_cols; ++i) {
        const PgQuery__Node* col = s->cols[i];
        if (col->node_case != PG_QUERY__NODE__NODE_RES_TARGET || col->res_target->name == nullptr)
          continue;
        canon::type_assigned_literal(&list->list->items[i],
                                     column_type(target, col->res_target->name));
      }
    }
  }

  void update(PgQuery__UpdateStmt* s) {
    const size_t ctes = push_ctes(s->with_clause);
    const ScopeRelation target = relation_of(s->relation, s->relation->alias);
    for (size_t i = 0; i < s->n_target_list; ++i) {
      PgQuery__Node* t = s->target_list[i];
      if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET || t->res_target->name == nullptr ||
          t->res_target->val == nullptr || t->res_target->n_indirection > 0)
        continue;
      canon::type_assigned_literal(&t->res_target->val, column_type(target, t->res_target->name));
    }
    Level level{true, {target}};
    for (size_t i = 0; i < s->n_from_clause; ++i) add_from_item(s->from_clause[i], level);
    stack_.push_back(std::move(level));
    children(&s->base);
    stack_.pop_back();
    pop_ctes(ctes);
  }

  void remove(PgQuery__DeleteStmt* s) {
    const size_t ctes = push_ctes(s->with_clause);
    Level level{true, {relation_of(s->relation, s->relation->alias)}};
    for (size_t i = 0; i < s->n_using_clause; ++i) add_from_item(s->using_clause[i], level);
    stack_.push_back(std::move(level));
    children(&s->base);
    stack_.pop_back();
    pop_ctes(ctes);
  }

  bool any_rtable() const {
    for (const Level& level : stack_)
      if (level.has_rtable) return true;
    return false;
  }

  std::optional<size_t> parameter(const std::string& name) const {
    if (name.empty()) return std::nullopt;
    for (size_t i = 0; i < context_.parameters.size(); ++i)
      if (context_.parameters[i].first == name) return i;
    return std::nullopt;
  }

  // A relation named `name` in scope, innermost first.
  const ScopeRelation* relation_named(const std::string& name) const {
    for (auto level = stack_.rbegin(); level != stack_.rend(); ++level)
      for (const ScopeRelation& r : level->relations)
        if (r.name == name) return &r;
    return nullptr;
  }

  static void set_fields(PgQuery__ColumnRef* ref, const std::vector<std::string>& names) {
    for (size_t i = 0; i < ref->n_fields; ++i) free_node(ref->fields[i]);
    std::free(ref->fields);
    ref->fields = make_node_array(names.size());
    ref->n_fields = names.size();
    for (size_t i = 0; i < names.size(); ++i) ref->fields[i] = make_string_node(names[i].c_str());
  }

  // A reference to parameter `index` as PostgreSQL prints it.
  void refer_to_parameter(PgQuery__ColumnRef* ref, size_t index) {
    const std::string& name = context_.parameters[index].first;
    if (any_rtable())
      set_fields(ref, {context_.function_name, name});
    else
      set_fields(ref, {name});
    types[ref] = context_.parameters[index].second;
  }

  // `$n` -> the parameter's name, when it has one.
  void param_ref(PgQuery__Node** slot) {
    const int number = (*slot)->param_ref->number;
    if (number < 1 || static_cast<size_t>(number) > context_.parameters.size() ||
        context_.parameters[number - 1].first.empty())
      return;
    auto* ref = canon::make_message<PgQuery__ColumnRef, pg_query__column_ref__init>();
    ref->location = -1;
    PgQuery__Node* node = make_node();
    node->node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
    node->column_ref = ref;
    canon::replace(slot, node);
    refer_to_parameter(ref, static_cast<size_t>(number - 1));
  }

  void column_ref(PgQuery__ColumnRef* ref) {
    if (ref->n_fields == 1) {
      bare_column_ref(ref);
    } else if (ref->n_fields == 2) {
      const std::string qualifier = field_name(ref->fields[0]);
      const std::string name = field_name(ref->fields[1]);
      if (name.empty()) return;  // `t.*`
      if (const ScopeRelation* r = relation_named(qualifier)) {
        for (const auto& [column, type] : r->columns)
          if (column == name) types[ref] = type;
        return;
      }
      auto index = parameter(name);
      if (qualifier == context_.function_name && index) refer_to_parameter(ref, *index);
    }
  }

  // `c`: a column of the innermost level that has one (PostgreSQL prefers columns over
  // parameters), else a parameter. Unresolved when a relation in the way has unknown columns.
  void bare_column_ref(PgQuery__ColumnRef* ref) {
    const std::string name = field_name(ref->fields[0]);
    if (name.empty()) return;  // `*`
    for (size_t depth = stack_.size(); depth-- > 0;) {
      const Level& level = stack_[depth];
      const ScopeRelation* found = nullptr;
      int matches = 0;
      bool unknown = false;
      for (const ScopeRelation& r : level.relations) {
        if (!r.known) unknown = true;
        for (const auto& [column, type] : r.columns)
          if (column == name) {
            found = &r;
            ++matches;
          }
      }
      if (matches > 1) return;  // ambiguous: PostgreSQL refuses it
      if (found != nullptr) {
        // pg_get_function_sqlbody qualifies every column; the query rules drop the qualifier
        // again in a SELECT of one relation (its own, not an outer one).
        const bool innermost = depth + 1 == stack_.size();
        if (!innermost || level.relations.size() > 1) set_fields(ref, {found->name, name});
        for (const auto& [column, type] : found->columns)
          if (column == name) types[ref] = type;
        return;
      }
      if (unknown) return;
    }
    if (auto index = parameter(name)) refer_to_parameter(ref, *index);
  }

  const SqlBodyContext& context_;
  std::vector<Level> stack_;
  std::vector<ScopeRelation> ctes_;  // the CTEs in scope, innermost last
};

// The name an INSERT / UPDATE / DELETE target's columns are qualified with.
std::string target_name(const PgQuery__RangeVar* rv) {
  if (rv->alias != nullptr && rv->alias->aliasname != nullptr && rv->alias->aliasname[0] != '\0')
    return rv->alias->aliasname;
  return rv->relname;
}

// `t.c` -> `c` in a data-modifying statement whose only relation is its target t (as the query
// rules do for a SELECT of one relation).
void strip_target_qualifiers(PgQuery__Node* stmt) {
  auto strip_all = [](const std::string& name, PgQuery__Node** items, size_t count) {
    for (size_t i = 0; i < count; ++i) canon::strip_qualifier(name, &items[i]);
  };
  auto strip_one = [](const std::string& name, PgQuery__Node** slot) {
    if (*slot != nullptr) canon::strip_qualifier(name, slot);
  };
  switch (stmt->node_case) {
    case PG_QUERY__NODE__NODE_INSERT_STMT: {
      PgQuery__InsertStmt* s = stmt->insert_stmt;
      const std::string name = target_name(s->relation);
      strip_all(name, s->returning_list, s->n_returning_list);
      if (s->on_conflict_clause != nullptr) {
        strip_all(name, s->on_conflict_clause->target_list, s->on_conflict_clause->n_target_list);
        strip_one(name, &s->on_conflict_clause->where_clause);
      }
      break;
    }
    case PG_QUERY__NODE__NODE_UPDATE_STMT: {
      PgQuery__UpdateStmt* s = stmt->update_stmt;
      if (s->n_from_clause > 0) break;
      const std::string name = target_name(s->relation);
      strip_all(name, s->target_list, s->n_target_list);
      strip_one(name, &s->where_clause);
      strip_all(name, s->returning_list, s->n_returning_list);
      break;
    }
    case PG_QUERY__NODE__NODE_DELETE_STMT: {
      PgQuery__DeleteStmt* s = stmt->delete_stmt;
      if (s->n_using_clause > 0) break;
      const std::string name = target_name(s->relation);
      strip_one(name, &s->where_clause);
      strip_all(name, s->returning_list, s->n_returning_list);
      break;
    }
    default:
      break;
  }
}

RelationColumns column_names_of(const SqlBodyContext& context) {
  return [&context](const std::string& schema, const std::string& name) {
    std::vector<std::string> names;
    if (context.relation_columns)
      for (const auto& [column, type] : context.relation_columns(schema, name))
        names.push_back(column);
    return names;
  };
}

// One statement of a BEGIN ATOMIC body (or a view's query), canonical. `star_columns`, when
// given, answers SELECT * instead of the context's relations.
std::string canonical_statement(const SqlBodyContext& context, PgQuery__Node** slot,
                                const RelationColumns* star_columns = nullptr) {
  Resolver resolver(context);
  resolver.visit(slot);
  const RelationColumns relation_columns = column_names_of(context);
  canon::Context ctx;
  ctx.resolved_column_types = &resolver.types;
  ctx.relation_columns = star_columns != nullptr ? star_columns : &relation_columns;
  canon::mark_target_casts(slot);
  canon::normalise_tree(ctx, slot);
  if ((*slot)->node_case == PG_QUERY__NODE__NODE_SELECT_STMT)
    ctx.top_with_clause = (*slot)->select_stmt->with_clause;
  canon::rename_repeated_relations(slot);
  canon::apply_view_rules_to_nested(ctx, slot);
  strip_target_qualifiers(*slot);
  // As views and expressions write them; the target of INSERT / UPDATE / DELETE is a RangeVar
  // field rather than a node, so the walk does not reach it.
  canon::unqualify_public_relations(slot);
  PgQuery__RangeVar* target = nullptr;
  if ((*slot)->node_case == PG_QUERY__NODE__NODE_INSERT_STMT)
    target = (*slot)->insert_stmt->relation;
  if ((*slot)->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT)
    target = (*slot)->update_stmt->relation;
  if ((*slot)->node_case == PG_QUERY__NODE__NODE_DELETE_STMT)
    target = (*slot)->delete_stmt->relation;
  if (target != nullptr && target->schemaname != nullptr &&
      std::strcmp(target->schemaname, "public") == 0) {
    std::free(target->schemaname);
    target->schemaname = strdup("");
  }
  return parse_tree::deparse_statement(*slot);
}

std::string canonical_return(const SqlBodyContext& context, PgQuery__Node** slot) {
  Resolver resolver(context);
  resolver.visit(slot);
  canon::Context ctx;
  ctx.resolved_column_types = &resolver.types;
  const RelationColumns relation_columns = column_names_of(context);
  ctx.relation_columns = &relation_columns;
  PgQuery__Node** value = &(*slot)->return_stmt->returnval;
  if (*value == nullptr) throw CanonicalError("RETURN without a value");
  canon::mark_target_casts(value);
  canon::normalise_tree(ctx, value);
  canon::rename_repeated_relations(value);
  canon::apply_view_rules_to_nested(ctx, value);  // its sub-SELECTs
  canon::unqualify_public_relations(value);
  return "RETURN " + parse_tree::deparse_expression(*value);
}

// The statements of a BEGIN ATOMIC body (a List holding the List of statements; an empty body
// holds an empty node).
std::vector<PgQuery__Node**> atomic_statements(PgQuery__Node* body) {
  std::vector<PgQuery__Node**> out;
  if (body->node_case != PG_QUERY__NODE__NODE_LIST || body->list->n_items != 1)
    throw CanonicalError("not a SQL-standard function body");
  PgQuery__Node* inner = body->list->items[0];
  if (inner->node_case != PG_QUERY__NODE__NODE_LIST) return out;  // BEGIN ATOMIC END
  for (size_t i = 0; i < inner->list->n_items; ++i) out.push_back(&inner->list->items[i]);
  return out;
}

std::string atomic_text(const std::vector<std::string>& statements) {
  std::string out = "BEGIN ATOMIC\n";
  for (const auto& s : statements) out += kAtomicIndent + s + ";\n";
  return out + "END";
}

// The sql_body node of `CREATE FUNCTION f() <body_sql>`, inside `tree`.
PgQuery__Node* parse_sql_body(parse_tree::ParseTree& tree, const std::string& body_sql) {
  tree = parse_tree::parse("CREATE FUNCTION f() " + body_sql);
  PgQuery__Node* stmt = parse_tree::first_statement(tree);
  if (tree->n_stmts != 1 || stmt->node_case != PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT ||
      stmt->create_function_stmt->sql_body == nullptr)
    throw CanonicalError("not a SQL-standard function body: " + body_sql);
  return stmt->create_function_stmt->sql_body;
}

}  // namespace

std::string canonical_sql_body(const PgQuery__Node* sql_body, const SqlBodyContext& context) {
  if (sql_body == nullptr) throw CanonicalError("missing function body");
  // The caller's tree is printed as it is, then takes the text path (as canonical_query does).
  if (sql_body->node_case == PG_QUERY__NODE__NODE_RETURN_STMT) {
    if (sql_body->return_stmt->returnval == nullptr) throw CanonicalError("RETURN without a value");
    return canonical_sql_body_text("RETURN " + deparse_expr(sql_body->return_stmt->returnval),
                                   context);
  }
  std::vector<std::string> statements;
  for (PgQuery__Node** stmt : atomic_statements(const_cast<PgQuery__Node*>(sql_body)))
    statements.push_back(canon::deparse_statement_safe(*stmt));
  return canonical_sql_body_text(atomic_text(statements), context);
}

std::string canonical_sql_body_text(const std::string& body_sql, const SqlBodyContext& context) {
  parse_tree::ParseTree tree;
  PgQuery__Node* body = parse_sql_body(tree, body_sql);
  if (body->node_case == PG_QUERY__NODE__NODE_RETURN_STMT)
    return canonical_return(context, &tree->stmts[0]->stmt->create_function_stmt->sql_body);
  std::vector<std::string> statements;
  for (PgQuery__Node** stmt : atomic_statements(body))
    statements.push_back(canonical_statement(context, stmt));
  return atomic_text(statements);
}

std::string sql_body_as_string_body(const std::string& canonical_body) {
  parse_tree::ParseTree tree;
  PgQuery__Node* body = parse_sql_body(tree, canonical_body);
  if (body->node_case == PG_QUERY__NODE__NODE_RETURN_STMT)
    return "SELECT " + parse_tree::deparse_expression(body->return_stmt->returnval);
  std::string out;
  for (PgQuery__Node** stmt : atomic_statements(body))
    out += (out.empty() ? "" : "; ") + parse_tree::deparse_statement(*stmt);
  return out;
}

std::string canonical_query(const PgQuery__Node* select_stmt, const SqlBodyContext& relations,
                            const RelationColumns& relation_columns) {
  if (select_stmt == nullptr) throw CanonicalError("missing query");
  return canonical_query_text(canon::deparse_statement_safe(select_stmt), relations,
                              &relation_columns);
}

std::string canonical_query_text(const std::string& query_sql, const SqlBodyContext& relations,
                                 const RelationColumns* relation_columns) {
  auto tree = parse_tree::parse(query_sql);
  PgQuery__Node** slot = &tree->stmts[0]->stmt;
  if (tree->n_stmts != 1 || (*slot)->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
    throw CanonicalError("not a single SELECT: " + query_sql);
  }
  return canonical_statement(relations, slot, relation_columns);
}

SqlBodyContext relations_context(const Model& model, const std::string& default_schema) {
  SqlBodyContext context;
  context.unqualified_schema = default_schema;
  context.relation_columns = [&model, default_schema](const std::string& schema,
                                                      const std::string& name) {
    Columns columns;
    auto table = model.tables.find(qualified_key(schema.empty() ? default_schema : schema, name));
    if (table == model.tables.end()) return columns;
    for (const Column& c : table->second.columns)
      columns.emplace_back(c.name, expression_type(model, c.type));
    return columns;
  };
  return context;
}

SqlBodyContext sql_body_context(const Model& model, const Function& function,
                                const std::string& default_schema) {
  SqlBodyContext context = relations_context(model, default_schema);
  context.function_name = function.name;
  for (const FunctionArgument& a : function.arguments)
    if (a.mode == "IN" || a.mode == "INOUT" || a.mode == "VARIADIC")
      context.parameters.emplace_back(a.name, expression_type(model, a.type));
  return context;
}

}  // namespace pgdrift::schema
