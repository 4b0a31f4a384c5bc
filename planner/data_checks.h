// Post-apply validation of the data in the tables a plan touched (issue 17 item 4, docs/apply.md
// "Data checks"): measured before the first step and again after the last, on a connection of
// their own. The checks:
//  - row_count: every table the plan changes and keeps has as many rows as before;
//  - no_new_nulls: a column whose type the plan changes has no more NULLs than before;
//  - numeric_sum: a number column converted to numeric(p,s) sums to what it summed before,
//    within rows x 0.5 x 10^-s (the most rounding to s digits can move it);
//  - constraint_valid: every constraint the plan adds is VALID (convalidated) at the end;
//  - no_invalid_index: no index is INVALID that was not before.
// They assume that nothing else writes to those tables while the plan runs (a maintenance
// window); concurrent inserts show up as a changed row count.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "planner/plan.h"
#include "schema/model.h"

namespace pgdrift::planner {

struct DataCheck {
  std::string name;  // row_count | no_new_nulls | numeric_sum | constraint_valid | no_invalid_index
  std::string object;  // the table, column, constraint or index
  std::string before;  // what was measured before the first step ("" when nothing was)
  std::string after;   // what was measured after the last
  bool ok = true;
  std::string detail;  // the rule, and why it failed
};

struct DataChecks {
  std::vector<DataCheck> checks;
  bool passed() const;
};

// The table of `live` a step's object belongs to ("public.t" of column "public.t.c", of
// constraint "public.t.c_check", of table "public.t"); "" when none.
std::string table_of_object(const schema::Model& live, const std::string& object_name);

class DataValidator {
 public:
  // The checks `plan` calls for, found from its steps and `live` (the database before it).
  DataValidator(const Plan& plan, const schema::Model& live);
  ~DataValidator();
  DataValidator(const DataValidator&) = delete;
  DataValidator& operator=(const DataValidator&) = delete;

  // Measures before the first step. Throws on a connection or query failure.
  void measure_before(const std::string& conninfo);
  // Measures again and compares. Throws on a connection failure.
  DataChecks measure_after(const std::string& conninfo);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pgdrift::planner
