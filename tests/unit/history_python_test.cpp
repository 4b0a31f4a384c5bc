// The static Python reader used for Alembic revisions.
#include <gtest/gtest.h>

#include "schema/history/python.h"

namespace pgdrift::schema::history::python {
namespace {

TEST(HistoryPython, StringsPrefixesConcatenationAndLines) {
  auto module = parse_module(
      "a = 'x' \"y\"\n"
      "b = r'\\d+' b'raw'\n"
      "c = \"\"\"line1\n"
      "line2\"\"\"\n"
      "d = ('multi'\n"
      "     'line')\n"
      "e = 'it\\'s'\n");
  ASSERT_EQ(module.size(), 5u);
  EXPECT_EQ(module[0].value->text, "xy");
  EXPECT_EQ(module[1].value->text, "\\d+raw");
  EXPECT_EQ(module[2].value->text, "line1\nline2");
  EXPECT_EQ(module[3].value->text, "multiline");
  EXPECT_EQ(module[3].line, 5);
  EXPECT_EQ(module[4].value->text, "it's");
  EXPECT_EQ(module[4].line, 7);
}

TEST(HistoryPython, FStringWithPlaceholdersIsMarked) {
  auto module = parse_module("x = f'drop {name}'\ny = f'plain'\n");
  EXPECT_TRUE(module[0].value->formatted);
  EXPECT_FALSE(module[1].value->formatted);
}

TEST(HistoryPython, CallsWithKeywordsListsTuplesDicts) {
  auto module = parse_module(
      "op.create_index('ix', 't', ['a', 'b'], unique=True, postgresql_ops={'a': 'x_ops'},\n"
      "                n=-3, none=None, t=(1,), \\\n"
      "                )  # trailing comment\n");
  ASSERT_EQ(module.size(), 1u);
  const Value& call = *module[0].value;
  ASSERT_EQ(call.kind, Value::Call);
  EXPECT_EQ(call.text, "op.create_index");
  ASSERT_EQ(call.items.size(), 3u);
  EXPECT_EQ(call.items[2]->kind, Value::List);
  EXPECT_EQ(call.items[2]->items.size(), 2u);
  EXPECT_EQ(call.kwarg("unique")->text, "True");
  EXPECT_EQ(call.kwarg("postgresql_ops")->keys, std::vector<std::string>{"a"});
  EXPECT_EQ(call.kwarg("n")->text, "-3");
  EXPECT_EQ(call.kwarg("none")->kind, Value::None);
  EXPECT_EQ(call.kwarg("t")->kind, Value::Tuple);
  EXPECT_EQ(call.kwarg("missing"), nullptr);
}

TEST(HistoryPython, DefsWithAndControlFlow) {
  auto module = parse_module(
      "import sqlalchemy as sa\n"
      "from sqlalchemy.dialects import postgresql as pg, mysql\n"
      "revision: str = 'abc'\n"
      "down_revision: Union[str, None] = None\n"
      "def upgrade() -> None:\n"
      "    with op.batch_alter_table('t') as batch_op:\n"
      "        batch_op.drop_column('c')\n"
      "    if x > 1:\n"
      "        pass\n"
      "    for i in range(3): op.execute('x')\n"
      "    conn = op.get_bind()\n");
  ASSERT_EQ(module.size(), 5u);
  EXPECT_EQ(module[0].imports[0], (std::pair<std::string, std::string>{"sa", "sqlalchemy"}));
  EXPECT_EQ(module[1].imports[0].first, "pg");
  EXPECT_EQ(module[1].imports[0].second, "sqlalchemy.dialects.postgresql");
  EXPECT_EQ(module[2].kind, Statement::Assign);
  EXPECT_EQ(module[2].targets[0], "revision");
  EXPECT_EQ(module[3].value->kind, Value::None);
  const Statement& def = module[4];
  ASSERT_EQ(def.kind, Statement::Def);
  EXPECT_EQ(def.keyword, "upgrade");
  ASSERT_EQ(def.body.size(), 4u);
  EXPECT_EQ(def.body[0].kind, Statement::With);
  EXPECT_EQ(def.body[0].targets[0], "batch_op");
  EXPECT_EQ(def.body[0].body.size(), 1u);
  EXPECT_EQ(def.body[1].kind, Statement::Other);
  EXPECT_EQ(def.body[1].keyword, "if");
  EXPECT_EQ(def.body[1].line, 8);
  EXPECT_EQ(def.body[2].keyword, "for");
  EXPECT_EQ(def.body[3].kind, Statement::Assign);
}

TEST(HistoryPython, UnreadableExpressionsAreUnknown) {
  auto module = parse_module("x = a + b\ny = [i for i in z]\nz = d['k']\n");
  ASSERT_EQ(module.size(), 3u);
  EXPECT_EQ(module[0].value->kind, Value::Unknown);
  ASSERT_EQ(module[1].value->kind, Value::List);  // the comprehension inside is unknown
  EXPECT_EQ(module[1].value->items.at(0)->kind, Value::Unknown);
  EXPECT_EQ(module[2].value->kind, Value::Unknown);
}

// The SyntaxError parse_module throws for `source` ("line:column: message"), or "no error".
std::string syntax_error(const std::string& source) {
  try {
    parse_module(source);
  } catch (const SyntaxError& e) {
    return std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": " + e.message();
  }
  return "no error";
}

TEST(HistoryPython, UnterminatedStringsAreLocated) {
  EXPECT_EQ(syntax_error("x = 'abc\n"), "1:5: unterminated string literal (detected at line 1)");
  EXPECT_EQ(syntax_error("x = 1\ny = \"\"\"abc\n\n"),
            "2:5: unterminated triple-quoted string literal (detected at line 3)");
  EXPECT_EQ(syntax_error("x = r'''abc"),
            "1:5: unterminated triple-quoted string literal (detected at line 1)");
  EXPECT_EQ(syntax_error("é = 'abc\n"), "1:5: unterminated string literal (detected at line 1)");
}

// As CPython reports them: the innermost bracket left open, a closing bracket of the wrong
// kind or with nothing open.
TEST(HistoryPython, BrokenBracketsAreLocated) {
  EXPECT_EQ(syntax_error("x = [1, 2\n"), "1:5: '[' was never closed");
  EXPECT_EQ(syntax_error("def upgrade():\n    op.create_table((\n"), "2:21: '(' was never closed");
  EXPECT_EQ(syntax_error("b = [)\n"),
            "1:6: closing parenthesis ')' does not match opening parenthesis '['");
  EXPECT_EQ(syntax_error("b = [\n  1)\n"),
            "2:4: closing parenthesis ')' does not match opening parenthesis '[' on line 1");
  EXPECT_EQ(syntax_error("x = (1,\n    2)]\n"), "2:7: unmatched ']'");
}

// Limits keep time, memory and stack bounded: CPython's own nesting limits, and a token count.
TEST(HistoryPython, NestingBeyondTheLimitsIsLocated) {
  EXPECT_EQ(syntax_error("x = " + std::string(10000, '[')), "1:205: too many nested parentheses");
  EXPECT_EQ(syntax_error("x = " + std::string(200, '(') + "1" + std::string(200, ')') + "\n"),
            "no error");
  std::string indented;
  for (int level = 0; level <= 101; ++level)
    indented += std::string(level, ' ') + (level == 101 ? "pass\n" : "if x:\n");
  EXPECT_EQ(syntax_error(indented), "102:102: too many levels of indentation");
  std::string one_line;
  for (int i = 0; i < 100000; ++i) one_line += "if a: ";
  EXPECT_EQ(syntax_error(one_line + "pass\n"), "1:607: too many nested blocks");
  std::string many;
  for (size_t i = 0; i < kMaxTokens / 4 + 1; ++i) many += "x=1\n";
  const std::string error = syntax_error(many);
  EXPECT_EQ(error, "250001:1: file too large to read: more than 1000000 tokens");
}

// Tokens that start no expression: Python rejects these, and so does the reader, instead of
// reading an unknown value.
TEST(HistoryPython, InvalidSyntaxIsAnError) {
  EXPECT_EQ(syntax_error("op.drop_table('a',, 'b')\n"), "1:19: invalid syntax");
  EXPECT_EQ(syntax_error("x = = 1\n"), "1:5: invalid syntax");
  EXPECT_EQ(syntax_error("x =\n"), "1:4: invalid syntax");
  EXPECT_EQ(syntax_error("if x:\npass\n"), "2:1: expected an indented block");
  // Valid Python outside the subset stays an unknown value.
  EXPECT_EQ(syntax_error("x = [*a, -b, ..., lambda: 1, {**c}]\n"), "no error");
}

TEST(HistoryPython, LongStringSumsJoinOnce) {
  std::string source = "x = 'a'";
  for (int i = 0; i < 100000; ++i) source += " + 'bc'";
  auto module = parse_module(source + "\n");
  ASSERT_EQ(module.size(), 1u);
  EXPECT_EQ(module[0].value->text.size(), 200001u);
}

}  // namespace
}  // namespace pgdrift::schema::history::python
