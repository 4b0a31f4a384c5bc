// Migration-tool version tables of a live database: which revision each tool says it applied.
// One catalog query finds the candidate tables (in any schema), then one query per table reads
// it. Known tables (docs/reconcile.md):
//   alembic   alembic_version(version_num), also under another name (Alembic's version_table
//             option): any table named alembic_version* with a version_num column;
//   flyway    flyway_schema_history(version, success): the successful versioned rows;
//   golang-migrate schema_migrations(version, dirty): one row;
//   dbmate    schema_migrations(version) without `dirty`: every applied version.
#pragma once

#include <string>
#include <vector>

namespace pgdrift::schema::live {

struct VersionTable {
  std::string kind;    // "alembic", "flyway", "golang-migrate", "dbmate"
  std::string table;   // qualified key, e.g. public.alembic_version
  std::string schema;  // of the table
  std::string name;    // of the table
  // Versions the table records as applied, in the table's order (alembic: the heads; flyway
  // and dbmate: every applied version; golang-migrate: the current one).
  std::vector<std::string> versions;
  bool dirty = false;               // golang-migrate: the last migration failed half-way
  std::vector<std::string> failed;  // flyway: versions with success = false
};

// Throws ConnectionError (introspect.h) when the database cannot be read.
std::vector<VersionTable> read_version_tables(const std::string& conninfo);

}  // namespace pgdrift::schema::live
