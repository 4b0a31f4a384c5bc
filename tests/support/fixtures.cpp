#include "tests/support/fixtures.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "schema/sql/loader.h"

namespace pgdrift::testing {

std::string fixture_path(const std::string& relative) {
  return std::string(PGDRIFT_SOURCE_DIR) + "/fixtures/" + relative;
}

const std::vector<std::pair<std::string, std::string>>& mita_money_columns() {
  static const std::vector<std::pair<std::string, std::string>> columns = {
      {"expenses", "amount"},     {"transactions", "amount"}, {"subscriptions", "price"},
      {"users", "annual_income"}, {"goals", "target_amount"}, {"goals", "current_amount"}};
  return columns;
}

schema::Model load_sql_text(const std::string& sql, const std::string& filename) {
  schema::Model model;
  std::vector<schema::sql::LoadWarning> warnings;
  schema::sql::apply_sql(model, sql, filename, {}, warnings);
  return model;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace pgdrift::testing
