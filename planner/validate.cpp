// Plan validation on a scratch cluster (planner/validate.h).
#include "planner/validate.h"

#include "schema/canonical.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/diff.h"
#include "pg/scratch_cluster.h"
#include "schema/live/introspect.h"
#include "schema/render.h"

namespace pgdrift::planner {

namespace {

// A file that is removed when the object dies.
struct TempFile {
  std::string path;
  TempFile() {
    char name[] = "/tmp/pgdrift-validate-XXXXXX";
    int fd = mkstemp(name);
    if (fd < 0) throw pg::ScratchClusterError("cannot create a temporary file");
    close(fd);
    path = name;
  }
  ~TempFile() { std::remove(path.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

// psql's "psql:FILE:LINE: ERROR:  SQLSTATE: message" (VERBOSITY verbose) -> the failure.
ValidationFailure parse_psql_error(const std::string& output, const std::string& script,
                                   const Plan& plan) {
  ValidationFailure f;
  f.message = output;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    size_t error = line.find(": ERROR:  ");
    if (error == std::string::npos) continue;
    size_t colon = line.rfind(':', error - 1);
    int script_line = 0;
    if (colon != std::string::npos) script_line = std::atoi(line.c_str() + colon + 1);
    std::string text = line.substr(error + 10);
    if (text.size() > 7 && text[5] == ':' && text[6] == ' ') {
      bool code = true;
      for (size_t i = 0; i < 5; ++i)
        code = code && ((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'A' && text[i] <= 'Z'));
      if (code) {
        f.sqlstate = text.substr(0, 5);
        text = text.substr(7);
      }
    }
    f.message = text;
    f.step_id = step_at_script_line(script, script_line);
    break;
  }
  if (f.step_id > 0 && static_cast<size_t>(f.step_id) <= plan.steps.size()) {
    const Step& s = plan.steps[f.step_id - 1];
    f.step = "step " + std::to_string(f.step_id) + " (" + engine::change_kind_name(s.change_kind) +
             " " + s.object_kind + " " + s.object_name + ")";
    f.statement = s.statement;
  } else {
    f.step = "the script outside its steps";
  }
  return f;
}

}  // namespace

std::string ValidationResult::describe() const {
  std::string out;
  if (failure) {
    out = failure->step + " failed on a scratch copy of the source: ";
    if (!failure->sqlstate.empty()) out += "SQLSTATE " + failure->sqlstate + ": ";
    out += failure->message;
    if (!failure->statement.empty()) out += "\n  statement: " + failure->statement;
    return out;
  }
  if (!remaining.empty()) {
    out = "after the plan, the scratch database still differs from the target:";
    for (const auto& line : remaining) out += "\n  " + line;
    return out;
  }
  if (skipped) return "not validated: " + skipped_reason;
  return "converged";
}

bool can_validate_plans() {
  try {
    pg::ScratchCluster::find_bindir();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

namespace {

// The roles the models grant to, name in policies and default privileges, or make owners. A fresh
// scratch cluster has none but its superuser, and a plan re-grants privileges of objects it
// re-creates even without --privileges.
std::set<std::string> roles_named(const std::vector<const schema::Model*>& models) {
  std::set<std::string> roles;
  auto grants = [&](const std::vector<schema::Grant>& list) {
    for (const auto& g : list)
      if (g.grantee != "PUBLIC" && g.grantee != "public") roles.insert(g.grantee);
  };
  auto owner = [&](const std::string& role) {
    if (!role.empty()) roles.insert(role);
  };
  for (const auto* m : models) {
    for (const auto& [k, d] : m->default_privileges) {
      grants(d.grants);
      owner(d.role);
    }
    for (const auto& [k, v] : m->schemas) owner(v.owner);
    for (const auto& [k, v] : m->sequences) owner(v.owner);
    for (const auto& [k, v] : m->views) owner(v.owner);
    for (const auto& [k, v] : m->functions) owner(v.owner);
    for (const auto& [k, v] : m->tables) owner(v.owner);
    for (const auto& [k, v] : m->enums) owner(v.owner);
    for (const auto& [k, v] : m->composite_types) owner(v.owner);
    for (const auto& [k, v] : m->domains) owner(v.owner);
    for (const auto& [k, v] : m->schemas) grants(v.grants);
    for (const auto& [k, v] : m->sequences) grants(v.grants);
    for (const auto& [k, v] : m->views) grants(v.grants);
    for (const auto& [k, v] : m->functions) grants(v.grants);
    for (const auto& [k, v] : m->aggregates) grants(v.grants);
    for (const auto& [k, t] : m->tables) {
      grants(t.grants);
      for (const auto& c : t.columns) grants(c.grants);
      for (const auto& [n, p] : t.policies)
        for (const auto& r : p.roles)
          if (r != "public" && r != "current_user" && r != "current_role" && r != "session_user")
            roles.insert(r);
    }
  }
  return roles;
}

}  // namespace

int step_at_script_line(const std::string& script, int line) {
  std::istringstream in(script);
  std::string text;
  int current = 0;
  for (int n = 1; std::getline(in, text) && n <= line; ++n)
    if (text.rfind("-- step ", 0) == 0) current = std::atoi(text.c_str() + 8);
  return current;
}

ValidationResult validate_plan(const schema::Model& from_model, const schema::Model& to_model,
                               const Plan& plan, const PlanOptions& options) {
  ValidationResult result;
  if (!can_validate_plans()) {
    result.skipped = true;
    result.skipped_reason = "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found";
    return result;
  }
  const schema::Model from = engine::compared_form(from_model, options.diff);
  const schema::Model& to = to_model;

  auto cluster = pg::ScratchCluster::start();
  // An owner may be the cluster's own superuser (a source read from a database owned by
  // "postgres"): only the roles that do not exist yet are created.
  for (const auto& role : roles_named({&from_model, &to_model}))
    cluster->execute("postgres", "DO $pgdrift$ BEGIN CREATE ROLE " + schema::quote_ident(role) +
                                     "; EXCEPTION WHEN duplicate_object THEN NULL; END $pgdrift$;");
  const std::string db = "pgdrift_validate";
  cluster->create_database(db);
  try {
    cluster->execute(db, schema::render_model_sql(from));
  } catch (const std::exception& e) {
    result.skipped = true;
    result.skipped_reason =
        std::string("the source schema does not load into a scratch database: ") + e.what();
    return result;
  }

  // VERBOSITY verbose: psql prints the SQLSTATE with the error.
  std::string script = "\\set VERBOSITY verbose\n" + render_plan_sql(plan);
  TempFile file;
  {
    std::ofstream out(file.path, std::ios::binary);
    out << script;
  }
  try {
    cluster->psql_file(db, file.path);
  } catch (const pg::ScratchClusterError& e) {
    result.failure = parse_psql_error(e.what(), script, plan);
    return result;
  }

  // The scratch database holds only the source's objects (in scope) and what the plan made.
  auto live = schema::live::introspect(cluster->conninfo(db));
  result.remaining = engine::describe_changes(engine::diff_models(live.model, to, options.diff));
  return result;
}

ValidationResult validate_before_writing(const schema::Model& from, const schema::Model& to,
                                         const Plan& plan, const PlanOptions& options) {
  ValidationResult result;
  if (plan.empty()) return result;
  try {
    return validate_plan(from, to, plan, options);
  } catch (const std::exception& e) {
    result.skipped = true;
    result.skipped_reason = e.what();
    return result;
  }
}

}  // namespace pgdrift::planner
