// libpg_query's protobuf-c parse trees, shared by the canonical form and the SQL loader:
// owning wrappers, parse / deparse / deep copy, the one walk over a tree, and the plain node
// readers both need. The loader's own readers (names, DefElems, roles, ...) build on these in
// schema/sql/tree_read.h, which is where the loader takes all of them from.
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgdrift::schema::parse_tree {

struct ParseResultDeleter {
  void operator()(PgQuery__ParseResult* r) const;
};
struct NodeDeleter {
  void operator()(PgQuery__Node* n) const;
};
// An unpacked parse tree; every node in it is malloc'd by protobuf-c and freed recursively.
using ParseTree = std::unique_ptr<PgQuery__ParseResult, ParseResultDeleter>;
using NodePtr = std::unique_ptr<PgQuery__Node, NodeDeleter>;

// ---- reading SQL within bounds ---------------------------------------------------------------
// Every walk over a parse tree recurses once per nesting level (libpg_query's output, protobuf-c,
// the deparser, the canonical form, the loader), so a tree may be no deeper than a stack can
// hold. Like PostgreSQL's max_stack_depth, whose default (2 MB) refuses about 10,000 nested
// operators: pgdrift refuses statements nested deeper than kMaxTreeDepth parse-tree nodes, with
// their place, and runs its tree walks on a kLargeStackBytes stack (large_stack.h), which
// holds that depth with room to spare (docs/cli.md, "Limits").
inline constexpr int kMaxTreeDepth = 10000;
// libpg_query builds its output before any depth can be checked, recursing about 360 bytes of
// stack per level and in time quadratic in the depth (protobuf-c sizes every nested message
// again at each level: 80,000 levels take 5 s). A level takes at least two bytes of SQL (`+1`),
// so texts up to kUnscannedTextBytes are at most 32,768 levels deep; longer ones are first run
// through the scanner, which bounds each statement's depth by its tokens (parse_text), and
// refused beyond kMaxScannedNesting.
inline constexpr size_t kUnscannedTextBytes = size_t{64} << 10;
inline constexpr size_t kMaxScannedNesting = 4 * kMaxTreeDepth;

// SQL text libpg_query does not parse, or a statement beyond the limits above. offset() is the
// byte offset in the text the message is about (the parser's cursor, the statement), or -1
// for its end.
class ParseError : public std::runtime_error {
 public:
  ParseError(int offset, const std::string& message)
      : std::runtime_error(message), offset_(offset) {}
  int offset() const { return offset_; }

 private:
  int offset_;
};

// Parse SQL text (any number of statements) into an unpacked tree, within the limits above;
// throws ParseError. Run it, and the walks over its result, on a large stack.
ParseTree parse_text(const std::string& sql);

// Parse SQL text into a protobuf-c tree (parse_text); throws CanonicalError with the parser's
// message.
ParseTree parse(const std::string& sql);
// The first statement's node of a parse tree (never null: parse() rejects empty input).
PgQuery__Node* first_statement(const ParseTree& tree);

// Deparse one statement node (not owned, not modified).
std::string deparse_statement(const PgQuery__Node* stmt);
// Deparse an expression node by wrapping it as `SELECT <expr>` and stripping "SELECT ".
std::string deparse_expression(const PgQuery__Node* expr);

// Deep copy via pack / unpack; the copy is malloc'd like every unpacked node.
NodePtr copy(const PgQuery__Node* node);

// ---- walking ---------------------------------------------------------------------------------
// Calls `on_node(slot)` for every non-null Node slot right below `message`, reached through the
// non-Node messages in between (TypeName, Alias, ...; of a oneof only the active member). It does
// not go below a Node: `on_node` decides whether to (walk_children(&(*slot)->base, ...)), and may
// replace *slot. The one walk over parse trees; visit_nodes is the read-only form.
template <typename OnNode>
void walk_children(ProtobufCMessage* message, OnNode&& on_node) {
  const ProtobufCMessageDescriptor* descriptor = message->descriptor;
  char* base = reinterpret_cast<char*>(message);
  for (unsigned i = 0; i < descriptor->n_fields; ++i) {
    const ProtobufCFieldDescriptor* field = &descriptor->fields[i];
    if (field->type != PROTOBUF_C_TYPE_MESSAGE) continue;
    if ((field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
        *reinterpret_cast<uint32_t*>(base + field->quantifier_offset) != field->id) {
      continue;  // an inactive member of the Node union
    }
    auto visit = [&](ProtobufCMessage** child) {
      if (*child == nullptr) return;
      if (field->descriptor == &pg_query__node__descriptor) {
        on_node(reinterpret_cast<PgQuery__Node**>(child));
      } else {
        walk_children(*child, on_node);
      }
    };
    if (field->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t count = *reinterpret_cast<size_t*>(base + field->quantifier_offset);
      auto** items = *reinterpret_cast<ProtobufCMessage***>(base + field->offset);
      for (size_t k = 0; k < count; ++k) visit(&items[k]);
    } else {
      visit(reinterpret_cast<ProtobufCMessage**>(base + field->offset));
    }
  }
}

// Calls `visit` on every Node in the tree under `message` (pre-order), `message` itself included
// when it is a Node.
void visit_nodes(const ProtobufCMessage* message,
                 const std::function<void(const PgQuery__Node*)>& visit);

// ---- plain node readers ----------------------------------------------------------------------
// sval of a String node ("" for anything else, null included).
std::string string_value(const PgQuery__Node* node);
// string_value of each of a list of nodes, e.g. a qualified name.
std::vector<std::string> string_list(PgQuery__Node* const* nodes, size_t count);
// string_value of the last of a list of nodes ("" for none), e.g. the name in a qualified
// function, operator or type name.
std::string last_name(PgQuery__Node* const* nodes, size_t count);

}  // namespace pgdrift::schema::parse_tree
