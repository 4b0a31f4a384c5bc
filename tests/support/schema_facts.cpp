#include "tests/support/schema_facts.h"

namespace pgdrift::testing {

namespace {

void add_grants(std::set<std::string>& out, const std::string& object,
                const std::vector<schema::Grant>& grants) {
  for (const auto& g : grants) {
    std::string cols;
    for (const auto& c : g.columns) cols += "," + c;
    out.insert("grant " + object + " " + g.grantee + " " + g.privilege + cols);
  }
}

void add_comment(std::set<std::string>& out, const std::string& object,
                 const std::optional<std::string>& comment) {
  if (comment) out.insert("comment " + object + " = " + *comment);
}

}  // namespace

std::set<std::string> schema_facts(const schema::Model& m) {
  std::set<std::string> out;
  for (const auto& [k, t] : m.tables) {
    out.insert("table " + k);
    add_comment(out, k, t.comment);
    add_grants(out, k, t.grants);
    for (const auto& c : t.columns) {
      out.insert("column " + k + "." + c.name);
      add_comment(out, k + "." + c.name, c.comment);
      if (c.default_expr) out.insert("default " + k + "." + c.name);
    }
    for (const auto& [n, c] : t.constraints) {
      out.insert("constraint " + k + "." + n);
      add_comment(out, "constraint " + k + "." + n, c.comment);
    }
    for (const auto& [n, i] : t.indexes) {
      out.insert("index " + k + "." + n);
      add_comment(out, "index " + k + "." + n, i.comment);
    }
    for (const auto& [n, tr] : t.triggers) out.insert("trigger " + k + "." + n);
    for (const auto& [n, p] : t.policies) out.insert("policy " + k + "." + n);
  }
  for (const auto& [k, v] : m.views) {
    out.insert("view " + k);
    add_comment(out, k, v.comment);
    add_grants(out, k, v.grants);
    for (const auto& [n, i] : v.indexes) out.insert("index " + k + "." + n);
  }
  for (const auto& [k, f] : m.functions) {
    out.insert("function " + k);
    add_comment(out, k, f.comment);
    add_grants(out, k, f.grants);
  }
  for (const auto& [k, s] : m.sequences) out.insert("sequence " + k);
  for (const auto& [k, e] : m.enums) out.insert("type " + k);
  for (const auto& [k, d] : m.domains) out.insert("domain " + k);
  return out;
}

std::vector<std::string> missing_facts(const schema::Model& source, const schema::Model& target,
                                       const schema::Model& live) {
  std::set<std::string> s = schema_facts(source), t = schema_facts(target), l = schema_facts(live);
  std::vector<std::string> out;
  for (const auto& f : s)
    if (t.count(f) && !l.count(f)) out.push_back(f);
  return out;
}

}  // namespace pgdrift::testing
