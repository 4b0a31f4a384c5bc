// The safe-point rule as a test can check it from outside the planner (docs/planner.md, "Safe
// points and transactions"): everything a complete schema holds, as comparable facts, and the
// facts a source had and a target keeps that a database lacks.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "schema/model.h"

namespace pgdrift::testing {

// Tables, columns, defaults, constraints, indexes, triggers, policies, views, functions,
// sequences, types and domains by name; comments with their text; grants with grantee and
// privilege.
std::set<std::string> schema_facts(const schema::Model& model);

// Facts of `source` that `target` keeps and `live` lacks, sorted.
std::vector<std::string> missing_facts(const schema::Model& source, const schema::Model& target,
                                       const schema::Model& live);

}  // namespace pgdrift::testing
