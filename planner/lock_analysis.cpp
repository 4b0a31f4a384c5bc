#include "planner/lock_analysis.h"

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

int step_lock_index(const std::string& lock) {
  static const std::map<std::string, int> by_name = {
      {"ACCESS SHARE", 0},  {"ROW SHARE", 1},
      {"ROW EXCLUSIVE", 2}, {"SHARE UPDATE EXCLUSIVE", 3},
      {"SHARE", 4},         {"SHARE ROW EXCLUSIVE", 5},
      {"EXCLUSIVE", 6},     {"ACCESS EXCLUSIVE", 7}};
  auto it = by_name.find(lock);
  return it == by_name.end() ? -1 : it->second;
}

// PostgreSQL's conflict table (docs 13.3.1, "Conflicting Lock Modes").
bool conflicts(int a, int b) {
  static const int table[8][8] = {{0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 1, 1},
                                  {0, 0, 0, 0, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1, 1},
                                  {0, 0, 1, 1, 0, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1, 1},
                                  {0, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1}};
  return a >= 0 && b >= 0 && table[a][b] == 1;
}

}  // namespace

std::vector<StepBlockers> find_blockers(const std::string& conninfo, const Plan& plan,
                                        const schema::Model& live) {
  std::vector<StepBlockers> out;
  std::map<std::string, std::string> tables;  // table key -> its regclass text, as to_regclass
  std::vector<std::pair<const Step*, std::string>> locking;
  for (const auto& s : plan.steps) {
    if (step_lock_index(s.lock) <= 0) continue;  // none, or ACCESS SHARE
    const std::string table = table_of_object(live, s.object_name);
    if (table.empty()) continue;
    tables[table];
    locking.push_back({&s, table});
  }
  if (locking.empty()) return out;
  auto connection = schema::live::connect(conninfo);
  pqxx::read_transaction work(*connection);
  std::string list;
  for (const auto& [table, _] : tables)
    list += (list.empty() ? "" : ", ") + std::string("to_regclass(") + work.quote(table) + ")";
  const pqxx::result rows = work.exec(
      "SELECT l.relation::regclass::text, l.mode, l.granted, a.pid, "
      "coalesce(a.application_name, ''), coalesce(a.state, ''), "
      "coalesce(extract(epoch FROM now() - a.xact_start)::bigint, 0), "
      "left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 120) "
      "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'relation' AND l.pid <> pg_catalog.pg_backend_pid() "
      "AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = "
      "current_database()) AND l.relation = ANY (ARRAY[" +
      list + "]::oid[]) ORDER BY a.pid");
  // The regclass text of each table as this session prints it (search_path applies).
  std::map<std::string, std::string> key_of;
  for (const auto& [table, _] : tables)
    key_of[work.exec("SELECT to_regclass(" + work.quote(table) + ")::text")[0][0].c_str()] = table;
  for (const auto& [step, table] : locking) {
    StepBlockers b{step->id, table, step->lock, {}};
    for (const auto& r : rows) {
      auto k = key_of.find(r[0].c_str());
      if (k == key_of.end() || k->second != table) continue;
      if (!conflicts(step_lock_index(step->lock), mode_index(r[1].c_str()))) continue;
      b.holders.push_back({r[3].as<int>(), r[4].c_str(), r[5].c_str(), r[1].c_str(),
                           std::string(r[2].c_str()) == "t", r[6].as<int64_t>(), r[7].c_str()});
    }
    if (!b.holders.empty()) out.push_back(std::move(b));
  }
  return out;
}

}  // namespace pgdrift::planner
