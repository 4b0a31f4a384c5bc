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

TEST(HistoryPython, UnterminatedStringFails) {
  EXPECT_THROW(parse_module("x = 'abc\n"), std::runtime_error);
}

}  // namespace
}  // namespace pgdrift::schema::history::python
