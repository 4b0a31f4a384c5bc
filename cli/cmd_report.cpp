// `pgdrift report merge FILE... [--format F] [--output FILE]`: the JSON reports of a sharded
// `drift --targets --shard K/N` fleet (engine/drift_read_json.cpp) as the report one unsharded
// run gives, in any drift format, byte for byte; or its SARIF or JUnit reports merged
// structurally into the same format (engine::merge_drift_sarif / merge_drift_junit).
// Exit codes: the worst of the shards' (0 no drift, 1 drift, 2 a database could not be read);
// 2 also for a report that is missing, unreadable, of another desired schema, a shard missing or
// given twice, or a target in two reports.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/sources.h"
#include "engine/drift.h"

namespace pgdrift::cli {

namespace {

struct MergeArgs {
  std::vector<std::string> files;
  std::string format;  // default: text for JSON inputs, else the inputs' format
  std::string output;
};

// What a report file holds, from its first characters.
std::string input_format(const std::string& text) {
  if (text.rfind("<?xml", 0) == 0) return "junit";
  if (text.find("\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\"") <
      std::min<size_t>(text.size(), 200))
    return "sarif";
  return "json";
}

void write_output(const MergeArgs& args, const std::function<void(std::ostream&)>& write) {
  std::ofstream file;
  if (!args.output.empty()) {
    file.open(args.output, std::ios::binary);
    if (!file) throw SourceError(args.output + ": cannot write output file");
  }
  std::ostream& out = args.output.empty() ? std::cout : file;
  write(out);
  out.flush();
  if (!args.output.empty()) {
    file.close();
    if (!file) throw SourceError(args.output + ": cannot write output file");
  }
}

int run_merge(MergeArgs args) {
  std::vector<std::pair<std::string, std::string>> texts;
  std::string format;
  try {
    for (const auto& path : args.files) {
      texts.emplace_back(path, engine::read_drift_report_text(path));
      const std::string this_format = input_format(texts.back().second);
      if (format.empty()) format = this_format;
      if (this_format != format)
        throw SourceError(path + ": a " + this_format + " report among " + format +
                          " reports: merge reports of one format");
    }
  } catch (const engine::DriftReadError& e) {
    throw SourceError(e.what());
  }
  if (format != "json") {
    // pgdrift's own SARIF or JUnit: merged as they are, into the same format only.
    if (args.format.empty()) args.format = format;
    if (args.format != format)
      throw SourceError("--format " + args.format + ": " + format + " reports merge into " +
                        format + " only (merge the JSON reports for any format)");
    engine::MergedDriftText merged;
    try {
      merged =
          format == "sarif" ? engine::merge_drift_sarif(texts) : engine::merge_drift_junit(texts);
    } catch (const engine::DriftReadError& e) {
      throw SourceError(e.what());
    }
    write_output(args, [&](std::ostream& out) { out << merged.text; });
    return merged.exit_code;
  }
  engine::DriftReportFile merged;
  try {
    std::vector<engine::DriftReportFile> files;
    for (auto& [path, text] : texts) {
      files.push_back(engine::read_drift_json(text, path));
      text.clear();
      text.shrink_to_fit();
    }
    merged = engine::merge_drift_reports(std::move(files));
  } catch (const engine::DriftReadError& e) {
    throw SourceError(e.what());
  }
  if (args.format.empty()) args.format = "text";
  engine::TextRenderOptions options;
  options.color = args.output.empty() && ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
  write_output(args, [&](std::ostream& out) {
    // The merged report is unsharded: the same writer, so the same bytes, as a single run.
    auto writer =
        engine::make_drift_writer(args.format, out, merged.report.desired, std::nullopt, options);
    writer->begin();
    for (const auto& db : merged.report.databases) {
      writer->add(db);
      if (db.error) std::cerr << "pgdrift report merge: " << db.label << ": " << *db.error << "\n";
    }
    writer->end();
  });
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
  merge
      ->add_option("files", args->files,
                   "Drift reports of one run's shards: JSON (drift --format json; merged into any "
                   "format), or all SARIF or all JUnit (merged into the same format)")
      ->required()
      ->type_name("FILE");
  merge
      ->add_option("--format", args->format,
                   "text (default for JSON reports), json, junit, sarif or github; SARIF and "
                   "JUnit reports: their own format (the default)")
      ->check(CLI::IsMember(engine::kDriftFormats));
  merge->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  merge->callback([args, &exit_code] {
    exit_code = run_command("report merge", [&args] { return run_merge(*args); });
  });
}

}  // namespace pgdrift::cli
