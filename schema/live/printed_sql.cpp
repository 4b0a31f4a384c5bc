// Scanners for the SQL text printed by PostgreSQL's pg_get_*def functions.
#include "schema/live/printed_sql.h"

#include <cctype>

namespace pgdrift::schema::live {
namespace {

std::string trimmed(const std::string& s) {
  const size_t begin = s.find_first_not_of(' ');
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(' ') - begin + 1);
}

// End (one past) of the identifier or quoted identifier starting at `i`.
size_t identifier_end(const std::string& s, size_t i) {
  if (i < s.size() && s[i] == '"') {
    for (++i; i < s.size(); ++i) {
      if (s[i] == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          ++i;  // "" inside a quoted identifier
          continue;
        }
        return i + 1;
      }
    }
    return s.size();
  }
  while (i < s.size() &&
         (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '$'))
    ++i;
  return i;
}

}  // namespace

std::vector<std::string> split_top_level(const std::string& s) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  char quote = '\0';
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = '\0';
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      parts.push_back(trimmed(current));
      current.clear();
      continue;
    }
    current += c;
  }
  parts.push_back(trimmed(current));
  return parts;
}

size_t matching_paren(const std::string& s, size_t open) {
  int depth = 0;
  char quote = '\0';
  for (size_t i = open; i < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == quote) quote = '\0';
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return i;
    }
  }
  return std::string::npos;
}

std::pair<std::string, std::string> split_key_element(const std::string& element) {
  size_t end = 0;
  if (!element.empty() && element[0] == '(') {
    end = matching_paren(element, 0);
    end = end == std::string::npos ? element.size() : end + 1;
  } else {
    // name, schema.name, or a function call name(...)
    end = identifier_end(element, 0);
    while (end < element.size() && element[end] == '.') end = identifier_end(element, end + 1);
    if (end < element.size() && element[end] == '(') {
      const size_t close = matching_paren(element, end);
      end = close == std::string::npos ? element.size() : close + 1;
    }
  }
  return {element.substr(0, end), element.substr(end)};
}

std::vector<std::string> index_key_elements(const std::string& index_def,
                                            const std::string& method) {
  const std::string marker = " USING " + method + " (";
  const size_t at = index_def.find(marker);
  if (at == std::string::npos) return {};
  const size_t open = at + marker.size() - 1;
  const size_t close = matching_paren(index_def, open);
  if (close == std::string::npos) return {};
  return split_top_level(index_def.substr(open + 1, close - open - 1));
}

std::string collation_after_key(const std::string& suffix) {
  const std::string marker = " COLLATE ";
  if (suffix.rfind(marker, 0) != 0) return "";
  size_t end = identifier_end(suffix, marker.size());
  while (end < suffix.size() && suffix[end] == '.') end = identifier_end(suffix, end + 1);
  return suffix.substr(marker.size(), end - marker.size());
}

std::string trigger_when(const std::string& def) {
  const size_t execute = def.rfind(" EXECUTE FUNCTION ");
  if (execute == std::string::npos) return "";
  for (size_t when = def.find(" WHEN ("); when != std::string::npos && when < execute;
       when = def.find(" WHEN (", when + 1)) {
    const size_t open = when + 6;
    const size_t close = matching_paren(def, open);
    if (close != std::string::npos && close + 1 == execute)
      return def.substr(open + 1, close - open - 1);
  }
  return "";
}

}  // namespace pgdrift::schema::live
