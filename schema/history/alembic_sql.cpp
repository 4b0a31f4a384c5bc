// The output of `alembic upgrade --sql` ("offline mode"): one SQL file in which every
// revision starts with a `-- Running upgrade <parents> -> <revision>` comment.
//
// Bookkeeping is dropped knowingly: INSERT / UPDATE / DELETE on alembic_version write data,
// not schema, and BEGIN / COMMIT only frame the script. The CREATE TABLE alembic_version
// before the first revision IS kept (it is a real table of the migrated database, so a live
// comparison sees it); it is counted as part of the first revision.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "schema/history/history.h"
#include "schema/text.h"

namespace pgdrift::schema::history {

namespace {

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

struct Marker {
  bool upgrade = true;
  std::string parents;  // comma-separated, as written
  std::string revision;
};

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// `-- Running upgrade <parents> -> <revision>` (or downgrade) in a trimmed line, read by hand
// in one pass: std::regex recurses per character and overflows the stack on a long line.
// <revision> is the last word; the arrow is the first `->` that only blanks separate from it,
// or the first inside the last word with something after it.
std::optional<Marker> running_marker(const std::string& t) {
  if (t.rfind("--", 0) != 0) return std::nullopt;
  size_t p = 2;
  while (p < t.size() && is_space(t[p])) ++p;
  static const std::string running = "Running ";
  if (t.compare(p, running.size(), running) != 0) return std::nullopt;
  p += running.size();
  Marker marker;
  if (t.compare(p, 7, "upgrade") == 0) {
    p += 7;
  } else if (t.compare(p, 9, "downgrade") == 0) {
    marker.upgrade = false;
    p += 9;
  } else {
    return std::nullopt;
  }
  size_t end = t.size();
  while (end > p && is_space(t[end - 1])) --end;
  size_t word = end;  // start of the last word
  while (word > p && !is_space(t[word - 1])) --word;
  size_t blanks = word;  // start of the blanks before it
  while (blanks > p && is_space(t[blanks - 1])) --blanks;
  for (size_t arrow = t.find("->", p); arrow != std::string::npos && arrow + 2 <= end;
       arrow = t.find("->", arrow + 1)) {
    size_t after = arrow + 2;
    if (after < blanks) continue;  // more than blanks between it and the last word
    size_t revision = std::max(after, word);
    if (revision >= end) break;
    size_t begin = p;
    while (begin < arrow && is_space(t[begin])) ++begin;
    size_t parents_end = arrow;
    while (parents_end > begin && is_space(t[parents_end - 1])) --parents_end;
    marker.parents = t.substr(begin, parents_end - begin);
    marker.revision = t.substr(revision, end - revision);
    return marker;
  }
  return std::nullopt;
}

}  // namespace

History read_alembic_sql(const std::string& sql_file) {
  std::ifstream in(sql_file, std::ios::binary);
  if (!in) throw std::runtime_error(sql_file + ": cannot read");

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
    if (auto marker = running_marker(t)) {
      in_bookkeeping = false;
      if (!marker->upgrade) {
        problems.push_back(
            Problem{SourceLocation{sql_file, number}, "downgrade scripts are not replayed"});
        target = Nowhere;
        continue;
      }
      Migration m;
      m.id = marker->revision;
      m.name = m.id;
      m.file = sql_file;
      m.parents = split_ids(marker->parents);
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
