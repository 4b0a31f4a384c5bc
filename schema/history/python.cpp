#include "schema/history/python.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

namespace pgdrift::schema::history::python {

const Value* Value::kwarg(const std::string& name) const {
  for (size_t i = 0; i < keys.size() && i < kwargs.size(); ++i)
    if (keys[i] == name) return kwargs[i].get();
  return nullptr;
}

SyntaxError::SyntaxError(int line, int column, const std::string& message)
    : std::runtime_error("line " + std::to_string(line) + ", column " + std::to_string(column) +
                         ": " + message),
      line_(line),
      column_(column),
      message_(message) {}

namespace {

// 1-based column, in characters, of the byte `offset` of `source`.
int column_of(const std::string& source, size_t offset) {
  offset = std::min(offset, source.size());
  size_t start = offset;
  while (start > 0 && source[start - 1] != '\n') --start;
  int column = 1;
  for (size_t i = start; i < offset; ++i)
    if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80) ++column;
  return column;
}

[[noreturn]] void fail(const std::string& source, int line, size_t offset,
                       const std::string& message) {
  throw SyntaxError(line, column_of(source, offset), message);
}

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_char(char c) {
  return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

class Tokenizer {
 public:
  explicit Tokenizer(const std::string& s) : src_(s) {}

  std::vector<Token> run() {
    indents_.push_back(0);
    at_line_start_ = true;
    while (pos_ < src_.size()) {
      if (at_line_start_ && brackets_.empty()) {
        if (!handle_indentation()) continue;
      }
      start_ = pos_;
      char c = src_[pos_];
      if (c == '\n') {
        newline();
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        ++pos_;
        continue;
      }
      if (c == '#') {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
        continue;
      }
      if (c == '\\' && pos_ + 1 < src_.size() &&
          (src_[pos_ + 1] == '\n' || src_[pos_ + 1] == '\r')) {
        pos_ +=
            (src_[pos_ + 1] == '\r' && pos_ + 2 < src_.size() && src_[pos_ + 2] == '\n') ? 3 : 2;
        ++line_;
        continue;
      }
      if (string_start()) continue;
      if (is_name_start(c)) {
        size_t start = pos_;
        while (pos_ < src_.size() && is_name_char(src_[pos_])) ++pos_;
        push(Token::Name, src_.substr(start, pos_ - start));
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c)) ||
          (c == '.' && pos_ + 1 < src_.size() &&
           std::isdigit(static_cast<unsigned char>(src_[pos_ + 1])))) {
        size_t start = pos_;
        while (pos_ < src_.size()) {
          char d = src_[pos_];
          bool exp_sign = (d == '+' || d == '-') && pos_ > start &&
                          (src_[pos_ - 1] == 'e' || src_[pos_ - 1] == 'E') &&
                          !(src_[start] == '0' && pos_ > start + 1 &&
                            (src_[start + 1] == 'x' || src_[start + 1] == 'X'));
          if (std::isalnum(static_cast<unsigned char>(d)) || d == '.' || d == '_' || exp_sign)
            ++pos_;
          else
            break;
        }
        push(Token::Number, src_.substr(start, pos_ - start));
        continue;
      }
      operator_token();
    }
    if (!brackets_.empty()) {  // the innermost bracket left open, as CPython names it
      const Bracket& open = brackets_.back();
      fail(src_, open.line, open.offset, std::string("'") + open.kind + "' was never closed");
    }
    if (!tokens_.empty() && tokens_.back().kind != Token::Newline &&
        tokens_.back().kind != Token::Dedent)
      push(Token::Newline, "");
    while (indents_.size() > 1) {
      indents_.pop_back();
      push(Token::Dedent, "");
    }
    push(Token::End, "");
    return tokens_;
  }

 private:
  void push(Token::Kind kind, std::string text, int line = 0, std::string prefix = {}) {
    if (tokens_.size() >= kMaxTokens)
      fail(src_, line_, start_,
           "file too large to read: more than " + std::to_string(kMaxTokens) + " tokens");
    tokens_.push_back(Token{kind, std::move(text), line ? line : line_, std::move(prefix), start_});
    at_line_start_ = false;
    line_has_tokens_ = true;
  }

  void newline() {
    start_ = pos_;
    ++pos_;
    if (brackets_.empty() && line_has_tokens_) push(Token::Newline, "");
    ++line_;
    at_line_start_ = true;
    line_has_tokens_ = false;
  }

  // Measure the indentation of a new logical line; returns false when the line was blank
  // or a comment (consumed), true when tokens follow.
  bool handle_indentation() {
    int width = 0;
    size_t p = pos_;
    while (p < src_.size() && (src_[p] == ' ' || src_[p] == '\t' || src_[p] == '\f')) {
      width = src_[p] == '\t' ? (width / 8 + 1) * 8 : width + 1;
      ++p;
    }
    if (p >= src_.size()) {
      pos_ = p;
      return false;
    }
    if (src_[p] == '\n' || src_[p] == '\r' || src_[p] == '#') {
      while (p < src_.size() && src_[p] != '\n') ++p;
      pos_ = p;
      if (pos_ < src_.size()) {
        ++pos_;
        ++line_;
      }
      return false;
    }
    pos_ = p;
    start_ = p;
    at_line_start_ = false;
    if (width > indents_.back()) {
      if (indents_.size() > kMaxIndentLevels)
        fail(src_, line_, p, "too many levels of indentation");
      indents_.push_back(width);
      push(Token::Indent, "");
    } else {
      while (width < indents_.back()) {
        indents_.pop_back();
        push(Token::Dedent, "");
      }
      if (width != indents_.back())
        fail(src_, line_, p, "unindent does not match any outer indentation level");
    }
    line_has_tokens_ = false;
    return true;
  }

  bool string_start() {
    size_t p = pos_;
    std::string prefix;
    while (p < src_.size() && prefix.size() < 2 &&
           std::string("rRbBuUfF").find(src_[p]) != std::string::npos) {
      prefix += static_cast<char>(std::tolower(static_cast<unsigned char>(src_[p])));
      ++p;
    }
    if (p >= src_.size() || (src_[p] != '\'' && src_[p] != '"')) return false;
    char quote = src_[p];
    bool triple = p + 2 < src_.size() && src_[p + 1] == quote && src_[p + 2] == quote;
    bool raw = prefix.find('r') != std::string::npos;
    int start_line = line_;
    auto unterminated = [&] {
      // CPython names the last line of the file, not the empty one after its final newline.
      int detected = line_;
      if (p >= src_.size() && detected > start_line && src_.back() == '\n') --detected;
      fail(src_, start_line, pos_,
           std::string(triple ? "unterminated triple-quoted string literal"
                              : "unterminated string literal") +
               " (detected at line " + std::to_string(detected) + ")");
    };
    p += triple ? 3 : 1;
    std::string value;
    while (true) {
      if (p >= src_.size()) unterminated();
      char c = src_[p];
      if (c == quote) {
        if (!triple) {
          ++p;
          break;
        }
        if (p + 2 < src_.size() && src_[p + 1] == quote && src_[p + 2] == quote) {
          p += 3;
          break;
        }
      }
      if (c == '\n') {
        if (!triple) unterminated();
        ++line_;
      }
      if (c == '\\' && p + 1 < src_.size()) {
        char n = src_[p + 1];
        if (raw) {
          value += c;
          value += n;
          if (n == '\n') ++line_;
          p += 2;
          continue;
        }
        p += 2;
        switch (n) {
          case '\n':
            ++line_;
            break;  // escaped newline: line continuation inside the string
          case 'n':
            value += '\n';
            break;
          case 't':
            value += '\t';
            break;
          case 'r':
            value += '\r';
            break;
          case '\\':
            value += '\\';
            break;
          case '\'':
            value += '\'';
            break;
          case '"':
            value += '"';
            break;
          case '0':
            value += '\0';
            break;
          default:
            value += '\\';
            value += n;
        }
        continue;
      }
      value += c;
      ++p;
    }
    pos_ = p;
    push(Token::String, std::move(value), start_line, prefix);
    return true;
  }

  void operator_token() {
    static const char* three[] = {"**=", "//=", ">>=", "<<=", "..."};
    static const char* two[] = {"->", "**", "//", "==", "!=", "<=", ">=", ":=", "+=", "-=",
                                "*=", "/=", "%=", "&=", "|=", "^=", "@=", "<<", ">>"};
    for (const char* op : three)
      if (src_.compare(pos_, 3, op) == 0) {
        pos_ += 3;
        push(Token::Op, op);
        return;
      }
    for (const char* op : two)
      if (src_.compare(pos_, 2, op) == 0) {
        pos_ += 2;
        push(Token::Op, op);
        return;
      }
    char c = src_[pos_++];
    if (c == '(' || c == '[' || c == '{') {
      if (brackets_.size() >= kMaxBracketDepth)
        fail(src_, line_, start_, "too many nested parentheses");
      brackets_.push_back(Bracket{c, line_, start_});
    }
    if (c == ')' || c == ']' || c == '}') {
      if (brackets_.empty()) fail(src_, line_, start_, std::string("unmatched '") + c + "'");
      const Bracket& open = brackets_.back();
      char expected = open.kind == '(' ? ')' : open.kind == '[' ? ']' : '}';
      if (c != expected)
        fail(src_, line_, start_,
             std::string("closing parenthesis '") + c + "' does not match opening parenthesis '" +
                 open.kind + "'" +
                 (open.line != line_ ? " on line " + std::to_string(open.line) : ""));
      brackets_.pop_back();
    }
    push(Token::Op, std::string(1, c));
  }

  struct Bracket {
    char kind;
    int line;
    size_t offset;
  };

  const std::string& src_;
  size_t pos_ = 0;
  size_t start_ = 0;  // offset of the token being read
  int line_ = 1;
  std::vector<Bracket> brackets_;  // open brackets, innermost last
  bool at_line_start_ = true;
  bool line_has_tokens_ = false;
  std::vector<int> indents_;
  std::vector<Token> tokens_;
};

ValuePtr make(Value::Kind kind, int line, std::string text = {}) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  v->line = line;
  v->text = std::move(text);
  return v;
}

class Parser {
 public:
  Parser(const std::string& source, std::vector<Token> tokens)
      : src_(source), t_(std::move(tokens)) {}

  std::vector<Statement> module() {
    std::vector<Statement> out;
    while (peek().kind != Token::End) {
      if (peek().kind == Token::Newline || peek().kind == Token::Dedent ||
          peek().kind == Token::Indent) {
        ++i_;
        continue;
      }
      guarded_statement(out);
    }
    return out;
  }

 private:
  [[noreturn]] void fail_at(const Token& token, const std::string& message) const {
    fail(src_, token.line, token.offset, message);
  }

  // Every loop over tokens consumes at least one per round: a round that did not is a
  // construct the reader does not know, reported instead of looping forever.
  void require_progress(size_t before) const {
    if (i_ == before) fail_at(peek(), "unexpected '" + peek().text + "'");
  }

  const Token& peek(size_t ahead = 0) const {
    size_t k = std::min(i_ + ahead, t_.size() - 1);
    return t_[k];
  }
  bool is_op(const char* op, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Op && peek(ahead).text == op;
  }
  bool is_name(const char* name) const { return peek().kind == Token::Name && peek().text == name; }

  // Skip tokens until one of `stops` at bracket depth 0 (not consumed), or end of line.
  void skip_until(const std::set<std::string>& stops) {
    int depth = 0;
    while (peek().kind != Token::End) {
      const Token& tok = peek();
      if (depth == 0 && (tok.kind == Token::Newline || tok.kind == Token::Dedent)) return;
      if (tok.kind == Token::Op) {
        if (depth == 0 && stops.count(tok.text)) return;
        if (tok.text == "(" || tok.text == "[" || tok.text == "{") ++depth;
        if (tok.text == ")" || tok.text == "]" || tok.text == "}") {
          if (depth == 0) return;
          --depth;
        }
      }
      ++i_;
    }
  }
  void skip_line() {
    skip_until({});
    if (peek().kind == Token::Newline) ++i_;
  }

  void block(std::vector<Statement>& body) {
    // Blocks nest by indentation (at most kMaxIndentLevels) or, `if a: if b: ...`, on one
    // line, which Python rejects and which must not recurse without bound either.
    struct Nesting {
      size_t& depth;
      explicit Nesting(size_t& d) : depth(d) { ++depth; }
      ~Nesting() { --depth; }
    } nesting(block_depth_);
    if (block_depth_ > kMaxIndentLevels) fail_at(peek(), "too many nested blocks");
    if (peek().kind != Token::Newline) {  // `if x: y` on one line
      // Simple statements separated by ';' up to (and including) the end of the line.
      while (peek().kind != Token::End && peek().kind != Token::Dedent) {
        guarded_statement(body);
        if (i_ > 0 && t_[i_ - 1].kind == Token::Newline) break;
      }
      return;
    }
    ++i_;
    if (peek().kind != Token::Indent) fail_at(peek(), "expected an indented block");
    ++i_;
    while (peek().kind != Token::Dedent && peek().kind != Token::End) {
      if (peek().kind == Token::Newline) {
        ++i_;
        continue;
      }
      guarded_statement(body);
    }
    if (peek().kind == Token::Dedent) ++i_;
  }

  // A statement always consumes at least one token, so stray tokens cannot loop forever.
  void guarded_statement(std::vector<Statement>& out) {
    size_t before = i_;
    statement(out);
    if (i_ == before) ++i_;
  }

  void end_simple_statement() {
    if (is_op(";")) {
      ++i_;
      return;
    }
    if (peek().kind == Token::Newline) ++i_;
  }

  void statement(std::vector<Statement>& out) {
    Statement s;
    s.line = peek().line;
    const Token& first = peek();
    if (first.kind == Token::Name) {
      const std::string& w = first.text;
      if (w == "def" || (w == "async" && peek(1).text == "def")) {
        if (w == "async") ++i_;
        ++i_;
        s.kind = Statement::Def;
        s.keyword = peek().text;
        skip_until({":"});
        expect_colon();
        block(s.body);
        out.push_back(std::move(s));
        return;
      }
      if (w == "with") {
        ++i_;
        s.kind = Statement::With;
        s.value = expression();
        if (is_name("as")) {
          ++i_;
          s.targets.push_back(peek().text);
          ++i_;
        }
        if (!is_op(":")) {  // several context managers, or something unusual
          s.kind = Statement::Other;
          s.keyword = "with";
          skip_until({":"});
        }
        expect_colon();
        block(s.body);
        out.push_back(std::move(s));
        return;
      }
      static const std::set<std::string> compound = {"if",    "elif",  "else",   "for",
                                                     "while", "try",   "except", "finally",
                                                     "class", "async", "match"};
      if (compound.count(w) && !(w == "match" && (is_op("=", 1) || is_op("(", 1)))) {
        ++i_;
        s.kind = Statement::Other;
        s.keyword = w;
        skip_until({":"});
        expect_colon();
        block(s.body);
        out.push_back(std::move(s));
        return;
      }
      if (w == "import" || w == "from") {
        import_statement(s);
        out.push_back(std::move(s));
        return;
      }
      if (w == "pass") {
        ++i_;
        s.kind = Statement::Pass;
        end_simple_statement();
        out.push_back(std::move(s));
        return;
      }
      static const std::set<std::string> simple = {"return", "raise", "global", "nonlocal",
                                                   "assert", "del",   "break",  "continue",
                                                   "yield",  "await", "lambda", "print"};
      if (simple.count(w) && !is_op("=", 1)) {
        s.kind = Statement::Other;
        s.keyword = w;
        skip_until({";"});
        end_simple_statement();
        out.push_back(std::move(s));
        return;
      }
    }
    if (is_op("@")) {  // decorator
      s.kind = Statement::Other;
      s.keyword = "@";
      skip_line();
      out.push_back(std::move(s));
      return;
    }
    ValuePtr value = expression();
    if (is_op(":") && value->kind == Value::Name) {  // annotated assignment
      ++i_;
      skip_until({"="});
    }
    if (is_op("=")) {
      s.kind = Statement::Assign;
      while (is_op("=")) {
        ++i_;
        if (value->kind == Value::Name)
          s.targets.push_back(value->text);
        else
          s.targets.push_back("");  // subscript / attribute / tuple target
        value = expression();
      }
      s.value = value;
    } else {
      s.kind = Statement::Expr;
      s.value = value;
    }
    if (!is_op(";") && peek().kind != Token::Newline && peek().kind != Token::End &&
        peek().kind != Token::Dedent) {
      // Tuple targets, augmented assignment, ...: not something a migration reader needs.
      s = Statement{};
      s.kind = Statement::Other;
      s.line = first.line;
      s.keyword = "statement";
      skip_until({";"});
    }
    end_simple_statement();
    out.push_back(std::move(s));
  }

  void expect_colon() {
    if (!is_op(":")) fail_at(peek(), "expected ':'");
    ++i_;
  }

  // `a.b.c`, or a relative module `..a` (leading dots).
  std::string dotted_name() {
    std::string name;
    while (is_op(".") || is_op("...")) {
      name += peek().text;
      ++i_;
    }
    if (peek().kind != Token::Name) return name;
    name += peek().text;
    ++i_;
    while (is_op(".") && peek(1).kind == Token::Name) {
      name += "." + peek(1).text;
      i_ += 2;
    }
    return name;
  }

  void import_statement(Statement& s) {
    s.kind = Statement::Import;
    if (is_name("import")) {
      ++i_;
      while (true) {
        std::string module = dotted_name();
        std::string local = module.substr(0, module.find('.'));
        if (is_name("as")) {
          ++i_;
          local = peek().text;
          ++i_;
        } else if (module.find('.') != std::string::npos) {
          module = local;  // `import a.b` binds `a`
        }
        s.imports.emplace_back(local, module);
        if (!is_op(",")) break;
        ++i_;
      }
    } else {
      ++i_;  // from
      std::string module = dotted_name();
      if (is_name("import")) ++i_;
      bool paren = is_op("(");
      if (paren) ++i_;
      while (peek().kind == Token::Name || is_op("*")) {
        std::string name = peek().text;
        ++i_;
        std::string local = name;
        if (is_name("as")) {
          ++i_;
          local = peek().text;
          ++i_;
        }
        s.imports.emplace_back(local, module + "." + name);
        if (!is_op(",")) break;
        ++i_;
        while (peek().kind == Token::Newline) ++i_;
      }
      if (paren && is_op(")")) ++i_;
    }
    skip_until({";"});
    end_simple_statement();
  }

  bool at_terminator() const {
    const Token& tok = peek();
    if (tok.kind == Token::Newline || tok.kind == Token::End || tok.kind == Token::Dedent)
      return true;
    if (tok.kind == Token::Name && tok.text == "as") return true;
    if (tok.kind != Token::Op) return false;
    static const std::set<std::string> stops = {",", ")", "]", "}", ";", "=", ":"};
    return stops.count(tok.text) > 0;
  }

  ValuePtr unknown_rest(int line, const std::string& why) {
    skip_until({",", ";", "=", ":"});
    return make(Value::Unknown, line, why);
  }

  ValuePtr expression() {
    int line = peek().line;
    ValuePtr v = primary();
    if (is_op("+") && v->kind == Value::String) {  // "a" + "b" + ..., joined in one copy
      auto joined = std::make_shared<Value>(*v);
      while (is_op("+")) {
        ++i_;
        ValuePtr rhs = primary();
        if (rhs->kind != Value::String) return unknown_rest(line, "non-static string expression");
        joined->text += rhs->text;
        joined->formatted = joined->formatted || rhs->formatted;
      }
      v = joined;
    }
    if (!at_terminator()) return unknown_rest(line, "expression not statically readable");
    return v;
  }

  ValuePtr primary() {
    const Token tok = peek();
    int line = tok.line;
    ValuePtr v;
    if (tok.kind == Token::String) {
      auto s = std::make_shared<Value>();
      s->kind = Value::String;
      s->line = line;
      while (peek().kind == Token::String) {  // implicit concatenation
        s->text += peek().text;
        if (peek().prefix.find('f') != std::string::npos &&
            peek().text.find('{') != std::string::npos)
          s->formatted = true;
        ++i_;
      }
      v = s;
    } else if (tok.kind == Token::Number) {
      ++i_;
      v = make(Value::Number, line, tok.text);
    } else if (tok.kind == Token::Op && tok.text == "-" && peek(1).kind == Token::Number) {
      ++i_;
      v = make(Value::Number, line, "-" + peek().text);
      ++i_;
    } else if (tok.kind == Token::Name) {
      static const std::set<std::string> keywords = {"lambda", "not", "await", "yield", "if",
                                                     "for",    "in",  "is",    "and",   "or"};
      if (keywords.count(tok.text)) return unknown_rest(line, "expression not statically readable");
      ++i_;
      if (tok.text == "None") {
        v = make(Value::None, line, "None");
      } else if (tok.text == "True" || tok.text == "False") {
        v = make(Value::Bool, line, tok.text);
      } else {
        std::string name = tok.text;
        while (is_op(".") && peek(1).kind == Token::Name) {
          name += "." + peek(1).text;
          i_ += 2;
        }
        v = make(Value::Name, line, name);
      }
    } else if (tok.kind == Token::Op && (tok.text == "[" || tok.text == "(")) {
      ++i_;
      bool paren = tok.text == "(";
      const char* close = paren ? ")" : "]";
      auto seq = std::make_shared<Value>();
      seq->kind = paren ? Value::Tuple : Value::List;
      seq->line = line;
      bool had_comma = false;
      while (!is_op(close)) {
        if (peek().kind == Token::End) fail_at(tok, "'" + tok.text + "' was never closed");
        size_t before = i_;
        seq->items.push_back(expression());
        if (is_op(",")) {
          had_comma = true;
          ++i_;
        } else if (!is_op(close)) {
          skip_until({","});
          seq->items.push_back(make(Value::Unknown, line, "expression not statically readable"));
          if (is_op(",")) ++i_;
        }
        require_progress(before);
      }
      ++i_;
      if (paren && seq->items.size() == 1 && !had_comma)
        v = seq->items[0];  // parenthesised expression
      else
        v = seq;
    } else if (tok.kind == Token::Op && tok.text == "{") {
      ++i_;
      auto dict = std::make_shared<Value>();
      dict->kind = Value::Dict;
      dict->line = line;
      while (!is_op("}")) {
        if (peek().kind == Token::End) fail_at(tok, "'{' was never closed");
        size_t before = i_;
        ValuePtr key = expression();
        if (!is_op(":")) {
          skip_until({"}"});
          dict = std::make_shared<Value>(*make(Value::Unknown, line, "set or comprehension"));
          break;
        }
        ++i_;
        dict->keys.push_back(key->text);
        dict->items.push_back(expression());
        if (is_op(",")) ++i_;
        require_progress(before);
      }
      if (is_op("}")) ++i_;
      v = dict;
    } else {
      // Tokens that can start no Python expression: `f(a,,b)`, `x = = 1`, `x =` alone. Others
      // (unary operators, `*args`, `...`) start expressions the reader does not follow.
      static const std::set<std::string> no_start = {
          ",",  ")",  "]",  "}",  "=",  ";",   ":",   ".",   "->",  "+=", "-=", "*=", "/=",
          "%=", "&=", "|=", "^=", "@=", "//=", ">>=", "<<=", "**=", "==", "!=", "<",  ">",
          "<=", ">=", "|",  "&",  "^",  "/",   "//",  "%",   "<<",  ">>", ":=", "@"};
      if (tok.kind == Token::Newline || tok.kind == Token::Indent || tok.kind == Token::Dedent ||
          tok.kind == Token::End || (tok.kind == Token::Op && no_start.count(tok.text)))
        fail_at(tok, "invalid syntax");
      return unknown_rest(line, "expression not statically readable");
    }
    // Trailers: calls, and attribute access / subscripts we do not follow.
    while (true) {
      if (is_op("(")) {
        if (v->kind != Value::Name) return unknown_rest(line, "call on a computed value");
        const Token open = peek();
        ++i_;
        auto call = std::make_shared<Value>();
        call->kind = Value::Call;
        call->line = line;
        call->text = v->text;
        while (!is_op(")")) {
          if (peek().kind == Token::End) fail_at(open, "'(' was never closed");
          size_t before = i_;
          if (is_op("*") || is_op("**")) {
            skip_until({","});
            call->items.push_back(make(Value::Unknown, peek().line, "*args / **kwargs"));
          } else if (peek().kind == Token::Name && is_op("=", 1)) {
            call->keys.push_back(peek().text);
            i_ += 2;
            call->kwargs.push_back(expression());
          } else {
            call->items.push_back(expression());
          }
          if (is_op(",")) {
            ++i_;
          } else if (!is_op(")")) {
            skip_until({","});
            call->items.push_back(make(Value::Unknown, line, "argument not statically readable"));
            if (is_op(",")) ++i_;
          }
          require_progress(before);
        }
        ++i_;
        v = call;
      } else if (is_op(".") && peek(1).kind == Token::Name) {
        return unknown_rest(line, "attribute of a computed value");
      } else if (is_op("[")) {
        return unknown_rest(line, "subscript");
      } else {
        return v;
      }
    }
  }

  const std::string& src_;
  std::vector<Token> t_;
  size_t i_ = 0;
  size_t block_depth_ = 0;
};

}  // namespace

std::vector<Token> tokenize(const std::string& source) { return Tokenizer(source).run(); }

std::vector<Statement> parse_module(const std::string& source) {
  return Parser(source, tokenize(source)).module();
}

}  // namespace pgdrift::schema::history::python
