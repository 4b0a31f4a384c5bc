// ALTER ... RENAME for the renames the diff paired from explicit annotations
// (engine::RenameChange). A rename changes the catalog only (no rewrite, no scan, the data
// stays): a brief ACCESS EXCLUSIVE lock. It runs before every other step, which all use the new
// names: they are planned against the source as renamed (make_plan).
#include "planner/generators.h"
#include "schema/canonical.h"

namespace pgdrift::planner {

using engine::RenameChange;
using schema::quote_ident;

void gen_renames(Context& ctx, const std::vector<RenameChange>& renames) {
  for (const auto& r : renames) {
    const std::string old_table = r.kind == RenameChange::Kind::Table
                                      ? schema::quote_qualified(r.schema, r.from_name)
                                      : r.table;
    std::string statement;
    std::string object_name;
    std::string provides;
    switch (r.kind) {
      case RenameChange::Kind::Table:
        statement = "ALTER TABLE " + old_table + " RENAME TO " + quote_ident(r.to_name) + ";";
        object_name = r.table;
        provides = "table:" + r.table;
        break;
      case RenameChange::Kind::Column:
        statement = "ALTER TABLE " + r.table + " RENAME COLUMN " + quote_ident(r.from_name) +
                    " TO " + quote_ident(r.to_name) + ";";
        object_name = r.table + "." + quote_ident(r.to_name);
        provides = "column:" + object_name;
        break;
      case RenameChange::Kind::Constraint:
        statement = "ALTER TABLE " + r.table + " RENAME CONSTRAINT " + quote_ident(r.from_name) +
                    " TO " + quote_ident(r.to_name) + ";";
        object_name = r.table + "." + quote_ident(r.to_name);
        provides = "constraint:" + object_name;
        break;
      case RenameChange::Kind::Index:
        statement = "ALTER INDEX " + schema::quote_qualified(r.schema, r.from_name) +
                    " RENAME TO " + quote_ident(r.to_name) + ";";
        object_name = schema::quote_qualified(r.schema, r.to_name);
        provides = "index:" + object_name;
        break;
    }
    Step s = make_step(r.kind_name(), object_name, engine::ChangeKind::Alter, kRename, statement);
    if (r.kind != RenameChange::Kind::Table) s.needs = {"table:" + r.table};
    s.provides = {provides};
    s.lock = "ACCESS EXCLUSIVE";
    // Catalog only; but whatever still uses the old name (application queries, function
    // bodies the tool cannot see) breaks.
    s.hazards = {Hazard::AccessExclusiveLock, Hazard::UntrackedDependencies};
    s.note = "renamed from " + quote_ident(r.from_name) + " (pgdrift:renamed-from): the data stays";
    ctx.add(s);
  }
}

}  // namespace pgdrift::planner
