#include "schema/sql/naming.h"

#include <algorithm>

#include "schema/canonical.h"

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

std::string choose_relation_name(const Model& model, const std::string& schema,
                                 const std::string& name1, const std::string& name2,
                                 const std::string& label, bool is_constraint) {
  std::string modlabel = label;
  for (int pass = 1;; ++pass) {
    std::string name = make_object_name(name1, name2, modlabel);
    if (!relation_name_taken(model, schema, name) &&
        (!is_constraint || !constraint_name_taken(model, schema, name)))
      return name;
    modlabel = label + std::to_string(pass);
  }
}

std::string choose_constraint_name(const Model& model, const std::string& schema,
                                   const std::string& name1, const std::string& name2,
                                   const std::string& label,
                                   const std::vector<std::string>& others) {
  std::string modlabel = label;
  for (int pass = 1;; ++pass) {
    std::string name = make_object_name(name1, name2, modlabel);
    bool taken = std::find(others.begin(), others.end(), name) != others.end() ||
                 constraint_name_taken(model, schema, name);
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

}  // namespace pgdrift::schema::sql
