// A source that reads SQL the way PostgreSQL does: it runs the files (or a migration history's
// SQL, migration by migration) in a fresh database of a throwaway PostgreSQL (pg/, the cluster
// plan validation uses) and introspects the result (schema/live). Anything PostgreSQL accepts
// loads, DO blocks and EXECUTE included, where the static SQL loader (schema/sql) only follows
// the statements it models. `--load-via-scratch` on the commands; docs/cli.md.
//
// The cluster starts on the first load and serves every load of one ScratchLoader, each in its
// own database; after a load the database and the roles made for it are removed again, so that
// loads do not see each other. The destructor (or stop()) stops the cluster; if the process
// dies, the cluster's watchdog removes it.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "schema/history/history.h"
#include "schema/model.h"

namespace pgdrift::pg {
class ScratchCluster;
}

namespace pgdrift::schema::scratch {

// The SQL could not be loaded: PostgreSQL rejected a statement ("file:line: PostgreSQL rejected
// the statement: SQLSTATE 42P07: relation \"t\" already exists"), an extension the files create
// is not installed on this machine, a migration could not be turned into SQL, or no scratch
// PostgreSQL could be started. what() is the whole message; it never holds a password (the
// scratch cluster has none, and no other connection string is involved).
class ScratchLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ScratchLoader {
 public:
  ScratchLoader();
  ~ScratchLoader();
  ScratchLoader(const ScratchLoader&) = delete;
  ScratchLoader& operator=(const ScratchLoader&) = delete;

  // Runs `files` in this order, each in its own session (so `SET search_path` lasts to the end
  // of its file, as in the static loader and `psql -f`), and introspects the database. Roles
  // the files name but do not create are created first (NOLOGIN); every CREATE EXTENSION must
  // name an extension installed on this machine. Throws ScratchLoadError.
  Model load_files(const std::vector<std::string>& files);
  // load_files(sql::sql_files(path)): the files the static loader reads, in its order.
  Model load_path(const std::string& path);

  // history::replay with each migration run in one database, in order, one session per
  // migration, and the model introspected after each (last_changed_by, per_migration as the
  // static replay gives them). A migration the reader could not turn into SQL completely
  // (Migration::problems) stops the replay with a ScratchLoadError listing its problems:
  // running the rest would give a model that is neither the static one nor the real one.
  // History-level problems (missing parents, cycles) stay problems in the result.
  history::ReplayResult replay(const history::History& history,
                               const history::ReplayOptions& options = {});

  // Stops the cluster now (idempotent; the destructor calls it).
  void stop();

 private:
  pg::ScratchCluster& cluster();
  std::string next_database_name();

  std::unique_ptr<pg::ScratchCluster> cluster_;
  int databases_ = 0;
};

}  // namespace pgdrift::schema::scratch
