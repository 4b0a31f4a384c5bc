// Privileges that went missing between two models of the same database: what `pgdrift apply`
// checks after a plan made without --privileges, which must not revoke anything (objects it
// drops and re-creates get their grants back, planner/gen_kept.cpp).
#pragma once

#include <string>
#include <vector>

#include "schema/model.h"

namespace pgdrift::engine {

// One line per privilege an object present in both models had in `before` and lacks in
// `after`, e.g. "lost privilege: SELECT on view public.v to app_ro" or "lost privilege:
// UPDATE (b) on table public.t to writer WITH GRANT OPTION". Objects only in one model are not
// compared, nor column privileges of a column `after` no longer has (the column is gone). A
// grant option that was lost counts as a lost privilege. In model order: schemas, tables,
// views, sequences, functions; by key, then privilege.
std::vector<std::string> lost_privileges(const schema::Model& before, const schema::Model& after);

}  // namespace pgdrift::engine
