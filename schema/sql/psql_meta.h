// Internal to schema/: psql meta-commands (`\restrict KEY`, `\connect db`, ...) in a script.
// pg_dump writes some (15.14+ opens and closes every dump with \restrict / \unrestrict), and
// neither libpg_query nor a PostgreSQL server knows any, so the SQL loader (loader.cpp) and the
// scratch loader (scratch/scratch_loader.cpp) take them out of the text before parsing or
// running it and decide about each one alike: skipped when it does not change the schema, else
// unsupported, with its file:line:column.
#pragma once

#include <string>
#include <vector>

namespace pgdrift::schema::sql {

struct MetaCommand {
  int offset = 0;    // byte offset of the backslash
  std::string name;  // the command without its backslash: "restrict", "connect", "."
};

// Finds every psql meta-command of `text` the way psql's lexer does: a backslash outside string
// literals (standard, E'', U&''), quoted identifiers, dollar quotes and comments starts one,
// which runs to the end of its line. Each one is overwritten with spaces (line breaks kept), so
// the text parses as the SQL around it and every byte offset, line and column stays the same.
std::vector<MetaCommand> blank_meta_commands(std::string& text);

// True for the meta-commands that cannot change the schema a script defines: \restrict and
// \unrestrict (pg_dump's guard against meta-commands hidden in the dumped data).
bool is_schema_neutral_meta_command(const std::string& name);

// What both loaders say of a meta-command that is not schema-neutral (after "file:line:col: ").
std::string unsupported_meta_command_message(const std::string& name);

// The end of the /* */ comment that starts at `start` (comments nest, as in PostgreSQL); the end
// of the text when it is not closed.
size_t end_of_block_comment(const std::string& text, size_t start);

}  // namespace pgdrift::schema::sql
