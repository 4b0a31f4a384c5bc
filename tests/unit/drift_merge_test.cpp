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

// The report (in `format`) of the databases of `report` at positions i % count == index.
std::string shard_report(const DriftReport& report, size_t index, size_t count,
                         const std::string& format = "json") {
  DriftReport shard;
  shard.desired = report.desired;
  shard.shard = DriftShard{index, count};
  for (const auto& db : report.databases)
    if (db.target_index % count == index) shard.databases.push_back(db);
  return render_drift(shard, format);
}
std::string shard_json(const DriftReport& report, size_t index, size_t count) {
  return shard_report(report, index, count);
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

TEST(DriftStream, EveryFormatSaysWhichShardItIs) {
  const DriftReport report = sample_report();
  const std::string text = shard_report(report, 1, 2, "text");
  EXPECT_NE(text.find("no drift in 1 database (shard 1/2)\n"), std::string::npos) << text;
  const std::string github = shard_report(report, 0, 2, "github");
  EXPECT_NE(github.find("could not be read (shard 0/2)\n"), std::string::npos) << github;
  EXPECT_NE(
      shard_report(report, 0, 2, "junit").find("<testsuites name=\"pgdrift drift shard 0/2\">"),
      std::string::npos);
  EXPECT_EQ(json::parse(shard_report(report, 0, 2, "sarif"))["runs"][0]["properties"]["shard"],
            (json{{"index", 0}, {"count", 2}}));
  for (const auto& format : kDriftFormats)
    EXPECT_EQ(render_drift(report, format).find("shard"), std::string::npos) << format;
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

// pgdrift's own SARIF and JUnit shard reports merge into the unsharded report of that format.
TEST(DriftMerge, SarifAndJunitShardsMergeStructurally) {
  DriftReport report = sample_report();
  // A fourth database with drift, so that shards hold several databases with results.
  report.databases.push_back(report.databases[0]);
  report.databases.back().label = "prod-2";
  report.databases.back().target_index = 3;
  for (const std::string format : {"sarif", "junit"}) {
    for (size_t count : {1u, 2u, 3u}) {
      std::vector<std::pair<std::string, std::string>> files;
      for (size_t k = count; k-- > 0;)  // in reverse: the order of the files does not matter
        files.emplace_back("drift-" + std::to_string(k), shard_report(report, k, count, format));
      if (count > 1) {
        EXPECT_NE(files[0].second, files[1].second);
      }
      MergedDriftText merged =
          format == "sarif" ? merge_drift_sarif(files) : merge_drift_junit(files);
      EXPECT_EQ(merged.text, render_drift(report, format)) << format << " " << count;
      EXPECT_EQ(merged.exit_code, 2) << format << " " << count;
    }
  }
  report.databases.erase(report.databases.begin() + 2);  // no error left: exit 1
  for (const std::string format : {"sarif", "junit"}) {
    std::vector<std::pair<std::string, std::string>> files = {
        {"a", shard_report(report, 0, 2, format)}, {"b", shard_report(report, 1, 2, format)}};
    MergedDriftText merged =
        format == "sarif" ? merge_drift_sarif(files) : merge_drift_junit(files);
    EXPECT_EQ(merged.exit_code, 1) << format;
  }
}

TEST(DriftMerge, SarifAndJunitMergesRefuseWhatDoesNotBelongTogether) {
  const DriftReport report = sample_report();
  auto refused = [](const std::string& format,
                    const std::vector<std::pair<std::string, std::string>>& files) {
    try {
      format == "sarif" ? merge_drift_sarif(files) : merge_drift_junit(files);
    } catch (const DriftReadError& e) {
      return std::string(e.what());
    }
    return std::string("(merged)");
  };
  for (const std::string format : {"sarif", "junit"}) {
    const std::string s0 = shard_report(report, 0, 2, format),
                      s1 = shard_report(report, 1, 2, format);
    EXPECT_NE(refused(format, {{"a", s0}}).find("shard 1/2 is missing"), std::string::npos)
        << refused(format, {{"a", s0}});
    EXPECT_NE(refused(format, {{"a", s0}, {"b", s1}, {"c", s0}}).find(" is also "),
              std::string::npos)
        << refused(format, {{"a", s0}, {"b", s1}, {"c", s0}});
    const std::string whole = render_drift(report, format);
    EXPECT_NE(refused(format, {{"a", whole}, {"b", whole}}).find("target 0 is also in a"),
              std::string::npos)
        << refused(format, {{"a", whole}, {"b", whole}});
    EXPECT_NE(refused(format, {{"j", render_drift_json(report)}}).find("j: not a"),
              std::string::npos)
        << refused(format, {{"j", render_drift_json(report)}});
  }
  DriftReport other = report;
  other.desired = "other/";
  EXPECT_NE(refused("sarif", {{"a", shard_report(report, 0, 2, "sarif")},
                              {"b", shard_report(other, 1, 2, "sarif")}})
                .find("not of the same check"),
            std::string::npos);
  EXPECT_NE(refused("junit", {{"a",
                               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "
                               "name=\"pgdrift drift\">\n  <testsuite name=\"x\">\n"}})
                .find("does not end"),
            std::string::npos);
}

}  // namespace
}  // namespace pgdrift::engine
