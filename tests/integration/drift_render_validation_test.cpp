// The drift report files as the tools that read them see them: the JUnit XML parsed by
// python's ElementTree (one testcase per object, failures, errors and skips counted right) and
// the SARIF log validated against the SARIF 2.1.0 schema (tests/data) by python3-jsonschema.
// Child processes, so not unit tests; the report itself is tests/support/drift_samples.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "engine/drift.h"
#include "tests/support/drift_samples.h"
#include "tests/support/json_checks.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/temp_dir.h"

namespace pgdrift::testing {
namespace {

using engine::DriftReport;
using engine::render_drift_junit;
using engine::render_drift_sarif;
using nlohmann::json;

TEST(DriftRender, JunitParsesWithOneTestcasePerObject) {
  std::string xml = render_drift_junit(sample_report());
  TempDir tmp("pgdrift-junit");
  std::string path = tmp.write("report.xml", xml);
  // Counts per suite: tests / failures / errors / skipped, as the parser sees them.
  auto r = run_program(
      {"python3", "-c",
       "import sys, xml.etree.ElementTree as E\n"
       "root = E.parse(sys.argv[1]).getroot()\n"
       "assert root.tag == 'testsuites', root.tag\n"
       "for s in root.findall('testsuite'):\n"
       "    cases = s.findall('testcase')\n"
       "    assert int(s.get('tests')) == len(cases)\n"
       "    print(s.get('name'), len(cases), len([c for c in cases if c.find('failure') is not "
       "None]), len([c for c in cases if c.find('error') is not None]), len([c for c in cases "
       "if c.find('skipped') is not None]))\n",
       path});
  ASSERT_EQ(r.exit_code, 0) << r.err << "\n" << xml;
  // prod: expenses (failure), mood (pass), legacy (skipped: ignored); staging: 2 passing;
  // the broken database: one error testcase.
  EXPECT_EQ(r.out,
            "prod <&> \"eu\" 3 1 0 1\nstaging 2 0 0 0\nhost=db3 user=app password=*** 1 0 1 0\n")
      << xml;
}

TEST(DriftRender, SarifValidatesAgainstTheSarif210Schema) {
  DriftReport report = sample_report();
  std::string sarif = render_drift_sarif(report);
  std::string python = python_with_jsonschema();
  ASSERT_FALSE(python.empty()) << kNoJsonschema;
  TempDir tmp("pgdrift-sarif");
  std::string path = tmp.write("report.sarif", sarif);
  auto r =
      run_program({python, "-c",
                   "import json, sys, jsonschema\n"
                   "schema = json.load(open(sys.argv[1]))\n"
                   "log = json.load(open(sys.argv[2]))\n"
                   "jsonschema.validate(log, schema)\n"
                   "print('valid')\n",
                   std::string(PGDRIFT_SOURCE_DIR) + "/tests/data/sarif-schema-2.1.0.json", path});
  ASSERT_EQ(r.exit_code, 0) << r.err << "\n" << sarif;
  EXPECT_EQ(r.out, "valid\n");

  json log = json::parse(sarif);
  const auto& results = log["runs"][0]["results"];
  bool found = false;
  for (const auto& result : results) {
    // const json::operator[] on a missing key is undefined behaviour: look keys up with value().
    const json locations = result.value("locations", json::array());
    if (locations.empty()) continue;
    const json logical = locations[0].value("logicalLocations", json::array());
    if (logical.empty() || logical[0].value("fullyQualifiedName", "") != "public.expenses.amount")
      continue;
    found = true;
    EXPECT_EQ(result["ruleId"], "drift/differs");
    EXPECT_EQ(result["level"], "error");
    const auto& loc = result["locations"][0]["physicalLocation"];
    EXPECT_EQ(loc["artifactLocation"]["uri"], "schema/expenses.sql");
    EXPECT_EQ(loc["region"]["startLine"], 5);
  }
  EXPECT_TRUE(found) << sarif;
  EXPECT_EQ(log["runs"][0]["invocations"][0]["executionSuccessful"], false);

  // The validator really checks: a result without a message is rejected.
  log["runs"][0]["results"][0].erase("message");
  std::string bad = tmp.write("bad.sarif", log.dump());
  auto rejected = run_program(
      {python, "-c",
       "import json, sys, jsonschema\n"
       "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))\n",
       std::string(PGDRIFT_SOURCE_DIR) + "/tests/data/sarif-schema-2.1.0.json", bad});
  EXPECT_NE(rejected.exit_code, 0);
}

}  // namespace
}  // namespace pgdrift::testing
