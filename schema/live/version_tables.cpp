// Reading migration-tool version tables (schema/live/version_tables.h).
#include "schema/live/version_tables.h"

#include <pqxx/pqxx>

#include "schema/canonical.h"
#include "schema/live/connection.h"
#include "schema/live/introspect.h"

namespace pgdrift::schema::live {

namespace {

// Candidate tables and the columns that tell the tools apart.
constexpr const char* kFindVersionTables = R"SQL(
SELECT n.nspname, c.relname,
       bool_or(a.attname = 'version_num') AS has_version_num,
       bool_or(a.attname = 'version') AS has_version,
       bool_or(a.attname = 'success') AS has_success,
       bool_or(a.attname = 'dirty') AS has_dirty
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_%'
  AND (c.relname LIKE 'alembic\_version%' OR c.relname IN ('flyway_schema_history',
                                                            'schema_migrations'))
GROUP BY n.nspname, c.relname
ORDER BY n.nspname, c.relname
)SQL";

}  // namespace

std::vector<VersionTable> read_version_tables(const std::string& conninfo) {
  std::vector<VersionTable> out;
  try {
    auto conn = connect(conninfo);
    pqxx::read_transaction tx(*conn);
    for (const auto& row : tx.exec(kFindVersionTables)) {
      VersionTable t;
      t.schema = row[0].as<std::string>();
      t.name = row[1].as<std::string>();
      t.table = quote_qualified(t.schema, t.name);
      bool version_num = row[2].as<bool>(), version = row[3].as<bool>(),
           success = row[4].as<bool>(), dirty = row[5].as<bool>();
      if (t.name.rfind("alembic_version", 0) == 0 && version_num) {
        t.kind = "alembic";
        for (const auto& r : tx.exec("SELECT version_num::text FROM " + t.table + " ORDER BY 1"))
          t.versions.push_back(r[0].as<std::string>());
      } else if (t.name == "flyway_schema_history" && version && success) {
        t.kind = "flyway";
        for (const auto& r : tx.exec("SELECT version::text, success FROM " + t.table +
                                     " WHERE version IS NOT NULL ORDER BY installed_rank")) {
          if (r[1].as<bool>())
            t.versions.push_back(r[0].as<std::string>());
          else
            t.failed.push_back(r[0].as<std::string>());
        }
      } else if (t.name == "schema_migrations" && version && dirty) {
        t.kind = "golang-migrate";
        for (const auto& r : tx.exec("SELECT version::text, dirty FROM " + t.table)) {
          t.versions.push_back(r[0].as<std::string>());
          t.dirty = t.dirty || r[1].as<bool>();
        }
      } else if (t.name == "schema_migrations" && version) {
        t.kind = "dbmate";
        for (const auto& r : tx.exec("SELECT version::text FROM " + t.table + " ORDER BY 1"))
          t.versions.push_back(r[0].as<std::string>());
      } else {
        continue;  // a table that only looks like one
      }
      out.push_back(std::move(t));
    }
  } catch (const ConnectionError&) {
    throw;
  } catch (const std::exception& e) {
    throw ConnectionError("cannot read version tables of " + describe_target(conninfo) + ": " +
                          redact_message(e.what(), conninfo));
  }
  return out;
}

}  // namespace pgdrift::schema::live
