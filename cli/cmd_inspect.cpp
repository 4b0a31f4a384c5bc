// `pgdrift inspect SOURCE`: print the canonical model of a source as JSON or as DDL.
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/sources.h"
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
  SourceOptions source_options;
};

int run_inspect(const InspectArgs& args) {
  SourceResult result = read_source(args.source, args.source_options);
  require_matches({&result.unmatched}, "in " + schema::live::redact_connection_string(args.source));
  if (!args.privileges) schema::strip_grants(result.model);

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

  if (args.output.empty()) {
    std::cout << text << std::flush;
  } else {
    std::ofstream out(args.output, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw SourceError(args.output + ": cannot write output file");
  }
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
  cmd->callback([args, &exit_code] {
    exit_code = run_command("inspect", [&args] { return run_inspect(*args); });
  });
}

}  // namespace pgdrift::cli
