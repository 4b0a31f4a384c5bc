// `pgdrift inspect SOURCE`: print the canonical model of a source as JSON or as DDL.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/sources.h"
#include "engine/diff.h"
#include "schema/json.h"
#include "schema/live/introspect.h"
#include "schema/render.h"

namespace pgdrift::cli {

namespace {

struct InspectArgs {
  std::string source;
  std::string format = "json";
  std::string output;
  bool with_provenance = false;
  bool privileges = false;
  bool compare_static = false;
  SourceOptions source_options;
};

// stdout, or the --output file.
void write_output(const std::string& output, const std::string& text) {
  if (output.empty()) {
    std::cout << text << std::flush;
    return;
  }
  std::ofstream out(output, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw SourceError(output + ": cannot write output file");
}

// --compare-static: the SQL loaded by PostgreSQL (a scratch cluster) and by the static loader,
// and where the two disagree: objects only one of them has or has differently, or the static
// loader rejecting what PostgreSQL ran. Exit 0 when they agree, 1 when they do not, 2 when
// PostgreSQL rejects the SQL too.
int run_compare_static(const InspectArgs& args) {
  bool json =
      args.source.size() >= 5 && args.source.compare(args.source.size() - 5, 5, ".json") == 0;
  if (json || schema::live::is_connection_string(args.source))
    throw SourceError(
        "--compare-static compares two ways of loading SQL: give a .sql file or a directory");
  SourceOptions scratch_options = args.source_options;
  scratch_options.load_via_scratch = true;
  SourceResult loaded_scratch = read_source(args.source, scratch_options);

  SourceOptions static_options = args.source_options;
  static_options.load_via_scratch = false;
  // Statements the static loader does not follow (DO blocks, ...) are exactly what to see.
  static_options.skip_unsupported = true;
  std::ostringstream text;
  SourceResult loaded_static;
  try {
    loaded_static = read_source(args.source, static_options);
  } catch (const SourceError& e) {
    text << args.source << ": the static loader and PostgreSQL disagree: PostgreSQL runs the "
         << "SQL, the static loader stops at " << e.what() << "\n";
    write_output(args.output, text.str());
    return 1;
  }

  engine::DiffOptions diff;
  diff.compare_privileges = args.privileges;
  // Each line is a change that turns the static model into PostgreSQL's: "add" = only
  // PostgreSQL has it, "drop" = only the static loader has it, "alter" = both, different.
  std::vector<std::string> changes = engine::describe_changes(
      engine::diff_models(loaded_static.model, loaded_scratch.model, diff));
  if (changes.empty()) {
    text << args.source << ": the static loader and PostgreSQL agree\n";
  } else {
    text << args.source << ": the static loader and PostgreSQL disagree (" << changes.size()
         << (changes.size() == 1 ? " difference" : " differences") << ")\n";
    for (const auto& line : changes) {
      size_t space = line.find(' ');
      std::string kind = line.substr(0, space), what = line.substr(space + 1);
      text << "  "
           << (kind == "add"    ? "only PostgreSQL has "
               : kind == "drop" ? "only the static loader has "
                                : "they differ in ")
           << what << "\n";
    }
  }
  if (!loaded_static.warnings.empty()) {
    text << "statements the static loader did not follow:\n";
    for (const auto& w : loaded_static.warnings) text << "  " << w << "\n";
  }
  write_output(args.output, text.str());
  return changes.empty() ? 0 : 1;
}

int run_inspect(const InspectArgs& args) {
  if (args.compare_static) return run_compare_static(args);
  SourceResult result = read_source(args.source, args.source_options);
  require_matches({&result.unmatched}, "in " + schema::live::redact_connection_string(args.source));
  if (!args.privileges) schema::strip_privileges(result.model);

  std::string text;
  if (args.format == "sql") {
    text = schema::render_model_sql(result.model);
  } else {
    nlohmann::json j = schema::model_to_json(result.model, args.with_provenance);
    // Server facts only on request: without them, the same schema inspected from two servers
    // gives byte-identical output.
    if (args.with_provenance && result.provenance) {
      j["provenance"] = {{"server_version", result.provenance->server_version},
                         {"server_version_num", result.provenance->server_version_num},
                         {"database", result.provenance->database}};
    }
    text = j.dump(2) + "\n";
  }

  write_output(args.output, text);
  // Warnings last, so they are the final thing a user sees in the terminal.
  for (const auto& w : result.warnings) std::cerr << "warning: " << w << "\n";
  return 0;
}

}  // namespace

void add_inspect_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<InspectArgs>();
  auto* cmd = app.add_subcommand("inspect", "Print the canonical model of a schema source");
  cmd->add_option("source", args->source,
                  "A .sql file, a directory of .sql files, a .json model, or a database "
                  "(postgres://... or libpq key=value)")
      ->required();
  cmd->add_option("--format", args->format, "Output format: json (default) or sql")
      ->check(CLI::IsMember({"json", "sql"}));
  cmd->add_option("-o,--output", args->output, "Write to FILE instead of stdout");
  cmd->add_flag("--with-provenance", args->with_provenance,
                "Add source locations (file:line) and, for a database, the server version");
  add_filter_options(cmd, args->source_options);
  cmd->add_flag("--skip-unsupported", args->source_options.skip_unsupported,
                "Turn unsupported SQL statements into warnings instead of errors");
  cmd->add_flag("--privileges", args->privileges, "Include GRANTed privileges");
  cmd->add_flag("--load-via-scratch", args->source_options.load_via_scratch, kLoadViaScratchHelp);
  cmd->add_flag("--compare-static", args->compare_static,
                "Load the SQL both ways (static loader, scratch PostgreSQL) and list where they "
                "differ instead of printing the model; exit 1 when they do");
  cmd->callback([args, &exit_code] {
    exit_code = run_command("inspect", [&args] { return run_inspect(*args); });
  });
}

}  // namespace pgdrift::cli
