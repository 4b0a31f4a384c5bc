#include "planner/lock_analysis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <pqxx/pqxx>

#include "planner/data_checks.h"
#include "schema/canonical.h"
#include "schema/live/connection.h"

namespace pgdrift::planner {

namespace {

// Table-level lock modes, weakest first, as pg_locks names them; the step's lock as the plan
// writes it.
const std::vector<std::string> kModes = {
    "AccessShareLock", "RowShareLock",          "RowExclusiveLock", "ShareUpdateExclusiveLock",
    "ShareLock",       "ShareRowExclusiveLock", "ExclusiveLock",    "AccessExclusiveLock"};

int mode_index(const std::string& mode) {
  for (size_t i = 0; i < kModes.size(); ++i)
    if (kModes[i] == mode) return static_cast<int>(i);
  return -1;
}

// The step's lock as the plan writes it ("ACCESS EXCLUSIVE", "ROW EXCLUSIVE (row locks on every
// row)"): its leading mode name.
int step_lock_index(const std::string& lock) {
  static const std::vector<std::pair<std::string, int>> by_name = {
      {"ACCESS EXCLUSIVE", 7},    {"SHARE UPDATE EXCLUSIVE", 3},
      {"SHARE ROW EXCLUSIVE", 5}, {"ROW EXCLUSIVE", 2},
      {"ACCESS SHARE", 0},        {"ROW SHARE", 1},
      {"EXCLUSIVE", 6},           {"SHARE", 4}};
  for (const auto& [name, index] : by_name)
    if (lock.compare(0, name.size(), name) == 0 &&
        (lock.size() == name.size() || lock[name.size()] == ' '))
      return index;
  return -1;
}

// PostgreSQL's conflict table (docs 13.3.1, "Conflicting Lock Modes").
bool conflicts(int a, int b) {
  static const int table[8][8] = {{0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 1, 1},
                                  {0, 0, 0, 0, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1, 1},
                                  {0, 0, 1, 1, 0, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1, 1},
                                  {0, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1}};
  return a >= 0 && b >= 0 && table[a][b] == 1;
}

bool has(const Step& step, Hazard hazard) {
  return std::find(step.hazards.begin(), step.hazards.end(), hazard) != step.hazards.end();
}

bool concurrent_index_build(const Step& step) {
  return has(step, Hazard::IndexBuild) && !step.transactional;
}

// The existing table a step locks: the one its object belongs to ("public.t.c", "public.t"),
// else (an index, named in its schema) the table it needs.
std::string locked_table(const Step& step, const schema::Model& live) {
  std::string table = table_of_object(live, step.object_name);
  for (const auto& key : step.needs)
    if (table.empty() && key.rfind("table:", 0) == 0 && live.tables.count(key.substr(6)))
      table = key.substr(6);
  return table;
}

const char* kSessionColumns =
    "a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), "
    "coalesce(extract(epoch FROM now() - a.xact_start)::bigint, 0), "
    "left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 120)";

LockHolder holder_of(const pqxx::row& r, int first, std::string mode, bool granted) {
  LockHolder h;
  h.pid = r[first].as<int>();
  h.application_name = r[first + 1].c_str();
  h.state = r[first + 2].c_str();
  h.mode = std::move(mode);
  h.granted = granted;
  h.transaction_age_s = r[first + 3].as<int64_t>();
  h.query = r[first + 4].c_str();
  return h;
}

}  // namespace

// Measured by bench/lock_rates_bench.sh (2,000,000 rows: 177 MB of heap, 220 MB with its
// key) on the 2-core development machine, PostgreSQL 15 with default settings, while a build
// ran beside it (docs/benchmarks.md): bytes of the table (rewrite: with its indexes) over wall
// time, the median of 3 runs. A busier or faster server differs; the estimates are for ordering
// and rough planning, not promises.
const WorkRates& measured_rates() {
  static const WorkRates rates{
      .rewrite = 86.9 * 1048576,
      .validation_scan = 1214.8 * 1048576,
      .index_build = 94.1 * 1048576,
      .backfill = 28.6 * 1048576,
  };
  return rates;
}

std::string step_operation(const Step& step) {
  if (has(step, Hazard::TableRewrite)) return "rewrite";
  if (has(step, Hazard::Backfill)) return "backfill";
  if (has(step, Hazard::IndexBuild)) return "index_build";
  if (has(step, Hazard::ValidationScan)) return "validation_scan";
  return "";
}

void analyze_locks(const std::string& conninfo, Plan& plan, const schema::Model& live,
                   int64_t max_transaction_age_s) {
  std::vector<std::pair<Step*, std::string>> locking;  // step, table key
  std::vector<std::string> tables;
  bool any_concurrent = false;
  for (auto& s : plan.steps) {
    s.lock_analysis.reset();
    if (step_lock_index(s.lock) <= 0 && !concurrent_index_build(s)) continue;
    const std::string table = locked_table(s, live);
    if (table.empty()) continue;
    if (std::find(tables.begin(), tables.end(), table) == tables.end()) tables.push_back(table);
    locking.push_back({&s, table});
    any_concurrent = any_concurrent || concurrent_index_build(s);
  }
  if (locking.empty()) return;
  auto connection = schema::live::connect(conninfo);
  pqxx::read_transaction work(*connection);
  std::string keys = "ARRAY[";
  for (size_t i = 0; i < tables.size(); ++i) keys += (i ? ", " : "") + work.quote(tables[i]);
  keys += "]::text[]";
  const std::string with_tables =
      "WITH t AS (SELECT k, to_regclass(k) AS oid FROM unnest(" + keys + ") k) ";

  // 1. Sizes, over the partition tree (a regular table's tree is itself).
  std::map<std::string, LockAnalysis> by_table;
  for (const auto& r : work.exec(
           with_tables +
           "SELECT t.k, coalesce(sum(pg_catalog.pg_total_relation_size(p.relid)), 0)::bigint, "
           "coalesce(sum(pg_catalog.pg_relation_size(p.relid)), 0)::bigint, "
           "CASE WHEN bool_or(c.reltuples < 0) THEN -1 "
           "ELSE coalesce(sum(c.reltuples), 0) END::bigint "
           "FROM t LEFT JOIN LATERAL (SELECT tree.relid FROM pg_catalog.pg_partition_tree(t.oid) "
           "tree WHERE tree.isleaf UNION SELECT t.oid) p ON true "
           "JOIN pg_catalog.pg_class c ON c.oid = p.relid AND c.relkind <> 'p' GROUP BY t.k")) {
    LockAnalysis& a = by_table[r[0].c_str()];
    a.table = r[0].c_str();
    a.total_bytes = r[1].as<int64_t>();
    a.heap_bytes = r[2].as<int64_t>();
    a.rows = r[3].as<int64_t>();
  }
  // 2. Relation locks of other sessions on those tables.
  const pqxx::result locks = work.exec(
      with_tables + "SELECT t.k, l.mode, l.granted, " + kSessionColumns +
      " FROM t JOIN pg_catalog.pg_locks l ON l.relation = t.oid AND l.locktype = 'relation' "
      "AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = "
      "current_database()) JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.pid <> pg_catalog.pg_backend_pid() ORDER BY a.pid");
  // 3. Transactions of this database older than the limit (what CONCURRENTLY waits for).
  pqxx::result old;
  if (any_concurrent)
    old = work.exec(std::string("SELECT ") + kSessionColumns +
                    " FROM pg_catalog.pg_stat_activity a WHERE a.datname = current_database() "
                    "AND a.pid <> pg_catalog.pg_backend_pid() AND a.xact_start IS NOT NULL "
                    "AND a.xact_start < now() - make_interval(secs => " +
                    std::to_string(max_transaction_age_s) + ") ORDER BY a.pid");

  const WorkRates& rates = measured_rates();
  for (auto& [step, table] : locking) {
    LockAnalysis a = by_table[table];
    a.table = table;
    a.operation = step_operation(*step);
    const double bytes =
        static_cast<double>(a.operation == "rewrite" ? a.total_bytes : a.heap_bytes);
    a.estimated_seconds = a.operation == "rewrite"           ? bytes / rates.rewrite
                          : a.operation == "backfill"        ? bytes / rates.backfill
                          : a.operation == "index_build"     ? bytes / rates.index_build
                          : a.operation == "validation_scan" ? bytes / rates.validation_scan
                                                             : 0;
    const int mode = step_lock_index(step->lock);
    for (const auto& r : locks) {
      if (table != r[0].c_str() || !conflicts(mode, mode_index(r[1].c_str()))) continue;
      a.blockers.push_back(holder_of(r, 3, r[1].c_str(), std::string(r[2].c_str()) == "t"));
    }
    if (concurrent_index_build(*step))
      for (const auto& r : old) {
        const int pid = r[0].as<int>();
        if (std::none_of(a.blockers.begin(), a.blockers.end(),
                         [pid](const LockHolder& h) { return h.pid == pid; }))
          a.blockers.push_back(holder_of(r, 0, "", true));
      }
    for (const auto& h : a.blockers)
      if (h.transaction_age_s > max_transaction_age_s) a.old_transactions.push_back(h.pid);
    step->lock_analysis = std::move(a);
  }
}

std::vector<const Step*> blocked_steps(const Plan& plan) {
  std::vector<const Step*> out;
  for (const auto& s : plan.steps)
    if (s.lock_analysis && !s.lock_analysis->blockers.empty()) out.push_back(&s);
  return out;
}

nlohmann::json lock_analysis_to_json(const LockAnalysis& a) {
  nlohmann::json blockers = nlohmann::json::array();
  for (const auto& h : a.blockers)
    blockers.push_back({{"pid", h.pid},
                        {"application_name", h.application_name},
                        {"state", h.state},
                        {"mode", h.mode},
                        {"granted", h.granted},
                        {"transaction_age_s", h.transaction_age_s},
                        {"query", h.query}});
  return {{"table", a.table},
          {"total_bytes", a.total_bytes},
          {"heap_bytes", a.heap_bytes},
          {"rows", a.rows},
          {"operation", a.operation.empty() ? nlohmann::json() : nlohmann::json(a.operation)},
          {"estimated_seconds", std::round(a.estimated_seconds * 1000) / 1000},
          {"blockers", blockers},
          {"old_transactions", a.old_transactions}};
}

LockAnalysis lock_analysis_from_json(const nlohmann::json& j) {
  LockAnalysis a;
  a.table = j.value("table", "");
  a.total_bytes = j.value("total_bytes", int64_t{0});
  a.heap_bytes = j.value("heap_bytes", int64_t{0});
  a.rows = j.value("rows", int64_t{-1});
  if (j.contains("operation") && j["operation"].is_string()) a.operation = j["operation"];
  a.estimated_seconds = j.value("estimated_seconds", 0.0);
  if (j.contains("blockers"))
    for (const auto& h : j["blockers"])
      a.blockers.push_back({h.value("pid", 0), h.value("application_name", ""),
                            h.value("state", ""), h.value("mode", ""), h.value("granted", true),
                            h.value("transaction_age_s", int64_t{0}), h.value("query", "")});
  if (j.contains("old_transactions"))
    a.old_transactions = j["old_transactions"].get<std::vector<int>>();
  return a;
}

std::string describe_lock_analysis(const LockAnalysis& a) {
  std::string text = a.table + ": " + pretty_bytes(a.total_bytes) + ", " +
                     (a.rows < 0 ? std::string("rows unknown (never analyzed)")
                                 : std::to_string(a.rows) + " rows");
  if (!a.operation.empty()) text += "; " + a.operation + " " + pretty_duration(a.estimated_seconds);
  if (!a.blockers.empty())
    text += "; " + std::to_string(a.blockers.size()) + " blocking session" +
            (a.blockers.size() == 1 ? "" : "s");
  return text;
}

std::string pretty_bytes(int64_t bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 10240 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return std::to_string(static_cast<int64_t>(std::llround(value))) + " " + units[unit];
}

std::string pretty_duration(double seconds) {
  char buffer[32];
  if (seconds < 1) return "< 1 s";
  if (seconds < 120) {
    std::snprintf(buffer, sizeof buffer, "~%.0f s", seconds);
  } else if (seconds < 7200) {
    std::snprintf(buffer, sizeof buffer, "~%.1f min", seconds / 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "~%.1f h", seconds / 3600);
  }
  return buffer;
}

}  // namespace pgdrift::planner
