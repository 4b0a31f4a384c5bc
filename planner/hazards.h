// The hazard catalogue (docs/hazards.md). Every plan step lists the hazards of running it;
// codes are stable strings so that CI output and --allow-hazards can name them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgdrift::planner {

enum class Hazard {
  DataLoss,               // rows or column values are deleted
  TableRewrite,           // the whole table is rewritten (time and disk proportional to size)
  AccessExclusiveLock,    // blocks reads and writes for the statement's duration
  BlocksWrites,           // SHARE / SHARE ROW EXCLUSIVE lock: reads go on, writes wait
  ValidationScan,         // full scan to validate a constraint (no write block when separate)
  IndexBuild,             // builds an index (CPU, I/O; CONCURRENTLY may leave an INVALID index)
  IndexDropped,           // queries relying on the index may become slow
  PrecisionLoss,          // values are rounded or truncated by a type change
  ConversionMayFail,      // existing values may not convert to the new type
  Authz,                  // privileges, RLS or policies change who can see or do what
  UntrackedDependencies,  // callers the tool cannot see (function bodies, external code)
  NotTransactional,       // cannot run inside a transaction block; a failure leaves a trace
  Backfill,               // UPDATEs every existing row (row locks, WAL, dead tuples, triggers)
};

const std::vector<Hazard>& all_hazards();
std::string hazard_code(Hazard hazard);  // "data_loss", "table_rewrite", ...
std::optional<Hazard> hazard_from_code(const std::string& code);
// One-line description for reports.
std::string hazard_description(Hazard hazard);

}  // namespace pgdrift::planner
