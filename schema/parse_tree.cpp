#include "schema/parse_tree.h"

#include <pg_query.h>

#include <vector>

#include "schema/canonical.h"

namespace pgdrift::schema::parse_tree {

void ParseResultDeleter::operator()(PgQuery__ParseResult* r) const {
  pg_query__parse_result__free_unpacked(r, nullptr);
}

void NodeDeleter::operator()(PgQuery__Node* n) const { pg_query__node__free_unpacked(n, nullptr); }

ParseTree parse(const std::string& sql) {
  PgQueryProtobufParseResult result = pg_query_parse_protobuf(sql.c_str());
  if (result.error != nullptr) {
    std::string message = result.error->message != nullptr ? result.error->message : "error";
    pg_query_free_protobuf_parse_result(result);
    throw CanonicalError("cannot parse `" + sql + "`: " + message);
  }
  ParseTree tree(pg_query__parse_result__unpack(
      nullptr, result.parse_tree.len, reinterpret_cast<const uint8_t*>(result.parse_tree.data)));
  pg_query_free_protobuf_parse_result(result);
  if (!tree || tree->n_stmts == 0 || tree->stmts[0]->stmt == nullptr) {
    throw CanonicalError("cannot parse `" + sql + "`: no statement");
  }
  return tree;
}

PgQuery__Node* first_statement(const ParseTree& tree) { return tree->stmts[0]->stmt; }

std::string deparse_statement(const PgQuery__Node* stmt) {
  // Stack-built wrapper: pack only reads the tree, so nothing here is owned or freed.
  PgQuery__RawStmt raw = PG_QUERY__RAW_STMT__INIT;
  raw.stmt = const_cast<PgQuery__Node*>(stmt);
  PgQuery__RawStmt* raw_list[] = {&raw};
  PgQuery__ParseResult result = PG_QUERY__PARSE_RESULT__INIT;
  result.version = PG_VERSION_NUM;
  result.n_stmts = 1;
  result.stmts = raw_list;

  std::vector<uint8_t> buffer(pg_query__parse_result__get_packed_size(&result));
  pg_query__parse_result__pack(&result, buffer.data());
  PgQueryProtobuf packed{buffer.size(), reinterpret_cast<char*>(buffer.data())};
  PgQueryDeparseResult deparsed = pg_query_deparse_protobuf(packed);
  if (deparsed.error != nullptr) {
    std::string message = deparsed.error->message != nullptr ? deparsed.error->message : "error";
    pg_query_free_deparse_result(deparsed);
    throw CanonicalError("cannot deparse expression: " + message);
  }
  std::string text = deparsed.query;
  pg_query_free_deparse_result(deparsed);
  return text;
}

std::string deparse_expression(const PgQuery__Node* expr) {
  PgQuery__ResTarget target = PG_QUERY__RES_TARGET__INIT;
  target.val = const_cast<PgQuery__Node*>(expr);
  PgQuery__Node target_node = PG_QUERY__NODE__INIT;
  target_node.node_case = PG_QUERY__NODE__NODE_RES_TARGET;
  target_node.res_target = &target;
  PgQuery__Node* targets[] = {&target_node};
  PgQuery__SelectStmt select = PG_QUERY__SELECT_STMT__INIT;
  select.n_target_list = 1;
  select.target_list = targets;
  select.limit_option = PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
  select.op = PG_QUERY__SET_OPERATION__SETOP_NONE;
  PgQuery__Node stmt = PG_QUERY__NODE__INIT;
  stmt.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
  stmt.select_stmt = &select;

  std::string text = deparse_statement(&stmt);
  const std::string prefix = "SELECT ";
  if (text.compare(0, prefix.size(), prefix) != 0) {
    throw CanonicalError("unexpected deparse output: " + text);
  }
  return text.substr(prefix.size());
}

NodePtr copy(const PgQuery__Node* node) {
  std::vector<uint8_t> buffer(pg_query__node__get_packed_size(node));
  pg_query__node__pack(node, buffer.data());
  NodePtr result(pg_query__node__unpack(nullptr, buffer.size(), buffer.data()));
  if (!result) throw CanonicalError("cannot copy parse tree node");
  return result;
}

void visit_nodes(const ProtobufCMessage* message,
                 const std::function<void(const PgQuery__Node*)>& visit) {
  if (message == nullptr) return;
  if (message->descriptor == &pg_query__node__descriptor)
    visit(reinterpret_cast<const PgQuery__Node*>(message));
  // Only read: the walk hands out writable slots, which nothing here writes.
  walk_children(const_cast<ProtobufCMessage*>(message),
                [&](PgQuery__Node** slot) { visit_nodes(&(*slot)->base, visit); });
}

std::string string_value(const PgQuery__Node* node) {
  if (node != nullptr && node->node_case == PG_QUERY__NODE__NODE_STRING &&
      node->string != nullptr && node->string->sval != nullptr)
    return node->string->sval;
  return "";
}

std::vector<std::string> string_list(PgQuery__Node* const* nodes, size_t count) {
  std::vector<std::string> result;
  for (size_t i = 0; i < count; ++i) result.push_back(string_value(nodes[i]));
  return result;
}

std::string last_name(PgQuery__Node* const* nodes, size_t count) {
  return count == 0 ? "" : string_value(nodes[count - 1]);
}

}  // namespace pgdrift::schema::parse_tree
