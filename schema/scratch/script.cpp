#include "schema/scratch/script.h"

#include <pg_query.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>

#include "schema/parse_tree.h"
#include "schema/sql/loader.h"

namespace pgdrift::schema::scratch {

namespace {

// (location, length) of each statement as the parser splits them; length 0 = to the end. Text
// that does not parse is one statement: PostgreSQL's parser, which libpg_query is, rejects it
// as a whole before running any of it, with the error's position in the whole text.
std::vector<std::pair<int, int>> statement_spans(const std::string& text) {
  PgQuerySplitResult split = pg_query_split_with_parser(text.c_str());
  std::vector<std::pair<int, int>> spans;
  if (split.error != nullptr) {
    spans.emplace_back(0, 0);
  } else {
    for (int i = 0; i < split.n_stmts; ++i)
      spans.emplace_back(split.stmts[i]->stmt_location, split.stmts[i]->stmt_len);
  }
  pg_query_free_split_result(split);
  return spans;
}

// The tree of `text`, or nothing when it does not parse.
std::optional<parse_tree::ParseTree> parse_or_nothing(const std::string& text) {
  try {
    return parse_tree::parse_text(text);
  } catch (const parse_tree::ParseError&) {
    return std::nullopt;
  }
}

// N of the outermost "PL/pgSQL function inline_code_block line N" (or "... near line N" of a
// body that does not compile) in an error context: the DO block of the statement itself. 0 when
// the error did not come from a DO block's body.
int inline_code_block_line(const std::string& context) {
  int line = 0;
  for (const char* marker : {"inline_code_block line ", "inline_code_block\" near line "}) {
    size_t at = context.rfind(marker);
    if (at != std::string::npos) {
      line = std::atoi(context.c_str() + at + std::string(marker).size());
      if (line > 0) break;
    }
  }
  return line;
}

// Byte offset in a DO statement of its body's string literal (the `$$` or `'` that opens it),
// -1 when `sql` is not a DO statement.
int do_body_offset(const std::string& sql) {
  PgQueryScanResult scan = pg_query_scan(sql.c_str());
  int offset = -1;
  if (scan.error == nullptr) {
    PgQuery__ScanResult* tokens = pg_query__scan_result__unpack(
        nullptr, scan.pbuf.len, reinterpret_cast<const uint8_t*>(scan.pbuf.data));
    if (tokens != nullptr && tokens->n_tokens > 0 &&
        tokens->tokens[0]->token == PG_QUERY__TOKEN__DO) {
      for (size_t i = 1; i < tokens->n_tokens; ++i) {
        if (tokens->tokens[i]->token == PG_QUERY__TOKEN__LANGUAGE) {
          ++i;  // the language's name, which may be a string literal too
          continue;
        }
        if (tokens->tokens[i]->token == PG_QUERY__TOKEN__SCONST) {
          offset = tokens->tokens[i]->start;
          break;
        }
      }
    }
    if (tokens != nullptr) pg_query__scan_result__free_unpacked(tokens, nullptr);
  }
  pg_query_free_scan_result(scan);
  return offset;
}

}  // namespace

std::vector<ScriptStatement> split_statements(const std::string& text) {
  std::vector<ScriptStatement> statements;
  for (auto [location, length] : statement_spans(text)) {
    int end = length > 0 ? location + length : static_cast<int>(text.size());
    end = std::min(end, static_cast<int>(text.size()));
    int start = sql::skip_space_and_comments(text, location);
    if (start >= end) continue;
    statements.push_back(ScriptStatement{text.substr(start, end - start), start});
  }
  return statements;
}

int line_of(const std::string& text, int offset) {
  size_t end = std::min(static_cast<size_t>(std::max(offset, 0)), text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + end, '\n'));
}

int error_line(const std::string& text, const ScriptStatement& statement,
               const pg::StatementError& error) {
  if (int body_line = inline_code_block_line(error.context); body_line > 0) {
    int body = do_body_offset(statement.sql);
    // PL/pgSQL counts the body's lines from the one its opening quote is on.
    if (body >= 0) return line_of(text, statement.offset + body) + body_line - 1;
  }
  if (error.position > 0)
    return line_of(text,
                   statement.offset + sql::byte_offset_of_char(statement.sql, error.position));
  return line_of(text, statement.offset);
}

void ScriptNeeds::add(const std::string& text, const std::string& file, int first_line) {
  auto tree = parse_or_nothing(text);
  if (!tree) return;
  for (size_t i = 0; i < (*tree)->n_stmts; ++i) {
    const PgQuery__RawStmt* raw = (*tree)->stmts[i];
    if (raw->stmt == nullptr) continue;
    parse_tree::visit_nodes(&raw->stmt->base, [&](const PgQuery__Node* node) {
      switch (node->node_case) {
        case PG_QUERY__NODE__NODE_ROLE_SPEC:
          if (node->role_spec->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING)
            named_roles_.insert(node->role_spec->rolename);
          break;
        case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT:
          created_roles_.insert(node->create_role_stmt->role);
          break;
        case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT:  // GRANT r TO s: r is an AccessPriv
          for (size_t k = 0; k < node->grant_role_stmt->n_granted_roles; ++k) {
            const PgQuery__Node* granted = node->grant_role_stmt->granted_roles[k];
            if (granted->node_case == PG_QUERY__NODE__NODE_ACCESS_PRIV &&
                granted->access_priv->priv_name != nullptr)
              named_roles_.insert(granted->access_priv->priv_name);
          }
          break;
        case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT: {
          int offset = sql::skip_space_and_comments(text, raw->stmt_location);
          extensions_.push_back(ExtensionUse{node->create_extension_stmt->extname, file,
                                             line_of(text, offset) + first_line - 1});
          break;
        }
        default:
          break;
      }
    });
  }
}

std::set<std::string> ScriptNeeds::roles_named_not_created() const {
  std::set<std::string> roles;
  for (const auto& role : named_roles_)
    if (!created_roles_.count(role)) roles.insert(role);
  return roles;
}

}  // namespace pgdrift::schema::scratch
