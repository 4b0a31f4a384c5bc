#include "schema/parse_tree.h"

#include <pg_query.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "schema/canonical.h"
#include "schema/sql/loader.h"

namespace pgdrift::schema::parse_tree {

void ParseResultDeleter::operator()(PgQuery__ParseResult* r) const {
  pg_query__parse_result__free_unpacked(r, nullptr);
}

void NodeDeleter::operator()(PgQuery__Node* n) const { pg_query__node__free_unpacked(n, nullptr); }

namespace {

// ---- protobuf wire format, read without recursion ----
struct Wire {
  const uint8_t* p;
  const uint8_t* end;

  bool varint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
      uint8_t byte = *p++;
      value |= uint64_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  // Skips a field of wire type 0, 1 or 5; false for anything else or a truncated field.
  bool skip(unsigned wire_type) {
    uint64_t ignored;
    if (wire_type == 0) return varint(ignored);
    size_t size = wire_type == 1 ? 8 : wire_type == 5 ? 4 : SIZE_MAX;
    if (size == SIZE_MAX || static_cast<size_t>(end - p) < size) return false;
    p += size;
    return true;
  }
};

// The byte offset of a token in a statement whose nesting, bounded by its tokens, goes beyond
// kMaxScannedNesting; -1 when every statement stays within it (or the text does not scan: the
// parser reports that). The bound: a level of the tree above its leaves takes an operator, a
// keyword or punctuation (names and constants are leaves), a comma or semicolon ends a list
// element (its siblings are not below it), and a bracketed group is one level above the deepest
// of its elements. So an element is at most (its structural tokens outside brackets + its
// deepest group) deep, up to the few nodes a token makes, counted with one counter per open
// bracket.
int token_nesting_beyond_limit(const std::string& sql) {
  PgQueryScanResult scan = pg_query_scan(sql.c_str());
  std::unique_ptr<PgQueryScanResult, void (*)(PgQueryScanResult*)> guard(
      &scan, [](PgQueryScanResult* r) { pg_query_free_scan_result(*r); });
  if (scan.error != nullptr) return -1;
  struct Level {
    size_t tokens = 0;  // of the current element, outside brackets
    size_t inner = 0;   // the deepest group of the current element
    size_t deepest = 0;
  };
  std::vector<Level> levels(1);
  auto end_element = [](Level& level) {
    level.deepest = std::max(level.deepest, level.tokens + level.inner);
    level.tokens = level.inner = 0;
  };
  auto field_id = [](const ProtobufCMessageDescriptor& message, const char* name) {
    return protobuf_c_message_descriptor_get_field_by_name(&message, name)->id;
  };
  static const unsigned tokens_field = field_id(pg_query__scan_result__descriptor, "tokens");
  static const unsigned start_field = field_id(pg_query__scan_token__descriptor, "start");
  static const unsigned token_field = field_id(pg_query__scan_token__descriptor, "token");
  Wire wire{reinterpret_cast<const uint8_t*>(scan.pbuf.data),
            reinterpret_cast<const uint8_t*>(scan.pbuf.data) + scan.pbuf.len};
  while (wire.p < wire.end) {
    uint64_t key, size;
    if (!wire.varint(key)) return -1;
    if ((key & 7) != 2) {
      if (!wire.skip(key & 7)) return -1;
      continue;
    }
    if (!wire.varint(size) || size > static_cast<size_t>(wire.end - wire.p)) return -1;
    Wire token{wire.p, wire.p + size};
    wire.p += size;
    if ((key >> 3) != tokens_field) continue;
    uint64_t start = 0, kind = 0;
    while (token.p < token.end) {
      uint64_t field;
      if (!token.varint(field)) return -1;
      if ((field & 7) != 0) {
        if (!token.skip(field & 7)) return -1;
        continue;
      }
      uint64_t value;
      if (!token.varint(value)) return -1;
      if ((field >> 3) == start_field) start = value;
      if ((field >> 3) == token_field) kind = value;
    }
    Level& level = levels.back();
    size_t depth = 0;
    switch (kind) {
      case PG_QUERY__TOKEN__SQL_COMMENT:
      case PG_QUERY__TOKEN__C_COMMENT:
      case PG_QUERY__TOKEN__IDENT:
      case PG_QUERY__TOKEN__UIDENT:
      case PG_QUERY__TOKEN__FCONST:
      case PG_QUERY__TOKEN__SCONST:
      case PG_QUERY__TOKEN__USCONST:
      case PG_QUERY__TOKEN__BCONST:
      case PG_QUERY__TOKEN__XCONST:
      case PG_QUERY__TOKEN__ICONST:
      case PG_QUERY__TOKEN__PARAM:
        continue;
      case PG_QUERY__TOKEN__ASCII_40:  // (
      case PG_QUERY__TOKEN__ASCII_91:  // [
        levels.emplace_back();
        continue;
      case PG_QUERY__TOKEN__ASCII_41:      // )
      case PG_QUERY__TOKEN__ASCII_93:      // ]
        if (levels.size() == 1) continue;  // unbalanced: the parser's error
        end_element(level);
        depth = level.deepest + 1;
        levels.pop_back();
        levels.back().inner = std::max(levels.back().inner, depth);
        depth = levels.back().tokens + levels.back().inner;
        break;
      case PG_QUERY__TOKEN__ASCII_44:  // ,
      case PG_QUERY__TOKEN__ASCII_59:  // ;
        end_element(level);
        continue;
      default:
        depth = ++level.tokens + level.inner;
    }
    if (depth > kMaxScannedNesting) return static_cast<int>(start);
  }
  return -1;
}

// The byte offset (RawStmt.stmt_location) of the first statement whose tree nests Node messages
// deeper than kMaxTreeDepth; -1 when none is. Reads the packed tree iteratively, guided by the
// message descriptors, before anything recursive (unpacking) touches it.
int statement_beyond_depth(const PgQueryProtobuf& packed) {
  struct Frame {
    const ProtobufCMessageDescriptor* descriptor;
    const uint8_t* end;
    int nodes;  // Node messages from the root down to this one
  };
  static const unsigned stmt_location = protobuf_c_message_descriptor_get_field_by_name(
                                            &pg_query__raw_stmt__descriptor, "stmt_location")
                                            ->id;
  const auto* data = reinterpret_cast<const uint8_t*>(packed.data);
  Wire wire{data, data + packed.len};
  std::vector<Frame> frames{{&pg_query__parse_result__descriptor, wire.end, 0}};
  bool too_deep = false;
  int location = 0;
  while (true) {
    while (frames.size() > 1 && wire.p >= frames.back().end) {
      frames.pop_back();
      if (too_deep && frames.size() == 1) return location;  // the end of its RawStmt
    }
    if (wire.p >= frames.back().end) return -1;
    wire.end = frames.back().end;
    uint64_t key;
    if (!wire.varint(key)) return -1;
    const unsigned field = static_cast<unsigned>(key >> 3), wire_type = key & 7;
    if (wire_type == 0 && frames.size() == 2 && field == stmt_location) {
      uint64_t value;
      if (!wire.varint(value)) return -1;
      location = static_cast<int>(value);
      continue;
    }
    if (wire_type != 2) {
      if (!wire.skip(wire_type)) return -1;
      continue;
    }
    uint64_t size;
    if (!wire.varint(size) || size > static_cast<size_t>(wire.end - wire.p)) return -1;
    const ProtobufCFieldDescriptor* descriptor =
        protobuf_c_message_descriptor_get_field(frames.back().descriptor, field);
    if (descriptor == nullptr || descriptor->type != PROTOBUF_C_TYPE_MESSAGE) {
      wire.p += size;
      continue;
    }
    const auto* message = static_cast<const ProtobufCMessageDescriptor*>(descriptor->descriptor);
    int nodes = frames.back().nodes + (message == &pg_query__node__descriptor ? 1 : 0);
    if (nodes > kMaxTreeDepth && frames.size() >= 2) {
      // Skip the rest of the statement's tree; its RawStmt's stmt_location follows it.
      too_deep = true;
      wire.p = frames.size() > 2 ? frames[2].end : wire.p + size;
      frames.resize(2);
      continue;
    }
    if (frames.size() == 1) location = 0;  // a new RawStmt: 0 is left out of the wire
    frames.push_back(Frame{message, wire.p + size, nodes});
  }
}

}  // namespace

ParseTree parse_text(const std::string& sql) {
  if (sql.size() > kUnscannedTextBytes) {
    int at = token_nesting_beyond_limit(sql);
    if (at >= 0)
      throw ParseError(at, "statement nested too deeply to parse: an expression of more than " +
                               std::to_string(kMaxScannedNesting) +
                               " operators and keywords between two commas");
  }
  PgQueryProtobufParseResult result = pg_query_parse_protobuf(sql.c_str());
  std::unique_ptr<PgQueryProtobufParseResult, void (*)(PgQueryProtobufParseResult*)> guard(
      &result, [](PgQueryProtobufParseResult* r) { pg_query_free_protobuf_parse_result(*r); });
  if (result.error != nullptr) {
    int offset =
        result.error->cursorpos > 0 ? sql::byte_offset_of_char(sql, result.error->cursorpos) : -1;
    throw ParseError(offset, result.error->message != nullptr ? result.error->message : "error");
  }
  int deep = statement_beyond_depth(result.parse_tree);
  if (deep >= 0)  // a RawStmt starts right after the previous semicolon
    throw ParseError(sql::skip_space_and_comments(sql, deep),
                     "statement nested too deeply: more than " + std::to_string(kMaxTreeDepth) +
                         " levels of parse-tree nodes");
  ParseTree tree(pg_query__parse_result__unpack(
      nullptr, result.parse_tree.len, reinterpret_cast<const uint8_t*>(result.parse_tree.data)));
  if (!tree) throw ParseError(-1, "cannot decode the parse tree");
  return tree;
}

ParseTree parse(const std::string& sql) {
  // The text in messages, shortened: a statement refused for its size is long.
  auto quoted = [&sql] {
    return "`" + (sql.size() > 200 ? sql.substr(0, 200) + "..." : sql) + "`";
  };
  ParseTree tree;
  try {
    tree = parse_text(sql);
  } catch (const ParseError& e) {
    throw CanonicalError("cannot parse " + quoted() + ": " + e.what());
  }
  if (tree->n_stmts == 0 || tree->stmts[0]->stmt == nullptr) {
    throw CanonicalError("cannot parse " + quoted() + ": no statement");
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
