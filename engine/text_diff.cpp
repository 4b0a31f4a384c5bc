#include "engine/text_diff.h"

#include <cctype>
#include <dtl/dtl.hpp>
#include <sstream>
#include <vector>

namespace pgdrift::engine {

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The clause keywords a line starts with, longest first so that "LEFT JOIN" wins over "JOIN".
const std::vector<std::string>& clause_words() {
  static const std::vector<std::string> words = {
      "UNION ALL",       "INTERSECT ALL", "EXCEPT ALL", "LEFT OUTER JOIN", "RIGHT OUTER JOIN",
      "FULL OUTER JOIN", "LEFT JOIN",     "RIGHT JOIN", "FULL JOIN",       "CROSS JOIN",
      "INNER JOIN",      "GROUP BY",      "ORDER BY",   "ON CONFLICT",     "JOIN",
      "SELECT",          "FROM",          "WHERE",      "HAVING",          "WINDOW",
      "LIMIT",           "OFFSET",        "UNION",      "INTERSECT",       "EXCEPT",
      "RETURNING"};
  return words;
}

// Whether `sql` at `i` starts `word` (case-insensitive, whole words).
bool starts_word(const std::string& sql, size_t i, const std::string& word) {
  if (i > 0 && word_char(sql[i - 1])) return false;
  if (i + word.size() > sql.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (std::toupper(static_cast<unsigned char>(sql[i + k])) != word[k]) return false;
  return i + word.size() == sql.size() || !word_char(sql[i + word.size()]);
}

}  // namespace

std::string unified_diff(const std::string& before, const std::string& after,
                         const std::string& before_label, const std::string& after_label) {
  if (before == after) return "";
  dtl::Diff<std::string> diff(lines_of(before), lines_of(after));
  diff.compose();
  diff.composeUnifiedHunks();
  std::ostringstream out;
  out << "--- " << before_label << "\n+++ " << after_label << "\n";
  diff.printUnifiedFormat(out);
  return out.str();
}

std::string pretty_sql(const std::string& sql) {
  if (sql.find('\n') != std::string::npos) return sql;
  std::string out;
  int depth = 0;
  bool in_select_list = false;
  for (size_t i = 0; i < sql.size();) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // quoted text, '' / "" doubled inside
      size_t end = i + 1;
      while (end < sql.size()) {
        if (sql[end] == c) {
          if (end + 1 < sql.size() && sql[end + 1] == c) {
            end += 2;
            continue;
          }
          break;
        }
        ++end;
      }
      out.append(sql, i, end + 1 - i);
      i = end + 1;
      continue;
    }
    if (c == '$') {  // $tag$ ... $tag$
      size_t tag_end = sql.find('$', i + 1);
      bool tag = tag_end != std::string::npos;
      for (size_t k = i + 1; tag && k < tag_end; ++k) tag = word_char(sql[k]);
      if (tag) {
        const std::string delimiter = sql.substr(i, tag_end + 1 - i);
        size_t close = sql.find(delimiter, tag_end + 1);
        size_t end = close == std::string::npos ? sql.size() : close + delimiter.size();
        out.append(sql, i, end - i);
        i = end;
        continue;
      }
    }
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) --depth;
    if (depth == 0 && std::isalpha(static_cast<unsigned char>(c))) {
      bool broke = false;
      for (const auto& word : clause_words()) {
        if (!starts_word(sql, i, word)) continue;
        while (!out.empty() && out.back() == ' ') out.pop_back();
        if (!out.empty()) out += '\n';
        out.append(sql, i, word.size());
        i += word.size();
        in_select_list = word == "SELECT";
        broke = true;
        break;
      }
      if (broke) continue;
    }
    if (c == ',' && depth == 0 && in_select_list) {
      out += ",\n   ";
      ++i;
      while (i < sql.size() && sql[i] == ' ') ++i;
      out += ' ';
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace pgdrift::engine
