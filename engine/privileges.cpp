#include "engine/privileges.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "schema/canonical.h"

namespace pgdrift::engine {

namespace {

// (grantee, privilege, column, with grant option): one privilege, column grants split.
using Atom = std::tuple<std::string, std::string, std::string, bool>;

std::set<Atom> atoms_of(const std::vector<schema::Grant>& grants) {
  std::set<Atom> out;
  for (const auto& g : grants) {
    if (g.columns.empty()) out.insert({g.grantee, g.privilege, "", g.with_grant_option});
    for (const auto& c : g.columns) out.insert({g.grantee, g.privilege, c, g.with_grant_option});
  }
  return out;
}

// Column grants without the grant option are implied by the same grant with it.
bool held(const std::set<Atom>& after, const Atom& a) {
  if (after.count(a)) return true;
  const auto& [grantee, privilege, column, option] = a;
  return !option && after.count({grantee, privilege, column, true});
}

void compare(std::vector<std::string>& out, const std::string& what,
             const std::vector<schema::Grant>& before, const std::vector<schema::Grant>& after,
             const schema::Table* after_table = nullptr) {
  std::set<Atom> kept = atoms_of(after);
  for (const auto& a : atoms_of(before)) {
    const auto& [grantee, privilege, column, option] = a;
    if (held(kept, a)) continue;
    if (!column.empty() && after_table && !after_table->find_column(column)) continue;
    std::string line = "lost privilege: " + privilege;
    if (!column.empty()) line += " (" + schema::quote_ident(column) + ")";
    line += " on " + what + " to " + grantee;
    if (option) line += " WITH GRANT OPTION";
    out.push_back(line);
  }
}

template <class Map, class Compare>
void both(const Map& before, const Map& after, Compare compare_one) {
  for (const auto& [key, a] : before)
    if (auto b = after.find(key); b != after.end()) compare_one(key, a, b->second);
}

}  // namespace

std::vector<std::string> lost_privileges(const schema::Model& before, const schema::Model& after) {
  std::vector<std::string> out;
  both(before.schemas, after.schemas, [&](const std::string& k, const auto& a, const auto& b) {
    compare(out, "schema " + schema::quote_ident(k), a.grants, b.grants);
  });
  both(before.tables, after.tables, [&](const std::string& k, const auto& a, const auto& b) {
    compare(out, "table " + k, a.grants, b.grants, &b);
  });
  both(before.views, after.views, [&](const std::string& k, const auto& a, const auto& b) {
    compare(out, (b.materialized ? "materialized view " : "view ") + k, a.grants, b.grants);
  });
  both(before.sequences, after.sequences, [&](const std::string& k, const auto& a, const auto& b) {
    compare(out, "sequence " + k, a.grants, b.grants);
  });
  both(before.functions, after.functions, [&](const std::string& k, const auto& a, const auto& b) {
    compare(out, (b.procedure ? "procedure " : "function ") + k, a.grants, b.grants);
  });
  both(before.aggregates, after.aggregates,
       [&](const std::string& k, const auto& a, const auto& b) {
         compare(out, "aggregate " + k, a.grants, b.grants);
       });
  return out;
}

}  // namespace pgdrift::engine
