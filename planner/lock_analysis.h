// Live lock analysis (issue 17 item 6, docs/apply.md "Lock analysis"): for every step that takes
// a lock stronger than ACCESS SHARE on a table that exists now,
//  - the table's size (pg_total_relation_size, pg_relation_size, reltuples, summed over its
//    partition tree) and an estimate of how long the step's long part takes: bytes at a rate
//    per kind of work (rewrite, validation scan, index build, backfill) measured on a reference
//    machine by bench/lock_rates_bench.sh (the figures are in lock_analysis.cpp and
//    docs/benchmarks.md); a catalog-only change is as long as its lock wait;
//  - the other sessions that hold, or wait for, a lock on the table in a mode that conflicts
//    with the step's (PostgreSQL's table-level lock conflict table, docs 13.3.1): the step would
//    wait for them, and every query that arrives after it queues behind it. A CREATE INDEX
//    CONCURRENTLY waits for every transaction of the database older than it, so for such a step
//    the transactions open longer than --max-transaction-age are blockers too;
//  - which of the blockers have been open longer than --max-transaction-age.
// Three catalog queries for the whole plan, whatever the number of tables.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "planner/plan.h"
#include "schema/model.h"

namespace pgdrift::planner {

// The rates of the estimates, in bytes per second.
struct WorkRates {
  double rewrite;
  double validation_scan;
  double index_build;
  double backfill;
};
const WorkRates& measured_rates();

// The kind of long work a step does ("rewrite", "validation_scan", "index_build", "backfill"),
// from its hazards; "" for a catalog change.
std::string step_operation(const Step& step);

// Fills `lock_analysis` of every step of `plan` that locks a table of `live` (the database
// `conninfo` names, before the plan) stronger than ACCESS SHARE; other steps get none. The
// analysing connection is no blocker; pgdrift's other connections hold no table lock then.
void analyze_locks(const std::string& conninfo, Plan& plan, const schema::Model& live,
                   int64_t max_transaction_age_s);

// The steps of `plan` whose analysis has blockers.
std::vector<const Step*> blocked_steps(const Plan& plan);

// The "lock_analysis" member of a step in plan JSON and apply reports, and back.
nlohmann::json lock_analysis_to_json(const LockAnalysis& analysis);
LockAnalysis lock_analysis_from_json(const nlohmann::json& json);
// One line for text and Markdown: "public.t: 220 MB, 2000000 rows; rewrite ~4 s".
std::string describe_lock_analysis(const LockAnalysis& analysis);

// "2.1 GB", "340 kB": bytes as pg_size_pretty prints them.
std::string pretty_bytes(int64_t bytes);
// "~12 s", "~3.5 min", "< 1 s": an estimate in words.
std::string pretty_duration(double seconds);

}  // namespace pgdrift::planner
