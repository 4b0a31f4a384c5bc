// Internal to the Alembic reader: the state of reading one revision file, shared by
// alembic.cpp (module structure, upgrade() body), alembic_ops.cpp (op.* calls -> DDL) and
// alembic_types.cpp (SQLAlchemy columns, types and expressions -> SQL text).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schema/history/history.h"
#include "schema/history/python.h"

namespace pgdrift::schema::history::alembic {

using python::Value;
using python::ValuePtr;

// One sa.Column(...) turned into SQL pieces.
struct ColumnSql {
  std::string name;
  int line = 0;            // of the sa.Column( call: the column's own line
  std::string definition;  // `"name" type [NOT NULL] [DEFAULT x]` (no PRIMARY KEY)
  std::string base_type;   // the type alone, for SERIAL promotion
  bool primary_key = false;
  bool has_default = false;
  bool autoincrement_off = false;
  bool identity = false;
  bool has_foreign_key = false;
  std::vector<std::string> constraints;  // table constraint clauses (UNIQUE, FOREIGN KEY)
  bool index = false;                    // index=True
  bool unique_index = false;             // index=True together with unique=True
  std::optional<std::string> comment;
};

class RevisionReader {
 public:
  RevisionReader(Migration& migration, std::vector<std::string>& created_enums)
      : m_(migration), created_enums_(created_enums) {}

  void read_module(const std::vector<python::Statement>& module);

  // ---- alembic.cpp -------------------------------------------------------------------------
  void problem(int line, const std::string& message);
  void emit(int line, const std::string& sql);
  // Fully qualified dotted name through the file's imports ("sa.Column" ->
  // "sqlalchemy.Column"); names without a known import keep their text.
  std::string resolve(const std::string& dotted) const;
  // The SQLAlchemy name of a resolved name, without its module ("Column", "func.now",
  // "JSONB"), or "" when it is not SQLAlchemy.
  std::string sqlalchemy_name(const std::string& dotted) const;
  // A local or module variable's value in place of a bare name.
  const Value* deref(const Value* value) const;

  // ---- alembic_types.cpp -------------------------------------------------------------------
  // Strings: a plain literal, or op.f("...") for names. nullopt (and a problem) otherwise.
  std::optional<std::string> string_value(const Value* value, const std::string& what);
  // SQL text of sa.text("..."), a string literal or sa.literal_column("...").
  std::optional<std::string> sql_text(const Value* value, const std::string& what);
  // SQL for server_default= values: 'x' -> 'x' literal, sa.text(), sa.func.now(), true()...
  std::optional<std::string> server_default(const Value* value);
  // SQL type of a SQLAlchemy type (class or instance). Enum types get their CREATE TYPE
  // emitted (once per history) at `line`.
  std::optional<std::string> type_sql(const Value* value, int line);
  std::optional<ColumnSql> column(const Value* value);
  // `FOREIGN KEY (...) REFERENCES ...` clause of sa.ForeignKeyConstraint / sa.ForeignKey.
  std::optional<std::string> foreign_key_clause(const std::vector<std::string>& local,
                                                const std::vector<std::string>& targets,
                                                const Value& options);
  std::optional<std::vector<std::string>> string_list(const Value* value, const std::string& what);
  // ON DELETE / ON UPDATE / DEFERRABLE / INITIALLY / MATCH options of a call.
  std::optional<std::string> fk_actions(const Value& options);
  bool flag(const Value* value, bool fallback) const;  // True/False keyword value

  // ---- alembic_ops.cpp ---------------------------------------------------------------------
  // One op.<name>(...) call (or batch_op.<name> with `batch_table` set).
  void op_call(const std::string& name, const Value& call, const std::string& batch_table,
               const Value* batch_schema);

  Migration& m_;
  std::vector<std::string>& created_enums_;
  std::map<std::string, std::string> imports_;  // local name -> dotted module path
  std::map<std::string, ValuePtr> variables_;   // module and upgrade() assignments
};

}  // namespace pgdrift::schema::history::alembic
