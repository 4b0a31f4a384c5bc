// Whether an expression is volatile (a different value per row), decided without a catalog.
//
// A column default that is volatile makes `ADD COLUMN ... DEFAULT expr` rewrite the table
// (PostgreSQL 11+ stores a non-volatile default as metadata only). The planner has no catalog,
// so each function the expression calls is judged by:
//  1. the model: a function defined in the model has its declared volatility (an unqualified
//     name matching several model functions is volatile if any of them is);
//  2. built-in functions: the names of pg_catalog functions of PostgreSQL 15 none of whose
//     overloads is volatile (planner/builtin_functions.cpp) are not volatile;
//  3. anything else is volatile: the known volatile built-ins (clock_timestamp, random,
//     gen_random_uuid, nextval, timeofday, txid_current, setval, currval, lastval, ...) and every
//     function the tool cannot see (extension functions such as uuid_generate_v4, functions
//     of other schemas). Erring this way costs an unneeded backfill, never a silent rewrite.
// Operators, casts and SQL-syntax values (CURRENT_TIMESTAMP, ...) are never volatile; an
// expression that does not parse is volatile.
#pragma once

#include <string>

#include "schema/model.h"

namespace pgdrift::planner {

bool is_volatile_expr(const std::string& expr, const schema::Model& model);

// Whether `name` is a pg_catalog function of PostgreSQL 15 none of whose overloads is volatile.
bool is_non_volatile_builtin(const std::string& name);

}  // namespace pgdrift::planner
