#include "planner/object_sql.h"

#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using schema::quote_ident;

namespace {

bool is_view(const std::string& kind) { return kind == "view" || kind == "materialized_view"; }

const schema::Function* function_of(const engine::ObjectRef& o, const schema::Model& model) {
  auto it = model.functions.find(o.key);
  return it == model.functions.end() ? nullptr : &it->second;
}

const schema::Aggregate* aggregate_of(const engine::ObjectRef& o, const schema::Model& model) {
  auto it = model.aggregates.find(o.key);
  return it == model.aggregates.end() ? nullptr : &it->second;
}

}  // namespace

std::string comment_target(const engine::ObjectRef& o, const schema::Model& model) {
  if (o.is_member()) {
    if (o.kind == "column") return "COLUMN " + o.name;
    if (o.kind == "index") return "INDEX " + o.name;
    if (o.owner_kind == "domain")
      return "CONSTRAINT " + quote_ident(o.member) + " ON DOMAIN " + o.key;
    // constraint, trigger, policy
    std::string word = o.kind == "constraint" ? "CONSTRAINT "
                       : o.kind == "trigger"  ? "TRIGGER "
                                              : "POLICY ";
    return word + quote_ident(o.member) + " ON " + o.key;
  }
  if (o.kind == "schema") return "SCHEMA " + quote_ident(o.key);
  if (o.kind == "extension") return "EXTENSION " + quote_ident(o.key);
  if (o.kind == "view") return "VIEW " + o.key;
  if (o.kind == "materialized_view") return "MATERIALIZED VIEW " + o.key;
  if (o.kind == "enum" || o.kind == "composite_type") return "TYPE " + o.key;
  if (o.kind == "domain") return "DOMAIN " + o.key;
  if (o.kind == "sequence") return "SEQUENCE " + o.key;
  if (o.kind == "collation") return "COLLATION " + o.key;
  if (o.kind == "aggregate") {
    const schema::Aggregate* a = aggregate_of(o, model);
    return a ? schema::aggregate_what(*a) : "AGGREGATE " + o.key;
  }
  if (o.kind == "function" || o.kind == "procedure") {
    const schema::Function* f = function_of(o, model);
    std::string word = o.kind == "procedure" ? "PROCEDURE " : "FUNCTION ";
    if (!f) return word + o.key;
    return word + schema::quote_qualified(f->schema, f->name) + "(" + f->identity_arguments() + ")";
  }
  return "TABLE " + o.key;
}

std::string grant_target(const engine::ObjectRef& o, const schema::Model& model) {
  if (o.is_member() || is_view(o.kind)) return "TABLE " + o.key;  // column privileges too
  if (o.kind == "aggregate") {
    const schema::Aggregate* a = aggregate_of(o, model);
    if (a) return schema::aggregate_grant_what(*a);
  }
  return comment_target(o, model);
}

std::string dependency_key(const engine::ObjectRef& o, const schema::Model& model) {
  if (o.is_member()) {
    if (is_view(o.owner_kind) && o.kind == "column") return "view:" + o.key;
    if (o.owner_kind == "domain") return "type:" + o.key;
    return o.kind + ":" + o.name;  // column:, constraint:, index:, trigger:, policy:
  }
  if (o.kind == "schema") return "schema:" + quote_ident(o.key);
  if (o.kind == "extension") return "extension:" + o.key;
  if (is_view(o.kind)) return "view:" + o.key;
  if (o.kind == "enum" || o.kind == "composite_type" || o.kind == "domain") return "type:" + o.key;
  if (o.kind == "sequence") return "sequence:" + o.key;
  if (o.kind == "collation") return "collation:" + o.key;
  if (o.kind == "aggregate") {
    const schema::Aggregate* a = aggregate_of(o, model);
    return "aggregate:" + (a ? schema::quote_qualified(a->schema, a->name) : o.key);
  }
  if (o.kind == "function" || o.kind == "procedure") {
    const schema::Function* f = function_of(o, model);
    return "function:" + (f ? schema::quote_qualified(f->schema, f->name) : o.key);
  }
  return "table:" + o.key;
}

}  // namespace pgdrift::planner
