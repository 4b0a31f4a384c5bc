// The output of `alembic upgrade --sql` ("offline mode"): one SQL file in which every
// revision starts with a `-- Running upgrade <parents> -> <revision>` comment.
//
// Bookkeeping is dropped knowingly: INSERT / UPDATE / DELETE on alembic_version write data,
// not schema, and BEGIN / COMMIT only frame the script. The CREATE TABLE alembic_version
// before the first revision IS kept (it is a real table of the migrated database, so a live
// comparison sees it); it is counted as part of the first revision.
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "schema/history/history.h"

namespace pgdrift::schema::history {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_bookkeeping_start(const std::string& trimmed) {
  std::string l = lower(trimmed);
  for (const char* prefix :
       {"insert into alembic_version", "update alembic_version", "delete from alembic_version"})
    if (l.rfind(prefix, 0) == 0) return true;
  return l == "begin;" || l == "commit;" || l == "begin transaction;";
}

std::vector<std::string> split_ids(const std::string& list) {
  std::vector<std::string> ids;
  std::stringstream in(list);
  std::string id;
  while (std::getline(in, id, ',')) {
    id = trim(id);
    if (!id.empty()) ids.push_back(id);
  }
  return ids;
}

}  // namespace

History read_alembic_sql(const std::string& sql_file) {
  std::ifstream in(sql_file, std::ios::binary);
  if (!in) throw std::runtime_error(sql_file + ": cannot read");
  static const std::regex marker(R"(^--\s*Running (upgrade|downgrade)\s*(.*?)\s*->\s*(\S+)\s*$)");

  std::vector<Migration> migrations;
  Statement preamble{"", SourceLocation{sql_file, 1}};
  // Where lines go: the preamble, the last migration's statement, or nowhere (downgrades).
  enum { Preamble, Last, Nowhere } target = Preamble;
  std::vector<Problem> problems;
  std::string line;
  int number = 0;
  bool in_bookkeeping = false;
  while (std::getline(in, line)) {
    ++number;
    std::string t = trim(line);
    std::smatch match;
    if (std::regex_match(t, match, marker)) {
      in_bookkeeping = false;
      if (match[1] == "downgrade") {
        problems.push_back(
            Problem{SourceLocation{sql_file, number}, "downgrade scripts are not replayed"});
        target = Nowhere;
        continue;
      }
      Migration m;
      m.id = match[3].str();
      m.name = m.id;
      m.file = sql_file;
      m.parents = split_ids(match[2].str());
      m.statements.push_back(Statement{"", SourceLocation{sql_file, number + 1}});
      migrations.push_back(std::move(m));
      target = Last;
      continue;
    }
    if (!in_bookkeeping && is_bookkeeping_start(t)) in_bookkeeping = true;
    // Dropped lines stay as empty lines so that line numbers keep matching the file.
    bool keep = !in_bookkeeping;
    if (in_bookkeeping && !t.empty() && t.back() == ';') in_bookkeeping = false;
    std::string text = (keep ? line : std::string()) + "\n";
    if (target == Preamble) preamble.sql += text;
    if (target == Last) migrations.back().statements.back().sql += text;
  }
  if (migrations.empty()) throw std::runtime_error(sql_file + ": no `-- Running upgrade` markers");
  if (trim(preamble.sql).size())
    migrations.front().statements.insert(migrations.front().statements.begin(), preamble);
  History h;
  h.kind = "alembic-sql";
  h.path = sql_file;
  h.problems = problems;
  order_history(h, migrations);
  return h;
}

}  // namespace pgdrift::schema::history
