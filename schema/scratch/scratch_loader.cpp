#include "schema/scratch/scratch_loader.h"

#include <algorithm>
#include <set>

#include "pg/scratch_cluster.h"
#include "pg/session.h"
#include "schema/canonical.h"
#include "schema/live/introspect.h"
#include "schema/scratch/script.h"
#include "schema/sql/loader.h"
#include "schema/sql/psql_meta.h"

namespace pgdrift::schema::scratch {

namespace {

// SQL text to run and where it is: line 1 of `text` is line `first_line` of `file`.
struct Script {
  std::string text;
  std::string file;
  int first_line = 1;
};

// "file:line: PostgreSQL rejected the statement: SQLSTATE 42P07: message; detail: ...".
std::string describe(const std::string& file, int line, const std::string& label,
                     const pg::StatementError& error) {
  std::string out =
      file + ":" + std::to_string(line) + ": " + label + "PostgreSQL rejected the statement: ";
  if (!error.sqlstate.empty()) out += "SQLSTATE " + error.sqlstate + ": ";
  out += error.message;
  if (!error.detail.empty()) out += "; detail: " + error.detail;
  if (!error.hint.empty()) out += "; hint: " + error.hint;
  if (!error.context.empty()) {
    // The innermost frame says what ran (a nested SQL statement, an EXECUTE) when the error
    // came from PL/pgSQL.
    out += "; context: " + error.context.substr(0, error.context.find('\n'));
  }
  return out;
}

// A script as the server runs it: psql meta-commands (which no server accepts) blanked out, as
// the SQL loader does, so that pg_dump's \restrict / \unrestrict lines pass; any other
// meta-command (\connect, \i, \set ...) is refused with its file:line:column, never dropped.
Script server_script(std::string text, const std::string& file, int first_line) {
  for (const auto& command : sql::blank_meta_commands(text)) {
    if (sql::is_schema_neutral_meta_command(command.name)) continue;
    size_t previous_newline = text.rfind('\n', command.offset);  // the command starts with '\\'
    int column = previous_newline == std::string::npos
                     ? command.offset + 1
                     : command.offset - static_cast<int>(previous_newline);
    throw ScratchLoadError(
        file + ":" + std::to_string(line_of(text, command.offset) + first_line - 1) + ":" +
        std::to_string(column) + ": " + sql::unsupported_meta_command_message(command.name));
  }
  return Script{std::move(text), file, first_line};
}

// A fresh database of the cluster, removed again with the roles created while it existed
// (by the loader or by the SQL it ran): the next load finds the cluster as this one did.
class Database {
 public:
  Database(pg::ScratchCluster& cluster, std::string name)
      : cluster_(cluster), name_(std::move(name)) {
    pg::Session admin(cluster_.conninfo("postgres"));
    for (auto& role : admin.column("SELECT rolname FROM pg_catalog.pg_roles"))
      roles_before_.insert(std::move(role));
    cluster_.create_database(name_);
  }
  ~Database() {
    try {
      cluster_.drop_database(name_);
      pg::Session admin(cluster_.conninfo("postgres"));
      for (const auto& role : admin.column("SELECT rolname FROM pg_catalog.pg_roles"))
        if (!roles_before_.count(role)) admin.run("DROP ROLE " + quote_ident(role));
    } catch (...) {
      // A destructor must not throw; the cluster is thrown away at the end anyway.
    }
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Creates the roles `needs` names, and refuses extensions this machine does not have
  // (listing all of them, rather than PostgreSQL's first).
  void prepare(const ScriptNeeds& needs) {
    pg::Session admin(cluster_.conninfo("postgres"));
    std::vector<std::string> available = admin.column(
        "SELECT name FROM pg_catalog.pg_available_extensions UNION SELECT extname FROM "
        "pg_catalog.pg_extension");
    std::string missing;
    std::set<std::string> reported;
    for (const auto& use : needs.extensions()) {
      if (std::find(available.begin(), available.end(), use.name) != available.end()) continue;
      if (!reported.insert(use.name).second) continue;
      missing += "\n  " + use.file + ":" + std::to_string(use.line) + ": CREATE EXTENSION " +
                 quote_ident(use.name);
    }
    if (!missing.empty()) {
      std::vector<std::string> share =
          admin.column("SELECT setting FROM pg_catalog.pg_config WHERE name = 'SHAREDIR'");
      throw ScratchLoadError(
          "extensions the SQL creates are not installed on this machine (no <name>.control in " +
          (share.empty() ? std::string("the extension directory") : share[0] + "/extension") +
          " of the scratch PostgreSQL, " + cluster_.bindir() +
          "); install them to run the SQL in a scratch PostgreSQL:" + missing);
    }
    for (const auto& role : needs.roles_named_not_created()) {
      if (roles_before_.count(role) || role.rfind("pg_", 0) == 0) continue;
      if (auto error = admin.run("CREATE ROLE " + quote_ident(role) + " NOLOGIN"))
        throw ScratchLoadError("cannot create role " + quote_ident(role) +
                               " in the scratch PostgreSQL: " + error->message);
    }
  }

  // Runs the scripts in one session, statement by statement; the first statement PostgreSQL
  // rejects ends the load with its file:line and SQLSTATE. `label` starts the message
  // ("migration 0002: ").
  void run(const std::vector<Script>& scripts, const std::string& label = "") {
    pg::Session session(cluster_.conninfo(name_));
    for (const auto& script : scripts) {
      for (const auto& statement : split_statements(script.text)) {
        if (auto error = session.run(statement.sql)) {
          int line = error_line(script.text, statement, *error) + script.first_line - 1;
          throw ScratchLoadError(describe(script.file, line, label, *error));
        }
      }
    }
    if (session.in_transaction()) {
      const Script& last = scripts.back();
      throw ScratchLoadError(last.file + ": " + label +
                             "ends inside a transaction block (BEGIN without COMMIT): "
                             "PostgreSQL would roll its changes back");
    }
  }

  Model introspect() {
    try {
      live::IntrospectOptions options;
      options.own_objects_undeclared = true;  // the owners the SQL declares, as the loader
      return live::introspect(cluster_.conninfo(name_), options).model;
    } catch (const std::exception& e) {
      throw ScratchLoadError(std::string("cannot introspect the scratch database: ") + e.what());
    }
  }

 private:
  pg::ScratchCluster& cluster_;
  std::string name_;
  std::set<std::string> roles_before_;
};

}  // namespace

ScratchLoader::ScratchLoader() = default;

ScratchLoader::~ScratchLoader() { stop(); }

void ScratchLoader::stop() { cluster_.reset(); }

pg::ScratchCluster& ScratchLoader::cluster() {
  if (!cluster_) {
    try {
      cluster_ = pg::ScratchCluster::start();
    } catch (const std::exception& e) {
      throw ScratchLoadError(std::string("cannot start a scratch PostgreSQL to run the SQL in: ") +
                             e.what());
    }
  }
  return *cluster_;
}

std::string ScratchLoader::next_database_name() {
  return "pgdrift_load_" + std::to_string(++databases_);
}

Model ScratchLoader::load_files(const std::vector<std::string>& files) {
  std::vector<Script> scripts;
  ScriptNeeds needs;
  for (const auto& file : files) {
    scripts.push_back(server_script(sql::read_sql_file(file), file, 1));
    needs.add(scripts.back().text, file);
  }
  Database database(cluster(), next_database_name());
  database.prepare(needs);
  // One session per file: a file's SET search_path ends with the file.
  for (const auto& script : scripts) database.run({script});
  return database.introspect();
}

Model ScratchLoader::load_path(const std::string& path) { return load_files(sql::sql_files(path)); }

history::ReplayResult ScratchLoader::replay(const history::History& history,
                                            const history::ReplayOptions& options) {
  ScriptNeeds needs;
  for (const auto& migration : history.ordered)
    for (const auto& statement : migration.statements)
      needs.add(statement.sql, statement.where.file, statement.where.line);
  Database database(cluster(), next_database_name());
  database.prepare(needs);
  return history::replay(history, options,
                         [&database](const history::Migration& migration, Model& model,
                                     std::vector<history::Problem>&) {
                           if (!migration.problems.empty()) {
                             std::string message =
                                 "migration " + migration.id + " (" + migration.file +
                                 ") cannot be run in PostgreSQL: pgdrift could not turn all of "
                                 "it into SQL:";
                             for (const auto& p : migration.problems)
                               message += "\n  " + p.where.file + ":" +
                                          std::to_string(p.where.line) + ": " + p.message;
                             throw ScratchLoadError(message);
                           }
                           std::vector<Script> scripts;
                           for (const auto& s : migration.statements)
                             scripts.push_back(server_script(s.sql, s.where.file, s.where.line));
                           if (!scripts.empty())
                             database.run(scripts, "migration " + migration.id + ": ");
                           model = database.introspect();
                         });
}

}  // namespace pgdrift::schema::scratch
