#include "planner/hazards.h"

namespace pgdrift::planner {

namespace {

struct HazardInfo {
  Hazard hazard;
  const char* code;
  const char* description;
};

const HazardInfo kHazards[] = {
    {Hazard::DataLoss, "data_loss", "rows or column values are permanently deleted"},
    {Hazard::TableRewrite, "table_rewrite",
     "the table is rewritten under an ACCESS EXCLUSIVE lock"},
    {Hazard::AccessExclusiveLock, "access_exclusive_lock",
     "takes an ACCESS EXCLUSIVE lock: reads and writes wait"},
    {Hazard::BlocksWrites, "blocks_writes", "takes a lock that blocks writes (reads go on)"},
    {Hazard::ValidationScan, "validation_scan", "scans the whole table to validate a constraint"},
    {Hazard::IndexBuild, "index_build", "builds an index (CPU and I/O proportional to size)"},
    {Hazard::IndexDropped, "index_dropped", "queries using the index may become slow"},
    {Hazard::PrecisionLoss, "precision_loss", "values may be rounded or truncated"},
    {Hazard::ConversionMayFail, "conversion_may_fail",
     "existing values may not convert to the new type"},
    {Hazard::Authz, "authz", "changes who can read or write (privileges, RLS, policies)"},
    {Hazard::UntrackedDependencies, "untracked_dependencies",
     "may break callers the tool cannot see (function bodies, applications)"},
    {Hazard::NotTransactional, "not_transactional",
     "runs outside a transaction; a failure can leave a partial result (e.g. INVALID index)"},
    {Hazard::Backfill, "backfill",
     "updates every existing row (row locks, WAL and dead tuples; UPDATE triggers fire)"},
};

}  // namespace

const std::vector<Hazard>& all_hazards() {
  static const std::vector<Hazard> all = [] {
    std::vector<Hazard> v;
    for (const auto& h : kHazards) v.push_back(h.hazard);
    return v;
  }();
  return all;
}

std::string hazard_code(Hazard hazard) {
  for (const auto& h : kHazards)
    if (h.hazard == hazard) return h.code;
  return "unknown";
}

std::optional<Hazard> hazard_from_code(const std::string& code) {
  for (const auto& h : kHazards)
    if (code == h.code) return h.hazard;
  return std::nullopt;
}

std::string hazard_description(Hazard hazard) {
  for (const auto& h : kHazards)
    if (h.hazard == hazard) return h.description;
  return "";
}

}  // namespace pgdrift::planner
