// PostgreSQL's generated object names (makeObjectName, ChooseRelationName, ChooseConstraintName,
// ChooseIndexName in src/backend/commands/indexcmds.c and catalog/pg_constraint.c), so that a
// schema written without constraint names loads into the names the server would choose.
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <string>
#include <unordered_set>
#include <vector>

#include "schema/model.h"

namespace pgdrift::schema::sql {

struct LoadContext;

// Per-load index of the names that make PostgreSQL's implicit names collide, so choosing a
// name does not scan every table of the schema (which made one-schema files quadratic).
//
// Invariant (what makes it exact): when `built`, `relation_names` / `constraint_names` hold
// exactly the index and PK/UNIQUE/EXCLUDE names, and the constraint names, of the tables and
// views of the model as of the last statement boundary, plus whatever was registered since.
// Statements are classified before they run (loader.cpp, begin_statement):
//  - neutral kinds never write Table::indexes / Table::constraints / View::indexes (only
//    create_table, alter_table, create_index, rename and drop do);
//  - additive ("fast") statements only ADD names, and only to the relations in `touched`:
//    lookups answer from the sets, then scan the touched relations; at the end the touched
//    relations' names are registered;
//  - every other statement (DROP, RENAME, ALTER TABLE forms that drop or rename, CREATE INDEX
//    on a partitioned table, CREATE SCHEMA with elements, unknown kinds) is "slow": it scans
//    the model as before, and afterwards the sets are discarded and rebuilt on next use.
// Tables, views, sequences and composite types themselves are looked up by key, not here.
struct NameRegistry {
  bool built = false;
  bool fast = false;                 // the current statement may use the sets
  std::vector<std::string> touched;  // qualified keys the current statement may add names to
  std::unordered_set<std::string> relation_names;    // schema + '\0' + name
  std::unordered_set<std::string> constraint_names;  // schema + '\0' + name

  void rebuild(const Model& model);
  void register_relation(const Model& model, const std::string& key);
  // Before / after each top-level statement (see the invariant above).
  void begin_statement(const Model& model, const std::string& search_schema,
                       const PgQuery__Node* stmt);
  void end_statement(const Model& model);
};

// NAMEDATALEN - 1: the longest identifier PostgreSQL keeps.
inline constexpr size_t kMaxIdentifierBytes = 63;

// makeObjectName: "name1_name2_label", truncating the longer of name1/name2 first so the
// result fits in 63 bytes (never splitting a UTF-8 character). name2 / label may be empty.
std::string make_object_name(const std::string& name1, const std::string& name2,
                             const std::string& label);

// The column names joined by "_" as ChooseForeignKeyConstraintNameAddition /
// ChooseIndexNameAddition build them (stops once the text reaches NAMEDATALEN).
std::string join_name_addition(const std::vector<std::string>& names);

// True when `name` is taken by a relation (table, view, sequence, index, or the index of a
// PK / UNIQUE / EXCLUDE constraint) in `schema`.
bool relation_name_taken(const Model& model, const std::string& schema, const std::string& name);
// True when a constraint (table or domain) in `schema` is called `name`.
bool constraint_name_taken(const Model& model, const std::string& schema, const std::string& name);
// The same answers, through the load's NameRegistry (near-constant time).
bool relation_name_taken(LoadContext& ctx, const std::string& schema, const std::string& name);
bool constraint_name_taken(LoadContext& ctx, const std::string& schema, const std::string& name);

// ChooseRelationName: make_object_name, then label1, label2, ... until the name is free among
// relations (and, when `is_constraint`, constraints) of `schema`, looked up through the load's
// NameRegistry.
std::string choose_relation_name(LoadContext& ctx, const std::string& schema,
                                 const std::string& name1, const std::string& name2,
                                 const std::string& label, bool is_constraint);
// ChooseConstraintName: the same, checking constraint names of `schema` plus `others`.
std::string choose_constraint_name(LoadContext& ctx, const std::string& schema,
                                   const std::string& name1, const std::string& name2,
                                   const std::string& label,
                                   const std::vector<std::string>& others = {});

// The name PostgreSQL gives an index column (FigureIndexColname): the column name, the
// function name for a function call, "expr" for other expressions.
std::string index_column_name(const PgQuery__IndexElem* elem);
// ChooseIndexColumnNames: index_column_name of each element, made unique with a numeric suffix.
std::vector<std::string> unique_index_column_names(const std::vector<std::string>& names);
// ChooseIndexColumnNames for an existing index: column names, or "expr" for expressions.
std::vector<std::string> index_key_names(const Index& index);

// What ChooseRelationName is given for a partition's clone of its parent's index or PK /
// UNIQUE / EXCLUDE constraint: "<partition>_<columns>_idx", "<partition>_pkey", ...
struct CloneNameParts {
  std::string name1, name2, label;
};
CloneNameParts clone_name_parts(const Table& partition, const Index& parent_index);
CloneNameParts clone_name_parts(const Table& partition, const Constraint& parent_constraint);
// The name PostgreSQL gives that clone when no relation of the schema has it already.
std::string expected_clone_name(const CloneNameParts& parts);

}  // namespace pgdrift::schema::sql
