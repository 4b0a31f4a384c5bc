// Helpers shared by the tests that run the pgdrift binary and check its JSON against the
// published JSON Schemas (docs/schemas/): the binary itself and python3-jsonschema as the
// validator (temporary directories: tests/support/temp_dir.h).
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {

// The built pgdrift binary run with `args`.
CommandOutput run_pgdrift(std::vector<std::string> args);

// stdout of `r` as JSON; a test failure (with stdout and stderr) and {} when it is not JSON.
nlohmann::json parse_json_output(const CommandOutput& r);

// ---- JSON Schema validation ------------------------------------------------------------
// A python3 that has jsonschema with draft 2020-12 support (Debian python3-jsonschema), or ""
// (tests then GTEST_SKIP with kNoJsonschema).
std::string python_with_jsonschema();
extern const char* const kNoJsonschema;

// docs/schemas/<name> in the source tree.
std::string schema_path(const std::string& name);

// The values of the "enum" of a schema part.
std::set<std::string> enum_of(const nlohmann::json& schema_part);

// The python validator validate_json runs: `python -c kJsonSchemaValidator SCHEMA DOC...`; it
// exits 3 when SCHEMA is not a valid draft 2020-12 schema.
extern const char* const kJsonSchemaValidator;

// One line per document: "valid", or "invalid" followed by every error as
// " | <json path>: <message>" ($ for the root). Adds a test failure when the schema itself is
// not a valid draft 2020-12 schema.
std::vector<std::string> validate_json(const std::string& python, const std::string& schema_file,
                                       const std::vector<nlohmann::json>& documents);

// A broken copy of a good document and the JSON path the validator must name.
struct JsonMutation {
  std::string what, where;
  std::function<void(nlohmann::json&)> mutate;
};
// Every mutation of `good` must be invalid, with an error at its `where`.
void expect_rejected(const std::string& python, const std::string& schema_file,
                     const nlohmann::json& good, const std::vector<JsonMutation>& mutations);

}  // namespace pgdrift::testing
