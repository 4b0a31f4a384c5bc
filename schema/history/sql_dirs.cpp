// Directories of SQL migration files: Flyway, golang-migrate, dbmate and plain numbered files.
// Each file (or its up section) is one Statement holding the whole text, so that the loader
// reports file:line itself.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "schema/history/history.h"

namespace pgdrift::schema::history {

namespace fs = std::filesystem;

namespace {

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot read");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "1.10" > "1.9", "2_1" == "2.1", "010" == "10": versions compare as lists of numbers.
std::vector<std::string> version_parts(const std::string& version) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : version) {
    if (c == '.' || c == '_') {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  for (auto& p : parts) {
    p.erase(0, std::min(p.find_first_not_of('0'), p.size()));  // strip leading zeros
  }
  while (parts.size() > 1 && parts.back().empty()) parts.pop_back();  // "1.0" == "1"
  return parts;
}

bool version_less(const std::string& a, const std::string& b) {
  auto pa = version_parts(a), pb = version_parts(b);
  for (size_t i = 0; i < std::min(pa.size(), pb.size()); ++i) {
    if (pa[i].size() != pb[i].size()) return pa[i].size() < pb[i].size();
    if (pa[i] != pb[i]) return pa[i] < pb[i];
  }
  return pa.size() < pb.size();
}

struct Found {
  std::string version;
  std::string name;
  fs::path path;
};

// Files of `dir` whose name matches `pattern` (group 1 = version, group 2 = name), sorted by
// version numerically; equal versions are reported.
std::vector<Found> find_versioned(const std::string& dir, const std::regex& pattern,
                                  History& history) {
  std::vector<Found> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::smatch match;
    std::string name = e.path().filename().string();
    if (std::regex_match(name, match, pattern))
      found.push_back(Found{match[1].str(), match[2].str(), e.path()});
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    if (version_less(a.version, b.version)) return true;
    if (version_less(b.version, a.version)) return false;
    return a.path < b.path;
  });
  for (size_t i = 1; i < found.size(); ++i)
    if (!version_less(found[i - 1].version, found[i].version))
      history.problems.push_back(Problem{SourceLocation{found[i].path.string(), 1},
                                         "version " + found[i].version + " also used by " +
                                             found[i - 1].path.filename().string()});
  return found;
}

std::string readable(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

// A linear chain: each migration's parent is the one before it.
void add_linear(History& history, const Found& f, std::string sql, int first_line) {
  Migration m;
  m.id = f.version;
  m.name = readable(f.name);
  m.file = f.path.string();
  if (!history.ordered.empty()) m.parents.push_back(history.ordered.back().id);
  m.statements.push_back(Statement{std::move(sql), SourceLocation{m.file, first_line}});
  history.ordered.push_back(std::move(m));
}

void finish_linear(History& history) {
  if (!history.ordered.empty()) history.heads.push_back(history.ordered.back().id);
}

}  // namespace

History read_flyway(const std::string& dir) {
  History h;
  h.kind = "flyway";
  h.path = dir;
  static const std::regex versioned(R"(^V([0-9][0-9._]*?)__(.*)\.sql$)");
  static const std::regex repeatable(R"(^R__(.*)\.sql$)");
  for (const auto& f : find_versioned(dir, versioned, h)) add_linear(h, f, file_text(f.path), 1);
  // Repeatable migrations run after all versioned ones, ordered by description. Undo (U__)
  // migrations are never part of an upgrade.
  std::vector<Found> repeatables;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::smatch match;
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && std::regex_match(name, match, repeatable))
      repeatables.push_back(Found{"R__" + match[1].str(), match[1].str(), e.path()});
  }
  std::sort(repeatables.begin(), repeatables.end(),
            [](const Found& a, const Found& b) { return a.name < b.name; });
  for (const auto& f : repeatables) add_linear(h, f, file_text(f.path), 1);
  finish_linear(h);
  return h;
}

History read_golang_migrate(const std::string& dir) {
  History h;
  h.kind = "golang-migrate";
  h.path = dir;
  static const std::regex up(R"(^([0-9]+)_(.*)\.up\.sql$)");
  for (const auto& f : find_versioned(dir, up, h)) add_linear(h, f, file_text(f.path), 1);
  finish_linear(h);
  return h;
}

History read_dbmate(const std::string& dir) {
  History h;
  h.kind = "dbmate";
  h.path = dir;
  static const std::regex file(R"(^([0-9]+)_(.*)\.sql$)");
  for (const auto& f : find_versioned(dir, file, h)) {
    // The up section runs from the line after `-- migrate:up` to `-- migrate:down` (or the
    // end); lines before it are not part of the migration.
    std::istringstream in(file_text(f.path));
    std::string line, sql;
    int number = 0, first_line = 0;
    bool in_up = false;
    while (std::getline(in, line)) {
      ++number;
      std::string trimmed = line.substr(0, line.find_last_not_of(" \t\r") + 1);
      if (trimmed.rfind("-- migrate:up", 0) == 0) {
        in_up = true;
        first_line = number + 1;
        continue;
      }
      if (trimmed.rfind("-- migrate:down", 0) == 0) {
        if (in_up) break;
        continue;
      }
      if (in_up) sql += line + "\n";
    }
    if (first_line == 0) {
      h.problems.push_back(Problem{SourceLocation{f.path.string(), 1},
                                   "no `-- migrate:up` section; file not replayed"});
      continue;
    }
    add_linear(h, f, sql, first_line);
  }
  finish_linear(h);
  return h;
}

History read_plain_sql(const std::string& dir) {
  History h;
  h.kind = "plain";
  h.path = dir;
  static const std::regex file(R"(^([0-9]+)[_-](.*)\.sql$)");
  static const std::regex down(R"(.*[._-]down\.sql$)");
  for (const auto& f : find_versioned(dir, file, h)) {
    if (std::regex_match(f.path.filename().string(), down)) continue;
    add_linear(h, f, file_text(f.path), 1);
  }
  finish_linear(h);
  return h;
}

}  // namespace pgdrift::schema::history
