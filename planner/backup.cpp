// Backups for lossy steps (planner/backup.h, docs/apply.md "Backups").
#include "planner/backup.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <regex>

#include "planner/apply.h"
#include "planner/audit.h"
#include "planner/data_checks.h"
#include "schema/canonical.h"
#include "schema/live/connection.h"

namespace pgdrift::planner {

namespace {

using schema::quote_ident;

bool has(const Step& step, Hazard hazard) {
  return std::find(step.hazards.begin(), step.hazards.end(), hazard) != step.hazards.end();
}

bool lossy(const Step& step) {
  return has(step, Hazard::DataLoss) || has(step, Hazard::PrecisionLoss) ||
         has(step, Hazard::ConversionMayFail);
}

// The columns that identify a row: the primary key, else the first UNIQUE constraint (by name)
// whose columns are all NOT NULL. Empty when there is neither.
std::vector<std::string> row_key(const schema::Table& table) {
  const schema::Constraint* unique = nullptr;
  for (const auto& [name, c] : table.constraints) {
    if (c.kind == schema::ConstraintKind::PrimaryKey) return c.columns;
    if (c.kind != schema::ConstraintKind::Unique || c.nulls_not_distinct || unique) continue;
    bool all_not_null = !c.columns.empty();
    for (const auto& column : c.columns) {
      const schema::Column* col = table.find_column(column);
      all_not_null = all_not_null && col && col->not_null;
    }
    if (all_not_null) unique = &c;
  }
  return unique ? unique->columns : std::vector<std::string>{};
}

// "ONLY public.t": a column backup and its restore read and write the table's own rows, not
// those of inheritance children (which have their own). A partitioned table has no rows of its
// own: its partitions' rows are read through it.
std::string rows_of(const schema::Table& table, const std::string& key) {
  return table.kind == schema::TableKind::Partitioned ? key : "ONLY " + key;
}

std::string sql_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string join_quoted(const std::vector<std::string>& names, const std::string& prefix = "") {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + prefix + quote_ident(n);
  return out;
}

// nextval('public.t_id_seq'::regclass) in a column default: the sequence it draws from.
std::string nextval_sequence(const std::string& default_expr) {
  static const std::regex nextval(R"(^nextval\('((?:[^']|'')+)'(?:::regclass)?\)$)");
  std::smatch m;
  if (!std::regex_match(default_expr, m, nextval)) return "";
  std::string name = m[1];
  for (size_t p = 0; (p = name.find("''", p)) != std::string::npos; ++p) name.erase(p, 1);
  return name;
}

std::string backup_statement(const Backup& b, const schema::Model& live) {
  // The table's own rows at the moment the step runs, in the step's transaction.
  const std::string from = rows_of(live.tables.at(b.table), b.table);
  const std::string select = b.column.empty() ? "SELECT * FROM " + from
                                              : "SELECT " + join_quoted(b.key) + ", " +
                                                    quote_ident(b.column) + " FROM " + from;
  // Alone in its statement: apply reads the number of rows it copied from its command tag. No
  // one but the owner reaches it: the schema has no USAGE for PUBLIC.
  return "CREATE TABLE " + b.backup_table + " AS " + select;
}

}  // namespace

std::string backup_schema(const std::string& audit_schema) { return audit_schema + "_backup"; }

std::vector<Backup> plan_backups(const Plan& plan, const schema::Model& live,
                                 const std::string& schema_name, int64_t audit_id) {
  std::vector<Backup> backups;
  std::set<std::string> dropped_tables;
  for (const auto& step : plan.steps)
    if (step.object_kind == "table" && has(step, Hazard::DataLoss))
      dropped_tables.insert(step.object_name);
  for (const auto& step : plan.steps) {
    if (!lossy(step)) continue;
    Backup b;
    b.step = step.id;
    b.table = table_of_object(live, step.object_name);
    if (b.table.empty()) continue;  // e.g. a NOT NULL column that does not exist yet
    const schema::Table& table = live.tables.at(b.table);
    if (step.object_kind == "table") {
      // A partition's rows are in its parent's backup when both are dropped.
      if (!table.partition_of.empty() && dropped_tables.count(table.partition_of)) continue;
    } else if (step.object_kind == "column") {
      const schema::Column* column = nullptr;
      for (const auto& c : table.columns)
        if (b.table + "." + quote_ident(c.name) == step.object_name) column = &c;
      if (!column) continue;  // added by the plan: nothing to save
      b.column = column->name;
      b.key = row_key(table);
      if (column->generated_expr) continue;  // recomputed from the other columns
      if (b.key.empty())
        b.skipped = "table " + b.table + " has no primary key or NOT NULL unique key to match rows";
      else if (std::find(b.key.begin(), b.key.end(), b.column) != b.key.end())
        b.skipped = "the column is part of the key that matches rows";
      else if (column->identity != schema::IdentityKind::None)
        b.skipped = "an identity column cannot be set back by UPDATE";
    } else {
      continue;  // types, sequences, views, extensions: no rows of a table to save
    }
    if (b.skipped.empty()) {
      b.backup_table = quote_ident(schema_name) + "." +
                       quote_ident(std::to_string(audit_id) + "_" + std::to_string(step.id));
      b.statement = backup_statement(b, live);
    }
    backups.push_back(std::move(b));
  }
  return backups;
}

void create_backup_schema(const std::string& conninfo, const std::string& schema_name) {
  const std::string name = quote_ident(schema_name);
  auto connection = schema::live::connect(conninfo);
  pqxx::work work(*connection);
  work.exec("CREATE SCHEMA IF NOT EXISTS " + name);
  work.exec("COMMENT ON SCHEMA " + name + " IS " +
            sql_literal(std::string(kManagedSchemaMark) +
                        " backups of the values lossy apply steps destroyed (pgdrift rollback "
                        "restores them; pgdrift audit --prune-backups removes old ones)"));
  work.exec("REVOKE ALL ON SCHEMA " + name + " FROM PUBLIC");
  work.commit();
}

std::string restore_statement(const Backup& b, const schema::Table& table,
                              const std::vector<const schema::Trigger*>& enabled_update_triggers) {
  const std::string key = schema::quote_qualified(table.schema, table.name);
  if (!b.column.empty()) {
    std::string sql;
    for (const auto* t : enabled_update_triggers)
      sql += "ALTER TABLE " + key + " DISABLE TRIGGER " + quote_ident(t->name) + ";\n";
    const std::string c = quote_ident(b.column);
    sql += "UPDATE " + rows_of(table, key) + " AS live SET " + c + " = saved." + c + " FROM " +
           b.backup_table + " AS saved WHERE ";
    for (const auto& k : b.key)
      sql += "live." + quote_ident(k) + " = saved." + quote_ident(k) + " AND ";
    sql += "live." + c + " IS DISTINCT FROM saved." + c + ";";
    for (const auto* t : enabled_update_triggers) {
      const char* how = t->enabled == 'A'   ? " ENABLE ALWAYS TRIGGER "
                        : t->enabled == 'R' ? " ENABLE REPLICA TRIGGER "
                                            : " ENABLE TRIGGER ";
      sql += "\nALTER TABLE " + key + how + quote_ident(t->name) + ";";
    }
    return sql;
  }
  std::vector<std::string> columns;
  bool identity_always = false;
  for (const auto& c : table.columns) {
    if (c.generated_expr) continue;
    columns.push_back(c.name);
    identity_always = identity_always || c.identity == schema::IdentityKind::Always;
  }
  std::string sql = "INSERT INTO " + key + " (" + join_quoted(columns) + ")" +
                    (identity_always ? " OVERRIDING SYSTEM VALUE" : "") + " SELECT " +
                    join_quoted(columns) + " FROM " + b.backup_table + ";";
  // The re-created sequences start at 1: move them past the restored values.
  for (const auto& c : table.columns) {
    std::string sequence;
    if (c.identity != schema::IdentityKind::None)
      sequence = "pg_catalog.pg_get_serial_sequence(" + sql_literal(key) + ", " +
                 sql_literal(c.name) + ")";
    else if (c.default_expr && !nextval_sequence(*c.default_expr).empty())
      sequence = sql_literal(nextval_sequence(*c.default_expr));
    if (sequence.empty()) continue;
    sql += "\nSELECT pg_catalog.setval(" + sequence + ", max(" + quote_ident(c.name) + ")) FROM " +
           key + " HAVING max(" + quote_ident(c.name) + ") IS NOT NULL;";
  }
  return sql;
}

nlohmann::json backups_to_json(const std::vector<Backup>& backups) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& b : backups) {
    nlohmann::json j = {{"step", b.step},
                        {"table", b.table},
                        {"column", b.column.empty() ? nlohmann::json() : nlohmann::json(b.column)},
                        {"key", b.key},
                        {"backup_table", b.backup_table.empty() ? nlohmann::json()
                                                                : nlohmann::json(b.backup_table)},
                        {"taken", b.taken},
                        {"rows", b.taken ? nlohmann::json(b.rows) : nlohmann::json()}};
    if (!b.skipped.empty()) j["skipped"] = b.skipped;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<Backup> backups_from_json(const nlohmann::json& json) {
  std::vector<Backup> out;
  if (!json.is_array()) return out;
  for (const auto& j : json) {
    Backup b;
    b.step = j.value("step", 0);
    b.table = j.value("table", "");
    if (j.contains("column") && j["column"].is_string()) b.column = j["column"];
    if (j.contains("key") && j["key"].is_array()) b.key = j["key"].get<std::vector<std::string>>();
    if (j.contains("backup_table") && j["backup_table"].is_string())
      b.backup_table = j["backup_table"];
    b.skipped = j.value("skipped", "");
    b.taken = j.value("taken", false);
    if (j.contains("rows") && j["rows"].is_number()) b.rows = j["rows"];
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<Backup> existing_backups(const std::string& conninfo,
                                     const std::vector<Backup>& backups) {
  std::vector<Backup> out;
  auto connection = schema::live::connect(conninfo);
  pqxx::nontransaction work(*connection);
  for (const auto& b : backups)
    if (b.taken && !b.backup_table.empty() &&
        !work.exec_params("SELECT to_regclass($1)", b.backup_table)[0][0].is_null())
      out.push_back(b);
  return out;
}

std::vector<std::string> prune_backups(const std::string& conninfo, const std::string& audit_schema,
                                       double days) {
  ApplySession session(conninfo);
  session.lock(0);
  auto connection = schema::live::connect(conninfo);
  pqxx::work work(*connection);
  // Backup tables are named "<audit id>_<step>".
  const pqxx::result old = work.exec_params(
      "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "JOIN " +
          quote_ident(audit_schema) +
          ".audit_log a ON a.id = split_part(c.relname, '_', 1)::bigint "
          "WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname ~ '^[0-9]+_[0-9]+$' "
          "AND a.started_at < now() - make_interval(secs => $2 * 86400) ORDER BY a.id, 1",
      backup_schema(audit_schema), days);
  std::vector<std::string> dropped;
  for (const auto& row : old) {
    work.exec("DROP TABLE " + std::string(row[0].c_str()));
    dropped.push_back(row[0].c_str());
  }
  work.commit();
  return dropped;
}

}  // namespace pgdrift::planner
