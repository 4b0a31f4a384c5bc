// A small static reader for the subset of Python that migration files are written in:
// module-level assignments, imports, `def` blocks, `with ... as x:` blocks and call
// expressions made of literals, names, attribute access, calls, lists, tuples and dicts.
// Nothing is executed. Anything outside the subset is kept as an Unknown value or an Other
// statement with its line, so that callers can report it instead of guessing.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgdrift::schema::history::python {

struct Token {
  enum Kind { Name, Number, String, Op, Newline, Indent, Dedent, End } kind = End;
  std::string text;  // Name / Number / Op text; String: the decoded value
  int line = 0;
  std::string prefix;  // String: lower-case prefix letters ("r", "b", "f", "rb", ...)
  size_t offset = 0;   // byte offset of the token's first character in the source
};

// Text that is not Python, or too big or too deeply nested to read: an unterminated string,
// a bracket never closed or closed by the wrong kind, bad indentation, the limits below.
// line() and column() (1-based, column in characters) say where, as CPython would.
class SyntaxError : public std::runtime_error {
 public:
  SyntaxError(int line, int column, const std::string& message);
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  int line_;
  int column_;
  std::string message_;
};

// Limits that keep reading bounded in time, memory and stack on any input. The first two are
// CPython's own (Parser/tokenizer.h MAXLEVEL and MAXINDENT): a file beyond them is no Python.
inline constexpr size_t kMaxBracketDepth = 200;  // "too many nested parentheses"
inline constexpr size_t kMaxIndentLevels = 100;  // "too many levels of indentation"
inline constexpr size_t kMaxTokens = 1'000'000;  // a migration file is far smaller

// Tokens of `source`. Strings next to each other are not joined here (the parser does it).
// Throws SyntaxError on an unterminated string, unbalanced or mismatched brackets, bad
// indentation or a limit exceeded.
std::vector<Token> tokenize(const std::string& source);

struct Value;
using ValuePtr = std::shared_ptr<const Value>;

struct Value {
  enum Kind { None, Bool, Number, String, Name, Call, List, Tuple, Dict, Unknown } kind = Unknown;
  int line = 0;
  std::string text;        // Bool "True"/"False", Number text, String value, Name dotted
                           // ("sa.Column"), Call: dotted callee, Unknown: why it is not understood
  bool formatted = false;  // String: an f-string with {placeholders}
  std::vector<ValuePtr> items;    // Call positional args, List / Tuple items, Dict values
  std::vector<std::string> keys;  // Call keyword names (parallel to kwargs), Dict keys
  std::vector<ValuePtr> kwargs;   // Call keyword values

  const Value* kwarg(const std::string& name) const;  // nullptr when absent
};

struct Statement {
  enum Kind { Expr, Assign, Def, With, Import, Pass, Other } kind = Other;
  int line = 0;
  std::string keyword;  // Other: first word ("if", "for", "return", ...); Def: its name
  std::vector<std::string> targets;  // Assign: target names; With: the `as` name
  ValuePtr value;                    // Expr / Assign value, With context expression
  std::vector<Statement> body;       // Def / With / compound Other
  // Import: (local name, dotted module path) pairs, e.g. {"sa", "sqlalchemy"},
  // {"UUID", "sqlalchemy.dialects.postgresql.UUID"}.
  std::vector<std::pair<std::string, std::string>> imports;
};

// Parse a module into statements. Throws SyntaxError when the token structure itself is
// broken (see tokenize(), and a block expected but missing).
std::vector<Statement> parse_module(const std::string& source);

}  // namespace pgdrift::schema::history::python
