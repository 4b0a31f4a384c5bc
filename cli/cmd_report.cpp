// `pgdrift report merge FILE... [--format F] [--output FILE]`: the JSON reports of a sharded
// `drift --targets --shard K/N` fleet (engine/drift_read_json.cpp) as the report one unsharded
// run gives, in any drift format, byte for byte.
// Exit codes: the worst of the shards' (0 no drift, 1 drift, 2 a database could not be read);
// 2 also for a report that is missing, unreadable, of another desired schema, a shard missing or
// given twice, or a target in two reports.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/sources.h"
#include "engine/drift.h"

namespace pgdrift::cli {

namespace {

struct MergeArgs {
  std::vector<std::string> files;
  std::string format = "text";
  std::string output;
};

int run_merge(const MergeArgs& args) {
  std::vector<engine::DriftReportFile> files;
  engine::DriftReportFile merged;
  try {
    for (const auto& path : args.files) files.push_back(engine::read_drift_json_file(path));
    merged = engine::merge_drift_reports(std::move(files));
  } catch (const engine::DriftReadError& e) {
    throw SourceError(e.what());
  }
  std::ofstream file;
  if (!args.output.empty()) {
    file.open(args.output, std::ios::binary);
    if (!file) throw SourceError(args.output + ": cannot write output file");
  }
  std::ostream& out = args.output.empty() ? std::cout : file;
  engine::TextRenderOptions options;
  options.color = args.output.empty() && ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
  // The merged report is unsharded: the same writer, so the same bytes, as a single run.
  auto writer =
      engine::make_drift_writer(args.format, out, merged.report.desired, std::nullopt, options);
  writer->begin();
  for (const auto& db : merged.report.databases) {
    writer->add(db);
    if (db.error) std::cerr << "pgdrift report merge: " << db.label << ": " << *db.error << "\n";
  }
  writer->end();
  out.flush();
  if (!args.output.empty()) {
    file.close();
    if (!file) throw SourceError(args.output + ": cannot write output file");
  }
  return merged.exit_code;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<MergeArgs>();
  auto* cmd = app.add_subcommand("report", "Work with drift reports (merge the shards of a fleet)");
  cmd->require_subcommand(1);
  auto* merge = cmd->add_subcommand(
      "merge",
      "Merge the JSON reports of `drift --shard K/N` runs into the report of one unsharded run");
  merge->add_option("files", args->files, "JSON drift reports (drift --format json)")
      ->required()
      ->type_name("FILE...");
  merge->add_option("--format", args->format, "text (default), json, junit, sarif or github")
      ->check(CLI::IsMember(engine::kDriftFormats));
  merge->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  merge->callback([args, &exit_code] {
    exit_code = run_command("report merge", [&args] { return run_merge(*args); });
  });
}

}  // namespace pgdrift::cli
