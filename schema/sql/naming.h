// PostgreSQL's generated object names (makeObjectName, ChooseRelationName, ChooseConstraintName,
// ChooseIndexName in src/backend/commands/indexcmds.c and catalog/pg_constraint.c), so that a
// schema written without constraint names loads into the names the server would choose.
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <string>
#include <vector>

#include "schema/model.h"

namespace pgdrift::schema::sql {

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

// ChooseRelationName: make_object_name, then label1, label2, ... until the name is free among
// relations (and, when `is_constraint`, constraints) of `schema`.
std::string choose_relation_name(const Model& model, const std::string& schema,
                                 const std::string& name1, const std::string& name2,
                                 const std::string& label, bool is_constraint);
// ChooseConstraintName: the same, checking constraint names of `schema` plus `others`.
std::string choose_constraint_name(const Model& model, const std::string& schema,
                                   const std::string& name1, const std::string& name2,
                                   const std::string& label,
                                   const std::vector<std::string>& others = {});

// The name PostgreSQL gives an index column (FigureIndexColname): the column name, the
// function name for a function call, "expr" for other expressions.
std::string index_column_name(const PgQuery__IndexElem* elem);
// ChooseIndexColumnNames: index_column_name of each element, made unique with a numeric suffix.
std::vector<std::string> unique_index_column_names(const std::vector<std::string>& names);

}  // namespace pgdrift::schema::sql
