// The resolutions file reader (engine/reconcile.h, docs/reconcile.md "Resolving conflicts"):
// text (`key = take NAME | sql: DDL | omit`) or JSON -> Resolution entries.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/reconcile.h"
#include "schema/json.h"
#include "schema/text.h"

namespace pgdrift::engine {

namespace {}  // namespace

std::vector<Resolution> parse_resolutions(const std::string& text, const std::string& filename) {
  std::vector<Resolution> out;
  std::string first = schema::trim(text);
  if (!first.empty() && first[0] == '{') {
    nlohmann::json json;
    try {
      json = schema::parse_json_text(text, filename);
    } catch (const std::runtime_error& e) {
      throw ReconcileError(e.what());  // "file:line:column: ..."
    }
    for (const auto& [key, value] : json.items()) {
      Resolution r;
      r.key = key;
      r.where = filename + ": " + key;
      if (value.is_string()) {
        r.take = value.get<std::string>();
      } else if (value.is_object() && value.contains("take") && value["take"].is_string()) {
        r.take = value["take"].get<std::string>();
      } else if (value.is_object() && value.contains("sql") && value["sql"].is_string()) {
        r.sql = value["sql"].get<std::string>();
      } else if (value.is_object() && value.value("omit", false)) {
        r.omit = true;
      } else {
        throw ReconcileError(r.where +
                             ": expected \"history\", {\"take\": ...}, {\"sql\": ...} or "
                             "{\"omit\": true}");
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string t = schema::trim(line);
    if (t.empty() || t[0] == '#') continue;
    Resolution r;
    r.where = filename + ":" + std::to_string(number);
    // The key may contain spaces ("public.t constraint c"): split at " = ".
    auto eq = t.find(" = ");
    if (eq == std::string::npos)
      throw ReconcileError(r.where + ": expected `key = take NAME | sql: DDL | omit`");
    r.key = schema::trim(t.substr(0, eq));
    std::string action = schema::trim(t.substr(eq + 3));
    if (action.starts_with("take ")) {
      r.take = schema::trim(action.substr(5));
    } else if (action.starts_with("sql:")) {
      r.sql = schema::trim(action.substr(4));
    } else if (action == "omit") {
      r.omit = true;
    } else {
      throw ReconcileError(r.where + ": expected `take NAME`, `sql: DDL` or `omit`, got `" +
                           action + "`");
    }
    if (r.key.empty() || (r.take.empty() && r.sql.empty() && !r.omit))
      throw ReconcileError(r.where + ": empty key or action");
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Resolution> load_resolutions_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReconcileError(path + ": cannot read resolutions file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_resolutions(buffer.str(), path);
}

}  // namespace pgdrift::engine
