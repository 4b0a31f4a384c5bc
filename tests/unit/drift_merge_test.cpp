// Streamed drift reports and `pgdrift report merge` without a database: the JSON report reads
// back into the same report (every format prints the same bytes from it), the streamed layout is
// exactly json::dump's, and merging shard reports gives the unsharded report or refuses reports
// that do not belong together.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/drift.h"
#include "tests/support/drift_samples.h"

namespace pgdrift::engine {
namespace {

using nlohmann::json;
using testing::sample_report;

// The JSON report of the databases of `report` at positions i % count == index.
std::string shard_json(const DriftReport& report, size_t index, size_t count) {
  DriftReport shard;
  shard.desired = report.desired;
  shard.shard = DriftShard{index, count};
  for (const auto& db : report.databases)
    if (db.target_index % count == index) shard.databases.push_back(db);
  return render_drift_json(shard);
}

TEST(DriftStream, JsonAndSarifAreLaidOutAsJsonDumpWould) {
  DriftReport empty;
  empty.desired = "schema/";
  for (const DriftReport& report : {sample_report(), empty}) {
    for (const std::string& text : {render_drift_json(report), render_drift_sarif(report)}) {
      json parsed = json::parse(text);  // throws on invalid JSON
      EXPECT_FALSE(parsed.empty());
      if (parsed.contains("format")) {
        EXPECT_EQ(parsed.dump(2) + "\n", text);
      }
    }
  }
  json j = json::parse(render_drift_json(sample_report()));
  EXPECT_EQ(j["databases"][2]["target_index"], 2);
  EXPECT_EQ(j["databases"][0]["checked"].size(), sample_report().databases[0].checked.size());
  EXPECT_FALSE(j.contains("shard"));
  json sharded = json::parse(shard_json(sample_report(), 1, 2));
  EXPECT_EQ(sharded["shard"], (json{{"index", 1}, {"count", 2}}));
  EXPECT_EQ(sharded["databases"].size(), 1u);
  EXPECT_EQ(sharded["exit_code"], 0) << "staging alone is clean";
}

TEST(DriftStream, SarifTotalsComeAtTheEnd) {
  json log = json::parse(render_drift_sarif(sample_report()));
  const auto& run = log["runs"][0];
  EXPECT_EQ(run["invocations"][0]["exitCode"], 2);
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], false);
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), 4u);
  size_t errors = 0;
  for (const auto& r : run["results"]) errors += r["ruleId"] == "database-error";
  EXPECT_EQ(errors, 1u);
}

TEST(DriftReadJson, EveryFormatPrintsTheSameFromTheReadBackReport) {
  const DriftReport report = sample_report();
  DriftReportFile file = read_drift_json(render_drift_json(report), "report.json");
  EXPECT_EQ(file.exit_code, 2);
  EXPECT_EQ(file.report.desired, report.desired);
  ASSERT_EQ(file.report.databases.size(), 3u);
  for (const auto& format : kDriftFormats)
    EXPECT_EQ(render_drift(file.report, format), render_drift(report, format)) << format;
  // It really reads: a changed field changes the output.
  json j = json::parse(render_drift_json(report));
  j["databases"][0]["entries"][0]["name"] = "public.other";
  DriftReportFile changed = read_drift_json(j.dump(2), "changed.json");
  EXPECT_NE(render_drift_text(changed.report), render_drift_text(report));
}

TEST(DriftReadJson, RefusesWhatIsNotADriftReport) {
  auto message = [](const std::string& text) {
    try {
      read_drift_json(text, "r.json");
    } catch (const DriftReadError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(message("{\"format\": \"pgdrift-drift\",").rfind("r.json:1:", 0), 0u)
      << message("{\"format\": \"pgdrift-drift\",");
  EXPECT_NE(message("{\"format\": \"pgdrift-plan\"}").find("pgdrift-drift"), std::string::npos);
  json j = json::parse(render_drift_json(sample_report()));
  j["databases"][1].erase("target_index");
  EXPECT_NE(message(j.dump()).find("$.databases[1]: missing \"target_index\""), std::string::npos)
      << message(j.dump());
  j = json::parse(render_drift_json(sample_report()));
  j["databases"][0]["entries"][0]["drift"] = "gone";
  EXPECT_NE(message(j.dump()).find("unknown drift \"gone\""), std::string::npos);
  EXPECT_NE(message(std::string(600, '[') + std::string(600, ']')).find("nested too deeply"),
            std::string::npos);
}

std::vector<DriftReportFile> shards(const DriftReport& report, size_t count) {
  std::vector<DriftReportFile> out;
  for (size_t k = 0; k < count; ++k)
    out.push_back(
        read_drift_json(shard_json(report, k, count), "drift-" + std::to_string(k) + ".json"));
  return out;
}

TEST(DriftMerge, ShardsMergeIntoTheUnshardedReport) {
  const DriftReport report = sample_report();
  for (size_t count : {1u, 2u, 3u, 5u}) {
    auto files = shards(report, count);
    std::reverse(files.begin(), files.end());  // the order of the files does not matter
    DriftReportFile merged = merge_drift_reports(files);
    EXPECT_EQ(merged.exit_code, 2) << count;
    EXPECT_FALSE(merged.report.shard);
    for (const auto& format : kDriftFormats)
      EXPECT_EQ(render_drift(merged.report, format), render_drift(report, format))
          << format << " with " << count << " shards";
  }
}

TEST(DriftMerge, ExitCodeIsTheWorstOfTheShards) {
  DriftReport report = sample_report();
  report.databases.pop_back();  // no unreadable database: drift, exit 1
  auto files = shards(report, 2);
  EXPECT_EQ(files[0].exit_code, 1);
  EXPECT_EQ(files[1].exit_code, 0);
  EXPECT_EQ(merge_drift_reports(files).exit_code, 1);
}

TEST(DriftMerge, RefusesReportsThatDoNotBelongTogether) {
  const DriftReport report = sample_report();
  auto refused = [](std::vector<DriftReportFile> files) {
    try {
      merge_drift_reports(std::move(files));
    } catch (const DriftReadError& e) {
      return std::string(e.what());
    }
    return std::string("(merged)");
  };
  auto files = shards(report, 3);
  EXPECT_NE(refused({files[0], files[2]}).find("shard 1/3 is missing"), std::string::npos)
      << refused({files[0], files[2]});
  EXPECT_NE(refused({files[0], files[1], files[2], files[1]}).find("shard 1/3 is also"),
            std::string::npos);
  auto other = files;
  other[1].report.desired = "other/";
  EXPECT_NE(refused(other).find("not of the same check"), std::string::npos) << refused(other);
  auto two = shards(report, 2);
  EXPECT_NE(refused({files[0], files[1], files[2], two[0]}).find("is not one of 3 shards"),
            std::string::npos);
  // Unsharded reports of the same targets overlap.
  auto whole = read_drift_json(render_drift_json(report), "a.json");
  EXPECT_NE(refused({whole, whole}).find("target 0 (prod <&> \"eu\") is also in a.json"),
            std::string::npos)
      << refused({whole, whole});
  EXPECT_NE(refused({whole, files[0]}).find("mixed"), std::string::npos);
  EXPECT_NE(refused({}).find("no report"), std::string::npos);
}

}  // namespace
}  // namespace pgdrift::engine
