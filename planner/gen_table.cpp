// Tables: CREATE / DROP, table-level attributes (options, RLS, persistence, inheritance), and
// dispatch of column / constraint / index / trigger / policy changes to their generators.
#include <algorithm>

#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;
using schema::quote_ident;

namespace {

bool is_unique_kind(schema::ConstraintKind k) {
  return k == schema::ConstraintKind::PrimaryKey || k == schema::ConstraintKind::Unique;
}

// ALTER TABLE ... REPLICA IDENTITY, after the index it names when the plan creates that index.
Step replica_identity_step(const std::string& key, const schema::Table& t) {
  Step s = make_step("table", key, ChangeKind::Alter, kTableAttributes,
                     schema::render_replica_identity(key, t));
  s.needs = {"table:" + key};
  if (t.replica_identity == 'i') {
    s.needs.push_back("index:" + schema::quote_qualified(t.schema, t.replica_identity_index));
    s.needs.push_back("constraint:" + key + "." + quote_ident(t.replica_identity_index));
  }
  return s;
}

// CREATE TABLE with its non-FK constraints, then its indexes, FKs, triggers (and their states),
// policies, RLS, replica identity.
void create_table(Context& ctx, const std::string& key, const schema::Table& t, ChangeKind kind) {
  const bool partition = !t.partition_of.empty();
  auto parent = ctx.to.tables.find(t.partition_of);
  Step s = make_step("table", key, kind, kCreateTable,
                     schema::render_create_table(
                         t, true, parent == ctx.to.tables.end() ? nullptr : &parent->second));
  s.provides = {"table:" + key};
  if (partition) s.provides.push_back("partition:" + key);
  for (const auto& c : t.columns) s.provides.push_back("column:" + key + "." + quote_ident(c.name));
  for (const auto& [name, c] : t.constraints) {
    if (c.kind == schema::ConstraintKind::ForeignKey) continue;
    s.provides.push_back("constraint:" + key + "." + quote_ident(name));
    if (is_unique_kind(c.kind)) s.provides.push_back("uniques:" + key);
  }
  s.needs = ctx.to_deps.of_table(t);
  ctx.add(s);
  for (const auto& c : t.columns)
    if (c.identity_options && c.identity_options->data_type != schema::identity_type_of(c.type))
      gen_identity_sequence_type(ctx, key, c);
  gen_restore_table(ctx, key, t);  // a rollback's rows, before what comes next needs the table
  // A partition's copies of its parent's keys and indexes come from the parent.
  for (const auto& [name, c] : t.constraints)
    if (c.kind == schema::ConstraintKind::ForeignKey && c.parent_constraint.empty())
      gen_constraint(ctx, {ChangeKind::Add, key, {}, c}, true);
  for (const auto& [name, i] : t.indexes)
    if (!partition || i.parent_index.empty())
      gen_index(ctx, {ChangeKind::Add, key, t.schema, t.name, {}, i}, true,
                t.kind == schema::TableKind::Partitioned);
  if (partition) gen_partition_clone_renames(ctx, key, t);
  for (const auto& [name, tr] : t.triggers) gen_trigger(ctx, {ChangeKind::Add, key, {}, tr});
  for (const auto& [name, p] : t.policies) gen_policy(ctx, {ChangeKind::Add, key, {}, p});
  if (t.rls_enabled || t.rls_forced) {
    std::string sql = "ALTER TABLE " + key;
    if (t.rls_enabled) sql += " ENABLE ROW LEVEL SECURITY";
    if (t.rls_forced) sql += std::string(t.rls_enabled ? "," : "") + " FORCE ROW LEVEL SECURITY";
    Step r = make_step("table", key, ChangeKind::Alter, kTableAttributes, sql + ";");
    r.needs = {"table:" + key};
    r.hazards = {Hazard::Authz};
    ctx.add(r);
  }
  if (t.replica_identity != 'd') ctx.add(replica_identity_step(key, t));
}

void drop_table(Context& ctx, const std::string& key, const schema::Table& t, ChangeKind kind) {
  // FKs between tables that are all dropped (possibly mutual) go first, so that every
  // DROP TABLE works without CASCADE.
  for (const auto& [name, c] : t.constraints)
    if (c.kind == schema::ConstraintKind::ForeignKey && c.foreign_key->ref_table != key &&
        ctx.dropped_tables.count(c.foreign_key->ref_table)) {
      Step f =
          make_step("constraint", key + "." + quote_ident(name), ChangeKind::Drop, kDropForeignKey,
                    "ALTER TABLE " + key + " DROP CONSTRAINT " + quote_ident(name) + ";");
      f.releases = {"table:" + c.foreign_key->ref_table, "uniques:" + c.foreign_key->ref_table};
      f.hazards = {Hazard::AccessExclusiveLock};
      f.lock = "ACCESS EXCLUSIVE";
      ctx.add(f);
    }
  Step s = make_step("table", key, kind, kDropTable, "DROP TABLE " + key + ";");
  s.removes = {"table:" + key, "uniques:" + key};
  for (const auto& c : t.columns) s.removes.push_back("column:" + key + "." + quote_ident(c.name));
  s.releases = ctx.from_deps.of_table(t);
  for (const auto& [name, c] : t.constraints)
    if (c.kind == schema::ConstraintKind::ForeignKey &&
        !ctx.dropped_tables.count(c.foreign_key->ref_table)) {
      s.releases.push_back("table:" + c.foreign_key->ref_table);
      s.releases.push_back("uniques:" + c.foreign_key->ref_table);
      for (const auto& col : c.foreign_key->ref_columns)
        s.releases.push_back("column:" + c.foreign_key->ref_table + "." + quote_ident(col));
    }
  for (const auto& [name, tr] : t.triggers) s.releases.push_back("function:" + tr.function);
  for (const auto& v : ctx.from_deps.dependent_views("table:" + key))
    s.after_removal.push_back("view:" + v);
  s.hazards = {Hazard::DataLoss, Hazard::AccessExclusiveLock};
  s.lock = "ACCESS EXCLUSIVE";
  ctx.add(s);
}

// Table storage parameters that PostgreSQL 15 changes under SHARE UPDATE EXCLUSIVE (measured
// with pg_locks); the others (user_catalog_table, unknown ones) are taken as ACCESS EXCLUSIVE.
bool light_table_option(std::string option) {
  if (option.rfind("toast.", 0) == 0) option = option.substr(6);
  if (option.rfind("autovacuum_", 0) == 0) return true;
  for (const char* o : {"fillfactor", "toast_tuple_target", "parallel_workers",
                        "vacuum_index_cleanup", "vacuum_truncate", "log_autovacuum_min_duration"})
    if (option == o) return true;
  return false;
}

void alter_attributes(Context& ctx, const engine::TableChange& c) {
  const auto& a = *c.from;
  const auto& b = *c.to;
  auto step = [&](const std::string& action, std::vector<Hazard> hazards) {
    Step s = make_step("table", c.key, ChangeKind::Alter, kTableAttributes,
                       "ALTER TABLE " + c.key + " " + action + ";");
    s.needs = {"table:" + c.key};
    s.provides = {"table:" + c.key};
    s.hazards = std::move(hazards);
    s.hazards.push_back(Hazard::AccessExclusiveLock);
    s.lock = "ACCESS EXCLUSIVE";
    return s;
  };
  if (c.changed & engine::kTableOptions) {
    std::string reset, set;
    for (const auto& [k, v] : a.options)
      if (!b.options.count(k)) reset += (reset.empty() ? "" : ", ") + k;
    for (const auto& [k, v] : b.options) {
      auto it = a.options.find(k);
      if (it == a.options.end() || it->second != v)
        set += (set.empty() ? "" : ", ") + k + " = " + v;
    }
    // Most storage parameters change under SHARE UPDATE EXCLUSIVE (reads and writes go on).
    bool light = true;
    for (const auto& [k, v] : a.options)
      if (!b.options.count(k)) light = light && light_table_option(k);
    for (const auto& [k, v] : b.options)
      if (!a.options.count(k) || a.options.at(k) != v) light = light && light_table_option(k);
    auto option_step = [&](const std::string& action) {
      Step s = step(action, {});
      if (light) {
        s.hazards.clear();
        s.lock = "SHARE UPDATE EXCLUSIVE";
      }
      s.note = "storage parameters apply to pages written from now on";
      ctx.add(s);
    };
    if (!reset.empty()) option_step("RESET (" + reset + ")");
    if (!set.empty()) option_step("SET (" + set + ")");
  }
  if (c.changed & engine::kTableRls) {
    if (a.rls_enabled != b.rls_enabled)
      ctx.add(step(b.rls_enabled ? "ENABLE ROW LEVEL SECURITY" : "DISABLE ROW LEVEL SECURITY",
                   {Hazard::Authz}));
    if (a.rls_forced != b.rls_forced)
      ctx.add(step(b.rls_forced ? "FORCE ROW LEVEL SECURITY" : "NO FORCE ROW LEVEL SECURITY",
                   {Hazard::Authz}));
  }
  // An index the plan builds again is no longer the replica identity: set it again.
  bool identity_rebuilt = false;
  if (b.replica_identity == 'i') {
    for (const auto& i : c.indexes)
      identity_rebuilt = identity_rebuilt || (i.to && i.to->name == b.replica_identity_index);
    for (const auto& k : c.constraints)
      identity_rebuilt = identity_rebuilt || (k.to && k.to->name == b.replica_identity_index);
  }
  if ((c.changed & engine::kTableReplicaIdentity) || identity_rebuilt) {
    Step s = replica_identity_step(c.key, b);
    s.note = "logical decoding logs the old-row columns of the new replica identity from now on";
    s.hazards = {Hazard::AccessExclusiveLock};
    s.lock = "ACCESS EXCLUSIVE";
    ctx.add(s);
  }
  if (c.changed & engine::kTablePersistence) {
    Step s = step(b.unlogged ? "SET UNLOGGED" : "SET LOGGED", {Hazard::TableRewrite});
    s.long_running = true;
    ctx.add(s);
  }
  if (c.changed & engine::kTableInherits) {
    for (const auto& p : a.inherits)
      if (std::find(b.inherits.begin(), b.inherits.end(), p) == b.inherits.end()) {
        Step s = step("NO INHERIT " + p, {});
        s.releases = {"table:" + p};
        ctx.add(s);
      }
    for (const auto& p : b.inherits)
      if (std::find(a.inherits.begin(), a.inherits.end(), p) == a.inherits.end()) {
        Step s = step("INHERIT " + p, {});
        s.needs.push_back("table:" + p);
        ctx.add(s);
      }
  }
}

// Column keys of `retyped` that `expr` mentions.
std::vector<std::string> mentioned(const std::string& table, const std::string& expr,
                                   const std::vector<std::string>& retyped) {
  std::vector<std::string> keys;
  for (const auto& column : retyped)
    if (mentions_column(expr, column)) keys.push_back(table + "." + quote_ident(column));
  return keys;
}

// The first step added since `first` is the drop (it must run before the type changes of
// `keys`), the others re-create (after them).
void around_type_changes(Context& ctx, size_t first, const std::vector<std::string>& keys,
                         const std::string& why) {
  for (size_t i = first; i < ctx.steps.size(); ++i) {
    Step& step = ctx.steps[i];
    for (const auto& key : keys) {
      if (i == first)
        step.provides.push_back("checks-off:" + key);
      else
        step.needs.push_back("retyped:" + key);
    }
  }
  if (first < ctx.steps.size()) ctx.steps[first].note = why;
}

// ALTER COLUMN ... TYPE keeps the CHECK constraints that read the column, but PostgreSQL re-parses
// them against the OLD type: `amount >= 0` on a double precision column comes back as
// `amount::double precision >= 0` after the change to numeric. And it refuses the change while
// a policy, a trigger (WHEN, UPDATE OF) or a generated column reads the column. So unchanged
// dependents that read a retyped column are dropped before the type change and re-created
// after it (a generated column is dropped and added again: its values are recomputed).
void recreate_dependents_around_type_changes(Context& ctx, const engine::TableChange& c) {
  std::vector<std::string> retyped;
  for (const auto& col : c.columns)
    if (col.kind == ChangeKind::Alter &&
        (col.has(engine::kColumnType) || col.has(engine::kColumnCollation)))
      retyped.push_back(col.to->name);
  if (retyped.empty()) return;
  for (const auto& [name, check] : c.to->constraints) {
    if (check.kind != schema::ConstraintKind::Check) continue;
    auto before = c.from->constraints.find(name);
    if (before == c.from->constraints.end() || !(before->second == check)) continue;
    auto keys = mentioned(c.key, check.check_expr, retyped);
    if (keys.empty()) continue;
    size_t first = ctx.steps.size();
    gen_constraint(ctx, {ChangeKind::Alter, c.key, before->second, check}, false);
    around_type_changes(
        ctx, first, keys,
        "re-added after the column type change (PostgreSQL would keep it cast to the old type)");
  }
  for (const auto& [name, policy] : c.to->policies) {
    auto before = c.from->policies.find(name);
    if (before == c.from->policies.end() || !(before->second == policy)) continue;
    auto keys = mentioned(c.key, policy.using_expr, retyped);
    for (const auto& k : mentioned(c.key, policy.check_expr, retyped)) keys.push_back(k);
    if (keys.empty()) continue;
    size_t first = ctx.steps.size();
    gen_policy(ctx, {ChangeKind::Alter, c.key, before->second, policy});
    around_type_changes(ctx, first, keys,
                        "re-created after the column type change (PostgreSQL refuses to retype "
                        "a column a policy reads)");
  }
  for (const auto& [name, trigger] : c.to->triggers) {
    auto before = c.from->triggers.find(name);
    if (before == c.from->triggers.end() || !(before->second == trigger)) continue;
    auto keys = mentioned(c.key, trigger.when_expr, retyped);
    for (const auto& col : trigger.update_columns)
      if (std::find(retyped.begin(), retyped.end(), col) != retyped.end())
        keys.push_back(c.key + "." + quote_ident(col));
    if (keys.empty()) continue;
    size_t first = ctx.steps.size();
    gen_trigger(ctx, {ChangeKind::Alter, c.key, before->second, trigger});
    around_type_changes(ctx, first, keys,
                        "re-created after the column type change (PostgreSQL refuses to retype "
                        "a column a trigger reads)");
  }
  for (const auto& column : c.to->columns) {
    if (!column.generated_expr) continue;
    const schema::Column* before = c.from->find_column(column.name);
    if (!before || !(*before == column)) continue;
    auto keys = mentioned(c.key, *column.generated_expr, retyped);
    if (keys.empty()) continue;
    size_t first = ctx.steps.size();
    gen_column(ctx, {ChangeKind::Alter, c.key, *before, column, engine::kColumnGenerated});
    around_type_changes(ctx, first, keys,
                        "dropped and added again around the type change of a column it reads "
                        "(its values are recomputed)");
  }
}

}  // namespace

void gen_tables(Context& ctx, const std::vector<engine::TableChange>& changes) {
  for (const auto& c : changes) {
    if (c.kind == ChangeKind::Add) {
      create_table(ctx, c.key, *c.to, ChangeKind::Add);
      continue;
    }
    if (c.kind == ChangeKind::Drop) {
      drop_table(ctx, c.key, *c.from, ChangeKind::Drop);
      continue;
    }
    if (c.changed & engine::kTableStructure) {
      // Partitioning cannot be altered in place: recreate the table (its rows are lost), and
      // its partitions, which go with it.
      for (const auto& v : ctx.from_deps.dependent_views("table:" + c.key))
        ctx.recreate_views.insert(v);
      drop_table(ctx, c.key, *c.from, ChangeKind::Alter);
      ctx.steps.back().note =
          c.from->kind != c.to->kind || c.from->partition_key != c.to->partition_key
              ? "partitioning changed: the table is recreated"
              : "its partitioned parent is recreated: the partition is recreated with it";
      create_table(ctx, c.key, *c.to, ChangeKind::Alter);
      restore_kept(ctx, {Recreated::Kind::Table, c.key, ""});
      continue;
    }
    const std::optional<size_t> detach = gen_partition_detach(ctx, c);
    const size_t first_step = ctx.steps.size();
    alter_attributes(ctx, c);
    bool partitioned = c.to->kind == schema::TableKind::Partitioned;
    for (const auto& col : c.columns) gen_column(ctx, col);
    for (const auto& k : c.constraints) gen_constraint(ctx, k, false);
    recreate_dependents_around_type_changes(ctx, c);
    for (const auto& i : c.indexes) gen_index(ctx, i, false, partitioned);
    for (const auto& t : c.triggers) gen_trigger(ctx, t);
    for (const auto& p : c.policies) gen_policy(ctx, p);
    gen_partition_attach(ctx, c, first_step, detach);
    // Keys this plan adds to a partitioned table reach its partitions under PostgreSQL's names.
    if (partitioned)
      for (const auto& [key, t] : ctx.to.tables)
        if (t.partition_of == c.key && !ctx.new_tables.count(key) &&
            !ctx.recreated_tables.count(key))
          gen_partition_clone_renames(ctx, key, t);
  }
}

}  // namespace pgdrift::planner
