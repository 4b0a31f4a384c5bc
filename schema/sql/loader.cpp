// The SQL loader's driver: reading files, parsing with libpg_query, locating statements, and
// dispatching each statement to its load_<kind>.cpp.
#include "schema/sql/loader.h"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>
#include <tuple>

#include "schema/canonical.h"
#include "schema/large_stack.h"
#include "schema/parse_tree.h"
#include "schema/sql/load_context.h"
#include "schema/sql/psql_meta.h"
#include "schema/sql/tree_read.h"

namespace pgdrift::schema::sql {

namespace fs = std::filesystem;

LoadError::LoadError(std::string file, int line, int column, const std::string& message,
                     bool syntax_error)
    : std::runtime_error(line > 0 ? file + ":" + std::to_string(line) + ":" +
                                        std::to_string(column) + ": " + message
                                  : file + ": " + message),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(message),
      syntax_error_(syntax_error) {}

// Byte offset of the first token at or after `offset`: skips whitespace and -- / nested /* */
// comments, because a RawStmt starts right after the previous semicolon.
int skip_space_and_comments(const std::string& text, int offset) {
  size_t i = std::max(offset, 0);
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      i = end_of_block_comment(text, i);
    } else {
      break;
    }
  }
  return static_cast<int>(std::min(i, text.size()));
}

namespace {

// 1-based line and column (in characters) of a byte offset, scanning on from a known
// position (`start` with `line`/`column`) when it lies before the offset.
std::pair<int, int> line_and_column(const std::string& text, int byte_offset, size_t start = 0,
                                    int line = 1, int column = 1) {
  size_t end = std::min(static_cast<size_t>(std::max(byte_offset, 0)), text.size());
  if (start > end) {
    start = 0;
    line = 1;
    column = 1;
  }
  for (size_t i = start; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

// Byte offset of the first invalid UTF-8 sequence, or -1.
int first_invalid_utf8(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = text[i];
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || c == 0xC0 || c == 0xC1 || c > 0xF4 || i + len > text.size())
      return static_cast<int>(i);
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = text[i + k];
      if ((cc & 0xC0) != 0x80) return static_cast<int>(i);
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong encodings, surrogates, and NUL bytes (PostgreSQL rejects those too).
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)
      return static_cast<int>(i);
    i += len;
  }
  return -1;
}

}  // namespace

int byte_offset_of_char(const std::string& text, int char_pos) {
  int chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (++chars == char_pos) return static_cast<int>(i);
  }
  return static_cast<int>(text.size());
}

namespace {

// The message type name of a node case, e.g. "CreateRoleStmt".
std::string node_type_name(const PgQuery__Node* node) {
  const ProtobufCFieldDescriptor* field =
      protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor, node->node_case);
  if (field == nullptr || field->descriptor == nullptr) return "unknown";
  return static_cast<const ProtobufCMessageDescriptor*>(field->descriptor)->short_name;
}

// The first schema of a search_path value ("x, public", "\"$user\", public"); "" when none.
std::string first_search_path_schema(const std::vector<std::string>& items) {
  for (std::string item : items) {
    std::stringstream parts(item);
    std::string part;
    while (std::getline(parts, part, ',')) {
      auto b = part.find_first_not_of(" \t\n");
      auto e = part.find_last_not_of(" \t\n");
      if (b == std::string::npos) continue;
      part = part.substr(b, e - b + 1);
      if (part.size() >= 2 && part.front() == '"' && part.back() == '"')
        part = part.substr(1, part.size() - 2);
      else
        std::transform(part.begin(), part.end(), part.begin(),
                       [](unsigned char ch) { return std::tolower(ch); });
      if (part == "$user" || part == "pg_catalog" || part.empty()) continue;
      return part;
    }
  }
  return "";
}

bool is_function_call_to(const PgQuery__Node* node, const std::string& function) {
  if (node == nullptr || node->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) return false;
  const auto* fc = node->func_call;
  std::vector<std::string> names = string_list(fc->funcname, fc->n_funcname);
  if (names.empty() || names.back() != function) return false;
  return names.size() == 1 || (names.size() == 2 && names[0] == "pg_catalog");
}

// SELECT pg_catalog.set_config(...) / setval(...) as pg_dump writes them: a schema-neutral
// SELECT of only those calls. Applies set_config('search_path', ...) and returns true.
bool apply_dump_select(LoadContext& ctx, const PgQuery__SelectStmt* select) {
  if (select->n_from_clause != 0 || select->n_target_list == 0) return false;
  for (size_t i = 0; i < select->n_target_list; ++i) {
    const PgQuery__Node* target = select->target_list[i];
    if (target->node_case != PG_QUERY__NODE__NODE_RES_TARGET) return false;
    const PgQuery__Node* value = target->res_target->val;
    if (is_function_call_to(value, "setval")) continue;
    if (!is_function_call_to(value, "set_config")) return false;
    const auto* fc = value->func_call;
    if (fc->n_args >= 2) {
      auto name = string_constant(fc->args[0]);
      auto setting = string_constant(fc->args[1]);
      if (name && *name == "search_path" && setting) {
        std::string schema = first_search_path_schema({*setting});
        if (!schema.empty()) ctx.search_schema = schema;
      }
    }
  }
  return true;
}

// SET ROLE r / SET SESSION AUTHORIZATION r (and their RESET): the role that creates the
// objects that follow, whose default privileges they get.
void apply_role_set(LoadContext& ctx, const PgQuery__VariableSetStmt* set) {
  if (set->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT ||
      set->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET || set->n_args == 0) {
    ctx.current_role.clear();
    return;
  }
  auto role = string_constant(set->args[0]);
  if (!role) return;
  ctx.current_role = *role == "none" ? "" : *role;
}

void apply_variable_set(LoadContext& ctx, const PgQuery__VariableSetStmt* set) {
  if (set->name != nullptr &&
      (std::string(set->name) == "role" || std::string(set->name) == "session_authorization"))
    return apply_role_set(ctx, set);
  if (set->name == nullptr || std::string(set->name) != "search_path") return;
  if (set->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT ||
      set->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET) {
    ctx.search_schema = ctx.options.default_schema;
    return;
  }
  std::vector<std::string> items;
  for (size_t i = 0; i < set->n_args; ++i) {
    // Already case-folded identifiers; quote them so the splitter keeps their case.
    if (auto item = string_constant(set->args[i])) items.push_back("\"" + *item + "\"");
  }
  std::string schema = first_search_path_schema(items);
  if (!schema.empty()) ctx.search_schema = schema;
}

void dispatch(LoadContext& ctx, const PgQuery__Node* node) {
  switch (node->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
      return load_create_table(ctx, node->create_stmt);
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
      return load_alter_table(ctx, node->alter_table_stmt);
    case PG_QUERY__NODE__NODE_INDEX_STMT:
      return load_create_index(ctx, node->index_stmt);
    case PG_QUERY__NODE__NODE_RENAME_STMT:
      return load_rename(ctx, node->rename_stmt);
    case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
      return load_create_sequence(ctx, node->create_seq_stmt);
    case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
      return load_alter_sequence(ctx, node->alter_seq_stmt);
    case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
      return load_create_enum(ctx, node->create_enum_stmt);
    case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
      return load_alter_enum(ctx, node->alter_enum_stmt);
    case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT:
      return load_create_composite_type(ctx, node->composite_type_stmt);
    case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
      return load_create_domain(ctx, node->create_domain_stmt);
    case PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT:
      return load_alter_domain(ctx, node->alter_domain_stmt);
    case PG_QUERY__NODE__NODE_VIEW_STMT:
      return load_create_view(ctx, node->view_stmt);
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
      return load_create_table_as(ctx, node->create_table_as_stmt);
    case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
      return load_create_function(ctx, node->create_function_stmt);
    case PG_QUERY__NODE__NODE_ALTER_FUNCTION_STMT:
      return load_alter_function(ctx, node->alter_function_stmt);
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
      return load_create_trigger(ctx, node->create_trig_stmt);
    case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT:
      return load_create_extension(ctx, node->create_extension_stmt);
    case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
      return load_create_schema(ctx, node->create_schema_stmt);
    case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
      return load_create_policy(ctx, node->create_policy_stmt);
    case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT:
      return load_alter_policy(ctx, node->alter_policy_stmt);
    case PG_QUERY__NODE__NODE_GRANT_STMT:
      return load_grant(ctx, node->grant_stmt);
    case PG_QUERY__NODE__NODE_DEFINE_STMT:
      if (node->define_stmt->kind == PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE)
        return load_create_aggregate(ctx, node->define_stmt);
      if (node->define_stmt->kind == PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION)
        return load_create_collation(ctx, node->define_stmt);
      break;
    case PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT:
      return load_alter_default_privileges(ctx, node->alter_default_privileges_stmt);
    case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT:
      return load_alter_owner(ctx, node->alter_owner_stmt);
    case PG_QUERY__NODE__NODE_DROP_STMT:
      return load_drop(ctx, node->drop_stmt);
    case PG_QUERY__NODE__NODE_COMMENT_STMT:
      return load_comment(ctx, node->comment_stmt);

    // Statements of a dump or migration that do not change the schema model.
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
      return apply_variable_set(ctx, node->variable_set_stmt);
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:  // BEGIN / COMMIT / ROLLBACK
    case PG_QUERY__NODE__NODE_VACUUM_STMT:       // VACUUM / ANALYZE
    case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT:
    case PG_QUERY__NODE__NODE_ALTER_COLLATION_STMT:  // REFRESH VERSION: versions are not modelled
      return;
    case PG_QUERY__NODE__NODE_SELECT_STMT:
      if (apply_dump_select(ctx, node->select_stmt)) return;
      break;

    // Data statements (seed data in migrations) do not change the schema: they are skipped,
    // but always listed as warnings so nobody believes the data was applied.
    case PG_QUERY__NODE__NODE_INSERT_STMT:
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
    case PG_QUERY__NODE__NODE_DELETE_STMT:
    case PG_QUERY__NODE__NODE_COPY_STMT:
      ctx.warnings.push_back(LoadWarning{
          ctx.location_at(0), ctx.column_at(0),
          "data statement ignored (" + node_type_name(node) + "): not part of the schema"});
      return;

    case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT:
    case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT:
    case PG_QUERY__NODE__NODE_ALTER_ROLE_SET_STMT:
    case PG_QUERY__NODE__NODE_DROP_ROLE_STMT:
    case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT:
      return ctx.unsupported(0, node_type_name(node) +
                                    " statement (roles are cluster-level, outside the schema "
                                    "model)");
    default:
      break;
  }
  ctx.unsupported(0, node_type_name(node) + " statement");
}

// A psql meta-command other than the schema-neutral ones: unsupported like a statement (an
// error, or a warning with skip_unsupported), never dropped silently. `\connect` would send the
// rest of the script to another database.
void meta_command(LoadContext& ctx, const MetaCommand& command) {
  if (is_schema_neutral_meta_command(command.name)) return;
  auto [line, column] = line_and_column(ctx.text, command.offset);
  const std::string message = unsupported_meta_command_message(command.name);
  if (!ctx.options.skip_unsupported) throw LoadError(ctx.file, line, column, message);
  ctx.warnings.push_back(LoadWarning{SourceLocation{ctx.file, line}, column, message});
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError(path.string(), 0, 0, "cannot read file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw LoadError(path.string(), 0, 0, "cannot read file");
  return buffer.str();
}

}  // namespace

// ---- LoadContext -----------------------------------------------------------------------------

namespace {
std::pair<int, int> cached_line_and_column(const LoadContext& ctx, int byte_offset) {
  int offset = byte_offset > 0 ? byte_offset : skip_space_and_comments(ctx.text, ctx.stmt_location);
  if (ctx.line_starts.empty()) {
    ctx.line_starts.push_back(0);
    for (size_t i = 0; i < ctx.text.size(); ++i)
      if (ctx.text[i] == '\n') ctx.line_starts.push_back(i + 1);
  }
  size_t end = std::min(static_cast<size_t>(std::max(offset, 0)), ctx.text.size());
  auto next_line = std::upper_bound(ctx.line_starts.begin(), ctx.line_starts.end(), end);
  size_t line_index = static_cast<size_t>(next_line - ctx.line_starts.begin()) - 1;
  // Scanning from the line's start counts the column in characters, as before.
  return line_and_column(ctx.text, static_cast<int>(end), ctx.line_starts[line_index],
                         static_cast<int>(line_index) + 1, 1);
}
}  // namespace

SourceLocation LoadContext::location_at(int byte_offset) const {
  return SourceLocation{file, cached_line_and_column(*this, byte_offset).first};
}

int LoadContext::column_at(int byte_offset) const {
  return cached_line_and_column(*this, byte_offset).second;
}

namespace {
constexpr std::string_view kRenamedFromMarker = "pgdrift:renamed-from";

// The annotation in the `--` comment of the line [begin, end): its offset and old name, or
// npos. The name is an identifier as SQL reads it: "quoted" kept exactly, else lower-cased.
std::pair<size_t, std::string> annotation_in_line(const std::string& text, size_t begin, size_t end,
                                                  bool comment_only) {
  const std::string line = text.substr(begin, end - begin);
  // The `--` right before the marker (a string literal holding `--` earlier on the line, or a
  // comment about something else, is not it).
  size_t dashes = std::string::npos, at = std::string::npos;
  for (size_t d = line.find("--"); d != std::string::npos; d = line.find("--", d + 1)) {
    size_t word = line.find_first_not_of(" \t", d + 2);
    if (word != std::string::npos &&
        line.compare(word, kRenamedFromMarker.size(), kRenamedFromMarker) == 0) {
      dashes = d;
      at = word;
      break;
    }
  }
  if (dashes == std::string::npos) return {std::string::npos, ""};
  if (comment_only && line.find_first_not_of(" \t\r") != dashes) return {std::string::npos, ""};
  size_t pos = line.find_first_not_of(" \t", at + kRenamedFromMarker.size());
  std::string name;
  if (pos != std::string::npos && line[pos] == '"') {
    for (++pos; pos < line.size(); ++pos) {
      if (line[pos] == '"') {
        if (pos + 1 < line.size() && line[pos + 1] == '"') {
          name += '"';
          ++pos;
          continue;
        }
        break;
      }
      name += line[pos];
    }
  } else {
    for (; pos < line.size() && !std::isspace(static_cast<unsigned char>(line[pos])); ++pos)
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(line[pos])));
  }
  return {begin + dashes, name};
}
}  // namespace

std::string LoadContext::renamed_from_at(int byte_offset, const std::string& what) {
  int offset = byte_offset > 0 ? byte_offset : skip_space_and_comments(text, stmt_location);
  const int line = location_at(offset).line;  // builds line_starts
  auto line_end = [&](size_t index) {
    return index + 1 < line_starts.size() ? line_starts[index + 1] - 1 : text.size();
  };
  const size_t index = static_cast<size_t>(line - 1);
  auto [at, name] = annotation_in_line(text, line_starts[index], line_end(index), false);
  // The line above belongs to the object that begins the next line, not to one further on it
  // (`CREATE TABLE t (id int,`: the table's, not id's).
  const bool begins_line =
      text.find_first_not_of(" \t", line_starts[index]) == static_cast<size_t>(offset);
  if (at == std::string::npos && index > 0 && begins_line)
    std::tie(at, name) =
        annotation_in_line(text, line_starts[index - 1], line_end(index - 1), true);
  if (at == std::string::npos) return "";
  if (name.empty()) fail(static_cast<int>(at), "pgdrift:renamed-from needs the old name");
  auto [it, inserted] = claimed_renames.emplace(at, what);
  if (!inserted && it->second != what)
    fail(static_cast<int>(at), "this pgdrift:renamed-from annotation applies to both " +
                                   it->second + " and " + what +
                                   ": put it alone on the line directly above the one renamed");
  return name;
}

void LoadContext::fail(int byte_offset, const std::string& message) const {
  SourceLocation where = location_at(byte_offset);
  throw LoadError(where.file, where.line, column_at(byte_offset), message);
}

void LoadContext::unsupported(int byte_offset, const std::string& what) {
  const std::string message = "not supported: " + what;
  if (!options.skip_unsupported) fail(byte_offset, message);
  warnings.push_back(LoadWarning{location_at(byte_offset), column_at(byte_offset), message});
}

std::string LoadContext::schema_or_default(const char* schemaname) const {
  return schemaname != nullptr && schemaname[0] != '\0' ? std::string(schemaname) : search_schema;
}

std::string LoadContext::key_of(const PgQuery__RangeVar* rv) const {
  return qualified_key(schema_or_default(rv->schemaname), rv->relname);
}

void LoadContext::default_grants(std::vector<Grant>& grants, const std::string& object_type,
                                 const std::string& schema_name) const {
  if (model.default_privileges.empty()) return;
  for (const Grant& g : created_grants(model, current_role, object_type, schema_name))
    if (std::find(grants.begin(), grants.end(), g) == grants.end()) grants.push_back(g);
  std::sort(grants.begin(), grants.end());
}

Table& LoadContext::table(const PgQuery__RangeVar* rv) {
  auto it = model.tables.find(key_of(rv));
  if (it == model.tables.end())
    fail(rv->location, "table " + quote_qualified(schema_or_default(rv->schemaname), rv->relname) +
                           " does not exist");
  return it->second;
}

// ---- entry points ----------------------------------------------------------------------------

void apply_sql(Model& model, const std::string& sql, const std::string& filename,
               const LoadOptions& options, std::vector<LoadWarning>& warnings) {
  // Parsing and every walk over the tree recurse per nesting level (schema/large_stack.h).
  if (!on_large_stack())
    return run_on_large_stack([&] { apply_sql(model, sql, filename, options, warnings); });
  if (int bad = first_invalid_utf8(sql); bad >= 0) {
    auto [line, column] = line_and_column(sql, bad);
    throw LoadError(filename, line, column, "invalid UTF-8 byte sequence", true);
  }
  // psql meta-commands become spaces: the same offsets, lines and columns, SQL only.
  std::string text = sql;
  const std::vector<MetaCommand> meta_commands = blank_meta_commands(text);
  parse_tree::ParseTree parsed;
  try {
    parsed = parse_tree::parse_text(text);
  } catch (const parse_tree::ParseError& e) {
    int offset = e.offset() < 0 ? static_cast<int>(text.size()) : e.offset();
    auto [line, column] = line_and_column(text, offset);
    throw LoadError(filename, line, column, e.what(), true);
  }
  const PgQuery__ParseResult* tree = parsed.get();

  LoadContext ctx{model, options, filename, text, warnings, options.default_schema,
                  0,     {},      {},       {},   {}};
  // Meta-commands are taken in file order with the statements: each one before the statement
  // whose text it is in or precedes.
  size_t next_meta = 0;
  for (size_t i = 0; i < tree->n_stmts; ++i) {
    const PgQuery__RawStmt* raw = tree->stmts[i];
    const int64_t end = raw->stmt_len > 0 ? int64_t{raw->stmt_location} + raw->stmt_len
                                          : static_cast<int64_t>(text.size());
    for (; next_meta < meta_commands.size() && meta_commands[next_meta].offset < end; ++next_meta)
      meta_command(ctx, meta_commands[next_meta]);
    if (raw->stmt == nullptr) continue;
    ctx.stmt_location = raw->stmt_location;
    ctx.names.begin_statement(ctx.model, ctx.search_schema, raw->stmt);
    dispatch(ctx, raw->stmt);
    ctx.names.end_statement(ctx.model);
    if (options.after_statement)
      options.after_statement(ctx.model,
                              ctx.location_at(skip_space_and_comments(text, raw->stmt_location)));
  }
  for (; next_meta < meta_commands.size(); ++next_meta) meta_command(ctx, meta_commands[next_meta]);
}

std::vector<std::string> sql_files(const std::string& path) {
  std::error_code ec;
  const fs::path root(path);
  if (!fs::exists(root, ec)) throw LoadError(path, 0, 0, "no such file or directory");
  if (!fs::is_directory(root, ec)) return {path};
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(root, ec), end;
  if (ec) throw LoadError(path, 0, 0, "cannot read directory: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw LoadError(path, 0, 0, "cannot read directory: " + ec.message());
    if (it->is_regular_file(ec) && it->path().extension() == ".sql") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());  // path order: "a/b.sql" before "a-c.sql"
  if (files.empty()) throw LoadError(path, 0, 0, "no .sql files in " + path);
  return std::vector<std::string>(files.begin(), files.end());
}

std::string read_sql_file(const std::string& path) { return read_file(path); }

LoadResult load_path(const std::string& path, const LoadOptions& options) {
  LoadResult result;
  for (const auto& file : sql_files(path))
    apply_sql(result.model, read_file(file), file, options, result.warnings);
  return result;
}

}  // namespace pgdrift::schema::sql
