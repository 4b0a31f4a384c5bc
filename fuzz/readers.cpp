#include "fuzz/readers.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "engine/drift.h"
#include "engine/ignore_rules.h"
#include "engine/reconcile.h"
#include "planner/plan.h"
#include "schema/history/history.h"
#include "schema/json.h"
#include "schema/live/targets.h"
#include "schema/sql/loader.h"

namespace pgdrift::fuzz {

const std::vector<std::string>& reader_names() {
  static const std::vector<std::string> names = {"sql_loader", "json_model",  "alembic",
                                                 "plan_json",  "resolutions", "ignore_rules",
                                                 "targets",    "sql_history", "drift_json"};
  return names;
}

namespace {

namespace fs = std::filesystem;

// sql_history: the input is a directory of files, each introduced by a line `--- NAME`; they
// are written to a directory of this process (emptied first) that is then read as a history
// (read_history: kind detection, file-name versions, dbmate sections) and replayed. Names
// outside [A-Za-z0-9._-] or of more than 100 characters are skipped.
std::string history_dir(const std::string& input) {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("pgdrift-fuzz-history-" + std::to_string(getpid()));
    fs::create_directories(d);
    return d;
  }();
  for (const auto& entry : fs::directory_iterator(dir)) fs::remove_all(entry.path());
  std::istringstream in(input);
  std::string line, name, content;
  auto flush = [&] {
    bool valid = !name.empty() && name.size() <= 100 && name[0] != '.' &&
                 name.find_first_not_of(
                     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789._-") == std::string::npos;
    if (valid) std::ofstream(dir / name, std::ios::binary) << content;
    content.clear();
  };
  while (std::getline(in, line)) {
    if (line.rfind("--- ", 0) == 0) {
      flush();
      name = line.substr(4);
      continue;
    }
    content += line + "\n";
  }
  flush();
  return dir.string();
}

}  // namespace

std::string read_input(const std::string& reader, const std::string& input) {
  try {
    if (reader == "sql_loader") {
      schema::Model model;
      std::vector<schema::sql::LoadWarning> warnings;
      schema::sql::LoadOptions options;
      options.skip_unsupported = true;  // reach every statement kind
      schema::sql::apply_sql(model, input, "fuzz.sql", options, warnings);
    } else if (reader == "json_model") {
      schema::model_from_json(nlohmann::json::parse(input));
    } else if (reader == "alembic") {
      std::vector<std::string> enums;
      schema::history::read_alembic_text(input, "fuzz.py", enums);
    } else if (reader == "plan_json") {
      planner::read_plan_json(input, "fuzz.json");
    } else if (reader == "resolutions") {
      engine::parse_resolutions(input, "fuzz.txt");
    } else if (reader == "ignore_rules") {
      engine::parse_ignore_rules(input, "fuzz.ignore");
    } else if (reader == "targets") {
      schema::live::parse_targets(input, "fuzz.targets");
    } else if (reader == "drift_json") {
      engine::read_drift_json(input, "fuzz.json");
    } else if (reader == "sql_history") {
      schema::history::ReplayOptions options;
      options.column_provenance = true;
      schema::history::replay(schema::history::read_history(history_dir(input)), options);
    } else {
      throw std::invalid_argument("unknown reader " + reader);
    }
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).rfind("unknown reader", 0) == 0) throw;
    return e.what();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace pgdrift::fuzz
