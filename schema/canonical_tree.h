// Internal to the canonical form: owning wrappers around libpg_query's protobuf-c parse trees,
// and the parse / deparse / deep-copy primitives the normaliser is built from.
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <memory>
#include <string>

namespace pgdrift::schema::canonical_tree {

struct ParseResultDeleter {
  void operator()(PgQuery__ParseResult* r) const;
};
struct NodeDeleter {
  void operator()(PgQuery__Node* n) const;
};
// An unpacked parse tree; every node in it is malloc'd by protobuf-c and freed recursively.
using ParseTree = std::unique_ptr<PgQuery__ParseResult, ParseResultDeleter>;
using NodePtr = std::unique_ptr<PgQuery__Node, NodeDeleter>;

// Parse SQL text into a protobuf-c tree; throws CanonicalError with the parser's message.
ParseTree parse(const std::string& sql);
// The first statement's node of a parse tree (never null: parse() rejects empty input).
PgQuery__Node* first_statement(const ParseTree& tree);

// Deparse one statement node (not owned, not modified).
std::string deparse_statement(const PgQuery__Node* stmt);
// Deparse an expression node by wrapping it as `SELECT <expr>` and stripping "SELECT ".
std::string deparse_expression(const PgQuery__Node* expr);

// Deep copy via pack / unpack; the copy is malloc'd like every unpacked node.
NodePtr copy(const PgQuery__Node* node);

}  // namespace pgdrift::schema::canonical_tree
