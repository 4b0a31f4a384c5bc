// SQL text as schema/scratch runs it in PostgreSQL: split into statements that keep their place
// in the file, what PostgreSQL's errors point at (file lines, also inside DO blocks), and what a
// script needs from the server before it runs (roles it names, extensions it creates).
// Pure text and parse-tree work: no database (tests/unit covers it).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "pg/session.h"

namespace pgdrift::schema::scratch {

// One statement of a SQL text: its text from its first token to its end (without the `;`) and
// where that first token is in the text.
struct ScriptStatement {
  std::string sql;
  int offset = 0;  // byte offset of the first token in the text
};

// The statements of `text` as PostgreSQL's parser (libpg_query) splits them, so that semicolons
// inside dollar quotes, DO blocks and BEGIN ATOMIC bodies stay inside their statement. Text
// that does not parse is one statement: PostgreSQL rejects it as a whole, before running any
// of it, with its SQLSTATE and the error's position (as psql would stop at the first bad
// statement). Empty statements are left out.
std::vector<ScriptStatement> split_statements(const std::string& text);

// 1-based line of `text` that PostgreSQL's error for `statement` points at: the error position
// when PostgreSQL reports one; for a failure inside a DO block's PL/pgSQL body ("PL/pgSQL
// function inline_code_block line N" in the error context), line N of the body; else the line
// of the statement's first token.
int error_line(const std::string& text, const ScriptStatement& statement,
               const pg::StatementError& error);

// 1-based line of a byte offset in `text`.
int line_of(const std::string& text, int offset);

// A CREATE EXTENSION statement of a script.
struct ExtensionUse {
  std::string name;
  std::string file;
  int line = 0;
};

// What a set of scripts needs from the server before it runs. Only top-level statements are
// seen: a role named or an extension created inside a DO block or a function body is met by
// PostgreSQL when it runs. Text that does not parse adds nothing (PostgreSQL reports the
// syntax error).
class ScriptNeeds {
 public:
  // Adds what `text` (the file `file`, whose line `first_line` is the text's line 1) needs.
  void add(const std::string& text, const std::string& file, int first_line = 1);

  // Roles the scripts name (GRANT ... TO r, OWNER TO r, policies, GRANT r TO s, ...) but do not
  // create. A fresh cluster has only its built-in roles, and roles are not part of the schema
  // model: the scratch loader creates the missing ones before the scripts run.
  std::set<std::string> roles_named_not_created() const;
  // CREATE EXTENSION statements, in order: the extension must be installed on this machine.
  const std::vector<ExtensionUse>& extensions() const { return extensions_; }

 private:
  std::set<std::string> named_roles_;
  std::set<std::string> created_roles_;
  std::vector<ExtensionUse> extensions_;
};

}  // namespace pgdrift::schema::scratch
