#include "schema/sql/naming.h"

#include <algorithm>

#include "schema/canonical.h"
#include "schema/parse_tree.h"
#include "schema/sql/load_context.h"

namespace pgdrift::schema::sql {

namespace {

// pg_mbcliplen for UTF-8: the longest prefix of at most `limit` bytes that does not end in
// the middle of a character.
size_t clip_utf8(const std::string& s, size_t limit) {
  if (limit >= s.size()) return s.size();
  size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

bool has_relation(const Model& model, const std::string& schema, const std::string& name) {
  // Called for every name the loader chooses, so it must not walk the whole model: objects
  // are keyed by qualified_key, so the relation itself is one lookup, and the tables of one
  // schema are a contiguous key range whose index and constraint maps are looked up by name.
  const std::string key = qualified_key(schema, name);
  if (model.tables.count(key) != 0 || model.views.count(key) != 0 ||
      model.sequences.count(key) != 0 || model.composite_types.count(key) != 0)
    return true;
  const std::string prefix = quote_ident(schema) + ".";
  for (auto it = model.tables.lower_bound(prefix);
       it != model.tables.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const Table& t = it->second;
    if (t.indexes.count(name) != 0) return true;
    // PK / UNIQUE / EXCLUDE constraints own an index of the same name.
    auto c = t.constraints.find(name);
    if (c != t.constraints.end() && c->second.kind != ConstraintKind::Check &&
        c->second.kind != ConstraintKind::ForeignKey)
      return true;
  }
  for (auto it = model.views.lower_bound(prefix);
       it != model.views.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    if (it->second.indexes.count(name) != 0) return true;
  return false;
}

// FigureColnameInternal (parser/parse_target.c): returns the strength of the guess
// (0 none, 1 weak, 2 strong) and sets `name`.
int figure_colname(const PgQuery__Node* node, std::string& name) {
  if (node == nullptr) return 0;
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
      const auto* ref = node->column_ref;
      for (size_t i = ref->n_fields; i > 0; --i) {
        const auto* f = ref->fields[i - 1];
        if (f->node_case == PG_QUERY__NODE__NODE_STRING) {
          name = f->string->sval;
          return 2;
        }
      }
      return 0;
    }
    case PG_QUERY__NODE__NODE_A_INDIRECTION: {
      const auto* ind = node->a_indirection;
      for (size_t i = ind->n_indirection; i > 0; --i) {
        const auto* f = ind->indirection[i - 1];
        if (f->node_case == PG_QUERY__NODE__NODE_STRING) {
          name = f->string->sval;
          return 2;
        }
      }
      return figure_colname(ind->arg, name);
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
      const auto* fc = node->func_call;
      if (fc->n_funcname == 0) return 0;
      const auto* last = fc->funcname[fc->n_funcname - 1];
      if (last->node_case != PG_QUERY__NODE__NODE_STRING) return 0;
      name = last->string->sval;
      return 2;
    }
    case PG_QUERY__NODE__NODE_A_EXPR:
      if (node->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF) {
        name = "nullif";
        return 2;
      }
      return 0;
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
      const auto* tc = node->type_cast;
      int strength = figure_colname(tc->arg, name);
      if (strength <= 1 && tc->type_name != nullptr && tc->type_name->n_names > 0) {
        const auto* last = tc->type_name->names[tc->type_name->n_names - 1];
        if (last->node_case == PG_QUERY__NODE__NODE_STRING) {
          name = last->string->sval;
          return 1;
        }
      }
      return strength;
    }
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
      return figure_colname(node->collate_clause->arg, name);
    case PG_QUERY__NODE__NODE_CASE_EXPR: {
      int strength = figure_colname(node->case_expr->defresult, name);
      if (strength <= 1) {
        name = "case";
        return 1;
      }
      return strength;
    }
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
      name = "array";
      return 2;
    case PG_QUERY__NODE__NODE_ROW_EXPR:
      name = "row";
      return 2;
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
      name = "coalesce";
      return 2;
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
      name = node->min_max_expr->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? "greatest" : "least";
      return 2;
    default:
      return 0;
  }
}

}  // namespace

std::string make_object_name(const std::string& name1, const std::string& name2,
                             const std::string& label) {
  size_t overhead = 0;
  size_t name1_chars = name1.size();
  size_t name2_chars = name2.size();
  if (!name2.empty()) ++overhead;
  if (!label.empty()) overhead += label.size() + 1;
  const size_t available = kMaxIdentifierBytes - overhead;
  // Truncate the longer name first, one byte at a time, exactly as makeObjectName does.
  while (name1_chars + name2_chars > available) {
    if (name1_chars > name2_chars)
      --name1_chars;
    else
      --name2_chars;
  }
  std::string result = name1.substr(0, clip_utf8(name1, name1_chars));
  if (!name2.empty()) result += "_" + name2.substr(0, clip_utf8(name2, name2_chars));
  if (!label.empty()) result += "_" + label;
  return result;
}

std::string join_name_addition(const std::vector<std::string>& names) {
  const size_t namedatalen = kMaxIdentifierBytes + 1;
  std::string buf;
  for (const auto& name : names) {
    if (!buf.empty()) buf += '_';
    buf += name.substr(0, namedatalen - 1);
    if (buf.size() >= namedatalen) break;
  }
  // The C code works in a NAMEDATALEN*2 buffer; the result is clipped by makeObjectName later.
  return buf;
}

bool relation_name_taken(const Model& model, const std::string& schema, const std::string& name) {
  return has_relation(model, schema, name);
}

bool constraint_name_taken(const Model& model, const std::string& schema, const std::string& name) {
  // Only the tables of `schema`: a contiguous key range (see has_relation).
  const std::string prefix = quote_ident(schema) + ".";
  for (auto it = model.tables.lower_bound(prefix);
       it != model.tables.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    if (it->second.constraints.count(name) != 0) return true;
  for (const auto& [key, d] : model.domains)
    if (d.schema == schema && d.checks.count(name) != 0) return true;
  return false;
}

// ---- NameRegistry ------------------------------------------------------------------------------

namespace {

std::string registry_key(const std::string& schema, const std::string& name) {
  std::string key = schema;
  key += '\0';
  key += name;
  return key;
}

bool is_relation_constraint(const Constraint& c) {
  // PK / UNIQUE / EXCLUDE constraints own an index of the same name.
  return c.kind != ConstraintKind::Check && c.kind != ConstraintKind::ForeignKey;
}

bool in_schema(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}

std::string schema_of(const char* schemaname, const std::string& search_schema) {
  return schemaname != nullptr && schemaname[0] != '\0' ? std::string(schemaname) : search_schema;
}

// ALTER TABLE subcommands that never remove or rename an index or constraint name.
bool is_additive_alter(const PgQuery__AlterTableCmd* cmd) {
  switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
      // ... USING INDEX turns (and renames) an index into the constraint.
      return cmd->def != nullptr && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
             (cmd->def->constraint->indexname == nullptr ||
              cmd->def->constraint->indexname[0] == '\0');
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetIdentity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ForceRowSecurity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
      return true;
    default:
      return false;
  }
}

// `key` and its partitions / inheritance children, transitively (ALTER TABLE recursion).
std::vector<std::string> with_descendants(const Model& model, const std::string& key) {
  std::vector<std::string> keys{key};
  for (size_t i = 0; i < keys.size(); ++i)
    for (const auto& [k, t] : model.tables)
      if ((t.partition_of == keys[i] ||
           std::find(t.inherits.begin(), t.inherits.end(), keys[i]) != t.inherits.end()) &&
          std::find(keys.begin(), keys.end(), k) == keys.end())
        keys.push_back(k);
  return keys;
}

}  // namespace

void NameRegistry::rebuild(const Model& model) {
  relation_names.clear();
  constraint_names.clear();
  for (const auto& [key, t] : model.tables) register_relation(model, key);
  for (const auto& [key, v] : model.views) register_relation(model, key);
  built = true;
}

void NameRegistry::register_relation(const Model& model, const std::string& key) {
  if (auto t = model.tables.find(key); t != model.tables.end()) {
    for (const auto& [name, index] : t->second.indexes)
      relation_names.insert(registry_key(t->second.schema, name));
    for (const auto& [name, c] : t->second.constraints) {
      constraint_names.insert(registry_key(t->second.schema, name));
      if (is_relation_constraint(c)) relation_names.insert(registry_key(t->second.schema, name));
    }
  }
  if (auto v = model.views.find(key); v != model.views.end())
    for (const auto& [name, index] : v->second.indexes)
      relation_names.insert(registry_key(v->second.schema, name));
}

void NameRegistry::begin_statement(const Model& model, const std::string& search_schema,
                                   const PgQuery__Node* stmt) {
  fast = false;
  touched.clear();
  switch (stmt->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT: {
      // Writes names only into the new table (a partition's clones of its parent's included).
      const PgQuery__RangeVar* rv = stmt->create_stmt->relation;
      touched.push_back(qualified_key(schema_of(rv->schemaname, search_schema), rv->relname));
      fast = true;
      return;
    }
    case PG_QUERY__NODE__NODE_INDEX_STMT: {
      const PgQuery__RangeVar* rv = stmt->index_stmt->relation;
      const std::string key = qualified_key(schema_of(rv->schemaname, search_schema), rv->relname);
      auto t = model.tables.find(key);
      // On a partitioned table the index cascades into the partitions.
      if (t != model.tables.end() && t->second.kind == TableKind::Partitioned) return;
      touched.push_back(key);
      fast = true;
      return;
    }
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: {
      const PgQuery__AlterTableStmt* alter = stmt->alter_table_stmt;
      if (alter->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || alter->relation == nullptr)
        return;
      const PgQuery__RangeVar* rv = alter->relation;
      const std::string key = qualified_key(schema_of(rv->schemaname, search_schema), rv->relname);
      if (model.tables.count(key) == 0) return;
      bool adds_constraint = false;
      for (size_t i = 0; i < alter->n_cmds; ++i) {
        if (alter->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD) return;
        const PgQuery__AlterTableCmd* cmd = alter->cmds[i]->alter_table_cmd;
        if (!is_additive_alter(cmd)) return;
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint ||
            cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn)
          adds_constraint = true;
      }
      // Constraints land on the table itself and, without ONLY, are cloned onto descendants.
      if (adds_constraint) touched = rv->inh ? with_descendants(model, key) : std::vector{key};
      fast = true;
      return;
    }
    case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
      // Its elements are CREATE TABLE / INDEX / ... on relations not known here.
      fast = stmt->create_schema_stmt->n_schema_elts == 0;
      return;
    case PG_QUERY__NODE__NODE_VIEW_STMT: {
      // CREATE OR REPLACE replaces a view entry, which would drop its index names.
      const PgQuery__RangeVar* rv = stmt->view_stmt->view;
      fast = model.views.count(
                 qualified_key(schema_of(rv->schemaname, search_schema), rv->relname)) == 0;
      return;
    }
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT: {
      const PgQuery__IntoClause* into = stmt->create_table_as_stmt->into;
      fast = into != nullptr && into->rel != nullptr &&
             model.views.count(qualified_key(schema_of(into->rel->schemaname, search_schema),
                                             into->rel->relname)) == 0;
      return;
    }
    // Statements whose loaders never write index or constraint names of tables or views.
    case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
    case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
    case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
    case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
    case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT:
    case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
    case PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT:
    case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
    case PG_QUERY__NODE__NODE_ALTER_FUNCTION_STMT:
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
    case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT:
    case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
    case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT:
    case PG_QUERY__NODE__NODE_GRANT_STMT:
    case PG_QUERY__NODE__NODE_COMMENT_STMT:
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
    case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT:
    case PG_QUERY__NODE__NODE_VACUUM_STMT:
    case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT:
    case PG_QUERY__NODE__NODE_SELECT_STMT:
    case PG_QUERY__NODE__NODE_INSERT_STMT:
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
    case PG_QUERY__NODE__NODE_DELETE_STMT:
    case PG_QUERY__NODE__NODE_COPY_STMT:
      fast = true;
      return;
    default:  // DROP, RENAME, anything else: slow
      return;
  }
}

void NameRegistry::end_statement(const Model& model) {
  if (!fast) {
    built = false;  // names may have been removed or renamed: rebuild on next use
  } else if (built) {
    for (const auto& key : touched) register_relation(model, key);
  }
  fast = false;
  touched.clear();
}

bool relation_name_taken(LoadContext& ctx, const std::string& schema, const std::string& name) {
  NameRegistry& reg = ctx.names;
  if (!reg.fast) return has_relation(ctx.model, schema, name);
  const Model& model = ctx.model;
  const std::string key = qualified_key(schema, name);
  if (model.tables.count(key) != 0 || model.views.count(key) != 0 ||
      model.sequences.count(key) != 0 || model.composite_types.count(key) != 0)
    return true;
  if (!reg.built) reg.rebuild(model);
  if (reg.relation_names.count(registry_key(schema, name)) != 0) return true;
  // Names the current statement added so far live only in the relations it touches.
  const std::string prefix = quote_ident(schema) + ".";
  for (const auto& touched : reg.touched) {
    if (!in_schema(touched, prefix)) continue;
    if (auto t = model.tables.find(touched); t != model.tables.end()) {
      if (t->second.indexes.count(name) != 0) return true;
      auto c = t->second.constraints.find(name);
      if (c != t->second.constraints.end() && is_relation_constraint(c->second)) return true;
    }
    if (auto v = model.views.find(touched); v != model.views.end())
      if (v->second.indexes.count(name) != 0) return true;
  }
  return false;
}

bool constraint_name_taken(LoadContext& ctx, const std::string& schema, const std::string& name) {
  NameRegistry& reg = ctx.names;
  if (!reg.fast) return constraint_name_taken(ctx.model, schema, name);
  const Model& model = ctx.model;
  if (!reg.built) reg.rebuild(model);
  if (reg.constraint_names.count(registry_key(schema, name)) != 0) return true;
  const std::string prefix = quote_ident(schema) + ".";
  for (const auto& touched : reg.touched) {
    if (!in_schema(touched, prefix)) continue;
    if (auto t = model.tables.find(touched);
        t != model.tables.end() && t->second.constraints.count(name) != 0)
      return true;
  }
  for (const auto& [key, d] : model.domains)
    if (d.schema == schema && d.checks.count(name) != 0) return true;
  return false;
}

std::string choose_relation_name(LoadContext& ctx, const std::string& schema,
                                 const std::string& name1, const std::string& name2,
                                 const std::string& label, bool is_constraint) {
  std::string modlabel = label;
  for (int pass = 1;; ++pass) {
    std::string name = make_object_name(name1, name2, modlabel);
    if (!relation_name_taken(ctx, schema, name) &&
        (!is_constraint || !constraint_name_taken(ctx, schema, name)))
      return name;
    modlabel = label + std::to_string(pass);
  }
}

std::string choose_constraint_name(LoadContext& ctx, const std::string& schema,
                                   const std::string& name1, const std::string& name2,
                                   const std::string& label,
                                   const std::vector<std::string>& others) {
  std::string modlabel = label;
  for (int pass = 1;; ++pass) {
    std::string name = make_object_name(name1, name2, modlabel);
    bool taken = std::find(others.begin(), others.end(), name) != others.end() ||
                 constraint_name_taken(ctx, schema, name);
    if (!taken) return name;
    modlabel = label + std::to_string(pass);
  }
}

std::string index_column_name(const PgQuery__IndexElem* elem) {
  if (elem->indexcolname != nullptr && elem->indexcolname[0] != '\0') return elem->indexcolname;
  if (elem->name != nullptr && elem->name[0] != '\0') return elem->name;
  std::string name;
  if (figure_colname(elem->expr, name) > 0) return name;
  return "expr";
}

std::vector<std::string> unique_index_column_names(const std::vector<std::string>& names) {
  std::vector<std::string> result;
  for (const auto& original : names) {
    std::string current = original;
    for (int i = 1; std::find(result.begin(), result.end(), current) != result.end(); ++i) {
      std::string suffix = std::to_string(i);
      current =
          original.substr(0, clip_utf8(original, kMaxIdentifierBytes - suffix.size())) + suffix;
    }
    result.push_back(current);
  }
  return result;
}

// FigureIndexColname of a canonical index expression: the index's attribute name, which is
// what PostgreSQL names a partition's copy of the index after.
std::string expression_column_name(const std::string& expr) {
  try {
    const parse_tree::ParseTree tree = parse_tree::parse("SELECT " + expr);
    const PgQuery__Node* stmt = parse_tree::first_statement(tree);
    if (stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT &&
        stmt->select_stmt->n_target_list == 1 &&
        stmt->select_stmt->target_list[0]->node_case == PG_QUERY__NODE__NODE_RES_TARGET) {
      std::string name;
      if (figure_colname(stmt->select_stmt->target_list[0]->res_target->val, name) > 0) return name;
    }
  } catch (const CanonicalError&) {
  }
  return "expr";
}

std::vector<std::string> index_key_names(const Index& index) {
  std::vector<std::string> names;
  for (const auto& key : index.keys)
    names.push_back(key.column.empty() ? expression_column_name(key.expr) : key.column);
  names.insert(names.end(), index.include.begin(), index.include.end());
  return unique_index_column_names(names);
}

CloneNameParts clone_name_parts(const Table& partition, const Index& parent_index) {
  return {partition.name, join_name_addition(index_key_names(parent_index)), "idx"};
}

CloneNameParts clone_name_parts(const Table& partition, const Constraint& c) {
  if (c.kind == ConstraintKind::PrimaryKey) return {partition.name, "", "pkey"};
  std::vector<std::string> names;
  std::string label = "key";
  if (c.kind == ConstraintKind::Exclusion) {
    label = "excl";
    for (const auto& e : c.exclusion_elements) names.push_back(e.expr);
  } else {
    names = c.columns;
  }
  names.insert(names.end(), c.include.begin(), c.include.end());
  return {partition.name, join_name_addition(unique_index_column_names(names)), label};
}

std::string expected_clone_name(const CloneNameParts& parts) {
  return make_object_name(parts.name1, parts.name2, parts.label);
}

}  // namespace pgdrift::schema::sql
