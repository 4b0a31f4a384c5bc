#include "fuzz/readers.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/ignore_rules.h"
#include "engine/reconcile.h"
#include "planner/plan.h"
#include "schema/history/history.h"
#include "schema/json.h"
#include "schema/sql/loader.h"

namespace pgdrift::fuzz {

const std::vector<std::string>& reader_names() {
  static const std::vector<std::string> names = {"sql_loader", "json_model",  "alembic",
                                                 "plan_json",  "resolutions", "ignore_rules"};
  return names;
}

std::string read_input(const std::string& reader, const std::string& input) {
  try {
    if (reader == "sql_loader") {
      schema::Model model;
      std::vector<schema::sql::LoadWarning> warnings;
      schema::sql::LoadOptions options;
      options.skip_unsupported = true;  // reach every statement kind
      schema::sql::apply_sql(model, input, "fuzz.sql", options, warnings);
    } else if (reader == "json_model") {
      schema::model_from_json(nlohmann::json::parse(input));
    } else if (reader == "alembic") {
      std::vector<std::string> enums;
      schema::history::read_alembic_text(input, "fuzz.py", enums);
    } else if (reader == "plan_json") {
      planner::read_plan_json(input, "fuzz.json");
    } else if (reader == "resolutions") {
      engine::parse_resolutions(input, "fuzz.txt");
    } else if (reader == "ignore_rules") {
      engine::parse_ignore_rules(input, "fuzz.ignore");
    } else {
      throw std::invalid_argument("unknown reader " + reader);
    }
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).rfind("unknown reader", 0) == 0) throw;
    return e.what();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace pgdrift::fuzz
