#include "tests/support/convergence_cases.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "tests/support/fixtures.h"

namespace pgdrift::testing {
namespace {

bool is_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) {
    while (!w.empty() && w.back() == ',') w.pop_back();
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

// "-- key: rest" with key of [a-z_]+: the key and rest; false for any other line.
bool section_header(const std::string& line, std::string& key, std::string& rest) {
  if (line.rfind("-- ", 0) != 0) return false;
  size_t colon = line.find(':', 3);
  if (colon == std::string::npos || colon == 3) return false;
  std::string k = line.substr(3, colon - 3);
  if (!std::all_of(k.begin(), k.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }))
    return false;
  key = k;
  rest = trim(line.substr(colon + 1));
  return true;
}

const std::set<std::string>& block_keys() {
  static const std::set<std::string> keys = {"from", "to", "statements", "check_after"};
  return keys;
}

}  // namespace

void PrintTo(const ConvergenceCase& c, std::ostream* os) {
  *os << c.name << " (" << c.file << ":" << c.line << ")";
}

ConvergenceCases parse_convergence_cases(const std::string& text, const std::string& file) {
  ConvergenceCases out;
  ConvergenceCase* current = nullptr;
  std::string block;               // the open block section of `current`, "" = none
  std::set<std::string> seen;      // sections of `current`
  std::vector<std::string> lines;  // lines of the open block
  auto error = [&](int line, const std::string& message) {
    out.errors.push_back(file + ":" + std::to_string(line) + ": " + message);
  };
  auto close_block = [&]() {
    if (!current || block.empty()) return;
    // Leading and trailing blank lines are layout, not SQL.
    while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
    size_t first = 0;
    while (first < lines.size() && trim(lines[first]).empty()) ++first;
    std::string joined;
    for (size_t i = first; i < lines.size(); ++i) joined += lines[i] + "\n";
    if (block == "from") current->from = joined;
    if (block == "to") current->to = joined;
    if (block == "check_after") current->check_after = trim(joined);
    if (block == "statements")
      for (size_t i = first; i < lines.size(); ++i)
        if (!trim(lines[i]).empty()) current->forward_statements.push_back(trim(lines[i]));
    block.clear();
    lines.clear();
  };

  std::istringstream in(text);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string key, rest;
    if (section_header(line, key, rest)) {
      close_block();
      if (key == "case") {
        if (!is_name(rest))
          error(number, "case name must be letters, digits and _: '" + rest + "'");
        out.cases.push_back(ConvergenceCase{});
        current = &out.cases.back();
        current->name = rest;
        current->file = file;
        current->line = number;
        seen.clear();
        continue;
      }
      if (!current) {
        error(number, "'-- " + key + ":' before the first '-- case:'");
        continue;
      }
      if (!seen.insert(key).second)
        error(number, "second '-- " + key + ":' in case " + current->name);
      if (block_keys().count(key)) {
        if (!rest.empty())
          error(number, "'-- " + key + ":' starts a block: put its text on the following lines");
        block = key;
      } else if (key == "hazards") {
        for (const auto& code : words(rest)) {
          if (auto h = planner::hazard_from_code(code))
            current->forward_hazards.push_back(*h);
          else
            error(number, "unknown hazard code '" + code + "'");
        }
      } else if (key == "options") {
        for (const auto& option : words(rest)) {
          if (option == "privileges")
            current->privileges = true;
          else if (option == "offline")
            current->offline = true;
          else if (option == "annotated")
            current->annotated = true;
          else
            error(number, "unknown option '" + option + "' (privileges, offline, annotated)");
        }
      } else {
        error(number, "unknown section '-- " + key +
                          ":' (case, from, to, hazards, statements, options, check_after)");
      }
      continue;
    }
    if (line.rfind("--", 0) == 0) continue;  // a comment
    if (!block.empty()) {
      lines.push_back(line);
    } else if (!trim(line).empty()) {
      error(number, current ? "text outside a section in case " + current->name
                            : "text before the first '-- case:'");
    }
  }
  close_block();
  for (const auto& c : out.cases)
    if (trim(c.to).empty() && trim(c.from).empty())
      error(c.line, "case " + c.name + " has neither a from nor a to schema");
  return out;
}

std::string convergence_cases_dir() {
  return std::string(PGDRIFT_SOURCE_DIR) + "/tests/convergence";
}

ConvergenceCases load_convergence_cases(const std::string& dir) {
  namespace fs = std::filesystem;
  ConvergenceCases all;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".sql") files.push_back(entry);
  if (ec) all.errors.push_back(dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) all.errors.push_back(dir + ": no .sql files");
  std::map<std::string, std::string> where;  // name -> file:line
  for (const auto& path : files) {
    ConvergenceCases one =
        parse_convergence_cases(read_text_file(path.string()), path.filename().string());
    all.errors.insert(all.errors.end(), one.errors.begin(), one.errors.end());
    for (auto& c : one.cases) {
      std::string here = c.file + ":" + std::to_string(c.line);
      auto [it, fresh] = where.emplace(c.name, here);
      if (!fresh) all.errors.push_back(here + ": case " + c.name + " also at " + it->second);
      all.cases.push_back(std::move(c));
    }
  }
  return all;
}

}  // namespace pgdrift::testing
