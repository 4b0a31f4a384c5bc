// Volatility of an expression from the functions it calls (planner/volatility.h).
#include "planner/volatility.h"

#include <pg_query.h>

#include <nlohmann/json.hpp>
#include <vector>

namespace pgdrift::planner {

namespace {

struct FunctionName {
  std::string schema;  // empty = unqualified
  std::string name;
};

// Every FuncCall of the raw parse tree (operators are A_Expr nodes, casts TypeCast nodes).
void collect_calls(const nlohmann::json& node, std::vector<FunctionName>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "FuncCall" && value.contains("funcname")) {
        std::vector<std::string> parts;
        for (const auto& part : value["funcname"])
          if (part.contains("String")) parts.push_back(part["String"].value("sval", ""));
        if (parts.size() == 1) out.push_back({"", parts[0]});
        if (parts.size() >= 2) out.push_back({parts[parts.size() - 2], parts.back()});
      }
      collect_calls(value, out);
    }
  } else if (node.is_array()) {
    for (const auto& v : node) collect_calls(v, out);
  }
}

// Volatile built-ins that column defaults call (the catalog has more; any name missing from the
// non-volatile list counts as volatile anyway). Listed so that a model function of the same name
// does not hide them: pg_catalog comes first on the search path.
bool known_volatile_builtin(const std::string& name) {
  for (const char* v : {"clock_timestamp", "random", "gen_random_uuid", "nextval", "currval",
                        "lastval", "setval", "timeofday", "setseed"})
    if (name == v) return true;
  return false;
}

bool call_is_volatile(const FunctionName& call, const schema::Model& model) {
  // Model functions with this name (in the call's schema when it is qualified).
  bool in_model = false;
  for (const auto& [key, f] : model.functions) {
    if (f.name != call.name || (!call.schema.empty() && f.schema != call.schema)) continue;
    in_model = true;
    if (f.volatility == "VOLATILE") return true;
  }
  if (call.schema.empty() || call.schema == "pg_catalog") {
    // pg_catalog is searched first: a built-in of the same name may be the one called.
    if (known_volatile_builtin(call.name)) return true;
    if (is_non_volatile_builtin(call.name)) return false;
  }
  return !in_model;
}

}  // namespace

bool is_volatile_expr(const std::string& expr, const schema::Model& model) {
  std::vector<FunctionName> calls;
  PgQueryParseResult result = pg_query_parse(("SELECT (" + expr + ")").c_str());
  bool parsed = !result.error && result.parse_tree;
  if (parsed) {
    try {
      collect_calls(nlohmann::json::parse(result.parse_tree), calls);
    } catch (const std::exception&) {
      parsed = false;
    }
  }
  pg_query_free_parse_result(result);
  if (!parsed) return true;
  for (const auto& call : calls)
    if (call_is_volatile(call, model)) return true;
  return false;
}

}  // namespace pgdrift::planner
