#include "tests/support/json_checks.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pgdrift::testing {

namespace fs = std::filesystem;
using nlohmann::json;

CommandOutput run_pgdrift(std::vector<std::string> args) {
  args.insert(args.begin(), PGDRIFT_BINARY);
  return run_program(args);
}

json parse_json_output(const CommandOutput& r) {
  try {
    return json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
    return json::object();
  }
}

std::string python_with_jsonschema() {
  for (const char* python : {"/usr/bin/python3", "python3"}) {
    auto r = run_program({python, "-c", "from jsonschema import Draft202012Validator"});
    if (r.exit_code == 0) return python;
  }
  return "";
}

const char* const kNoJsonschema =
    "python3 with jsonschema >= 4 is needed (Debian python3-jsonschema, scripts/install-deps.sh)";

std::string schema_path(const std::string& name) {
  return std::string(PGDRIFT_SOURCE_DIR) + "/docs/schemas/" + name;
}

std::set<std::string> enum_of(const json& schema_part) {
  std::set<std::string> out;
  for (const auto& v : schema_part.at("enum")) out.insert(v.get<std::string>());
  return out;
}

// The schema is checked first (exit 3 when it is not a valid draft 2020-12 schema).
const char* const kJsonSchemaValidator =
    "import json, sys, jsonschema\n"
    "schema = json.load(open(sys.argv[1]))\n"
    "try:\n"
    "    jsonschema.Draft202012Validator.check_schema(schema)\n"
    "except jsonschema.exceptions.SchemaError as e:\n"
    "    print('bad schema:', e.message); sys.exit(3)\n"
    "validator = jsonschema.Draft202012Validator(schema)\n"
    "for path in sys.argv[2:]:\n"
    "    errors = list(validator.iter_errors(json.load(open(path))))\n"
    "    line = 'valid' if not errors else 'invalid'\n"
    "    for e in errors:\n"
    "        where = '/'.join(str(p) for p in e.absolute_path) or '$'\n"
    "        line += ' | ' + where + ': ' + e.message.replace('\\n', ' ')[:300]\n"
    "    print(line)\n";

std::vector<std::string> validate_json(const std::string& python, const std::string& schema_file,
                                       const std::vector<json>& documents) {
  TempDir tmp("pgdrift-schemas");
  std::vector<std::string> argv = {python, "-c", kJsonSchemaValidator, schema_path(schema_file)};
  for (size_t i = 0; i < documents.size(); ++i)
    argv.push_back(tmp.write("doc" + std::to_string(i) + ".json", documents[i].dump(2)));
  auto r = run_program(argv);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  EXPECT_EQ(lines.size(), documents.size()) << r.out << r.err;
  lines.resize(documents.size());
  return lines;
}

void expect_rejected(const std::string& python, const std::string& schema_file, const json& good,
                     const std::vector<JsonMutation>& mutations) {
  std::vector<json> docs;
  for (const auto& m : mutations) {
    docs.push_back(good);
    m.mutate(docs.back());
  }
  auto results = validate_json(python, schema_file, docs);
  for (size_t i = 0; i < mutations.size(); ++i) {
    EXPECT_EQ(results[i].rfind("invalid", 0), 0u) << mutations[i].what << ": " << results[i];
    EXPECT_NE(results[i].find("| " + mutations[i].where + ": "), std::string::npos)
        << mutations[i].what << ": " << results[i];
  }
}

}  // namespace pgdrift::testing
