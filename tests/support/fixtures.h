// Paths of the test fixtures checked into the repository, and reading SQL and files in tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "schema/model.h"

namespace pgdrift::testing {

// PGDRIFT_SOURCE_DIR "/fixtures/" + relative.
std::string fixture_path(const std::string& relative);

// The money columns of the MITA fixture as (table, column) in schema public: float in some
// migrations, numeric(12,2) once chain one fixed them.
const std::vector<std::pair<std::string, std::string>>& mita_money_columns();

// The model of `sql` as the SQL loader reads it (warnings dropped), named `filename` in
// locations.
schema::Model load_sql_text(const std::string& sql, const std::string& filename = "test.sql");

// The whole file, or "" when it cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace pgdrift::testing
