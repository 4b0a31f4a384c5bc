// psql meta-commands in a script, found with psql's lexing rules (psqlscan.l): what is inside a
// literal, a quoted identifier, a dollar quote or a comment is SQL text, a backslash anywhere
// else starts a meta-command that runs to the end of the line.
#include "schema/sql/psql_meta.h"

#include <cstring>

namespace pgdrift::schema::sql {

namespace {

bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_tag_char(unsigned char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
// Identifiers may hold `$` after their first character (`a$b`): no dollar quote starts there.
bool is_ident_char(unsigned char c) { return is_tag_char(c) || c == '$'; }

// The end (one past) of the string literal whose opening quote is at `quote`; with
// `backslash_escapes` (E'...') a backslash quotes the next byte.
size_t end_of_string(const std::string& text, size_t quote, bool backslash_escapes) {
  size_t i = quote + 1;
  while (i < text.size()) {
    if (backslash_escapes && text[i] == '\\') {
      i += 2;
    } else if (text[i] == '\'') {
      if (i + 1 < text.size() && text[i + 1] == '\'') {
        i += 2;
      } else {
        return i + 1;
      }
    } else {
      ++i;
    }
  }
  return text.size();
}

// The end of the quoted identifier at `quote` ("" inside doubles a quote).
size_t end_of_quoted_identifier(const std::string& text, size_t quote) {
  size_t i = quote + 1;
  while (i < text.size()) {
    if (text[i] == '"') {
      if (i + 1 < text.size() && text[i + 1] == '"') {
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return text.size();
}

// The length of the dollar-quote delimiter ($$ or $tag$) at `dollar`, 0 when there is none.
size_t dollar_delimiter_length(const std::string& text, size_t dollar) {
  size_t i = dollar + 1;
  if (i < text.size() && is_ident_start(static_cast<unsigned char>(text[i]))) {
    while (i < text.size() && is_tag_char(static_cast<unsigned char>(text[i]))) ++i;
  }
  return i < text.size() && text[i] == '$' ? i + 1 - dollar : 0;
}

}  // namespace

std::vector<MetaCommand> blank_meta_commands(std::string& text) {
  std::vector<MetaCommand> commands;
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      MetaCommand command;
      command.offset = static_cast<int>(i);
      size_t end = i + 1;
      while (end < text.size() && text[end] != '\n' && text[end] != '\\' &&
             !std::strchr(" \t\r\f\v", text[end])) {
        command.name += text[end];
        ++end;
      }
      while (end < text.size() && text[end] != '\n') ++end;
      for (size_t k = i; k < end; ++k) text[k] = ' ';
      commands.push_back(std::move(command));
      i = end;
    } else if (c == '-' && text.compare(i, 2, "--") == 0) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '/' && text.compare(i, 2, "/*") == 0) {
      i = end_of_block_comment(text, i);
    } else if (c == '\'') {
      i = end_of_string(text, i, false);
    } else if (c == '"') {
      i = end_of_quoted_identifier(text, i);
    } else if (c == '$') {
      const size_t length = dollar_delimiter_length(text, i);
      if (length == 0) {
        ++i;  // a parameter ($1) or a stray dollar
        continue;
      }
      const std::string delimiter = text.substr(i, length);
      const size_t close = text.find(delimiter, i + length);
      i = close == std::string::npos ? text.size() : close + length;
    } else if (is_ident_start(c)) {
      // A whole identifier or keyword, then a string prefix: only E'' makes backslashes
      // escapes (U&'', B'', X'', N'' end at a quote like standard strings).
      const size_t start = i;
      while (i < text.size() && is_ident_char(static_cast<unsigned char>(text[i]))) ++i;
      const size_t length = i - start;
      if (i < text.size() && text[i] == '\'' && length == 1 && (c == 'E' || c == 'e')) {
        i = end_of_string(text, i, true);
      }
    } else if (c >= '0' && c <= '9') {
      // A number, with what psql reads as its trailing identifier characters (1e5, 0x1F).
      while (i < text.size() && is_tag_char(static_cast<unsigned char>(text[i]))) ++i;
    } else {
      ++i;
    }
  }
  return commands;
}

bool is_schema_neutral_meta_command(const std::string& name) {
  return name == "restrict" || name == "unrestrict";
}

std::string unsupported_meta_command_message(const std::string& name) {
  return "not supported: psql meta-command \\" + name +
         " (only \\restrict and \\unrestrict, which do not change the schema, are skipped)";
}

size_t end_of_block_comment(const std::string& text, size_t start) {
  int depth = 0;
  size_t i = start;
  while (i < text.size()) {
    if (text.compare(i, 2, "/*") == 0) {
      ++depth;
      i += 2;
    } else if (text.compare(i, 2, "*/") == 0) {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return text.size();
}

}  // namespace pgdrift::schema::sql
