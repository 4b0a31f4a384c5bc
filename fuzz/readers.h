// The readers pgdrift runs on input it does not control, as one function per reader, for the
// fuzz targets (fuzz/fuzz_<reader>.cpp, libFuzzer) and for the test that replays the regression
// corpus (tests/unit/fuzz_regression_test.cpp). A reader may reject its input with an exception
// (a located error); it must never crash, hang or take unbounded memory.
#pragma once

#include <string>
#include <vector>

namespace pgdrift::fuzz {

// The readers: sql_loader, json_model, alembic, plan_json, resolutions, ignore_rules, targets,
// sql_history (a directory of SQL migrations given as `--- NAME` sections, fuzz/readers.cpp),
// drift_json (a JSON drift report, as `pgdrift report merge` reads it).
const std::vector<std::string>& reader_names();

// Runs `reader` on `input`. Returns "" when it accepted the input, else the message of the
// exception it threw. Throws std::invalid_argument for an unknown reader.
std::string read_input(const std::string& reader, const std::string& input);

}  // namespace pgdrift::fuzz
