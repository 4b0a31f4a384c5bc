// Partitions (PostgreSQL 15 docs: 5.11 Table Partitioning; CREATE TABLE ... PARTITION OF;
// ALTER TABLE ... ATTACH / DETACH PARTITION; CREATE INDEX ... ON ONLY; ALTER INDEX ... ATTACH
// PARTITION). A partition's columns, and its share of the parent's indexes and constraints
// (Index::parent_index, Constraint::parent_constraint), are PostgreSQL's to make: the parent's
// ADD / DROP / ALTER COLUMN, CREATE / DROP INDEX and ADD / DROP CONSTRAINT recurse into the
// partitions, and CREATE TABLE ... PARTITION OF clones the parent's indexes and keys. So the
// plan changes the parent, and on a partition only what is its own: defaults and NOT NULLs
// beyond the parent's, the name of a clone, attaching an index, and the partition itself
// (attached, detached, moved). A parent that is recreated takes its partitions with it; they are
// recreated too.
#include <algorithm>
#include <map>

#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"
#include "schema/sql/naming.h"

namespace pgdrift::planner {

using engine::ChangeKind;
using schema::ConstraintKind;
using schema::quote_ident;
using schema::quote_qualified;

namespace {

const schema::Table* find_table(const schema::Model& model, const std::string& key) {
  auto it = model.tables.find(key);
  return it == model.tables.end() ? nullptr : &it->second;
}

// Definitions compared as PostgreSQL matches an index or key for attaching (names, storage
// parameters, comments and attachment aside).
bool same_definition(schema::Index a, schema::Index b) {
  for (auto* i : {&a, &b}) {
    i->name.clear();
    i->options.clear();
    i->comment.reset();
    i->parent_index.clear();
  }
  return a == b;
}
bool same_definition(schema::Constraint a, schema::Constraint b) {
  for (auto* c : {&a, &b}) {
    c->name.clear();
    c->comment.reset();
    c->parent_constraint.clear();
  }
  return a == b;
}

bool is_key(ConstraintKind kind) {
  return kind == ConstraintKind::PrimaryKey || kind == ConstraintKind::Unique ||
         kind == ConstraintKind::Exclusion;
}

std::string member(const std::string& table, const std::string& name) {
  return table + "." + quote_ident(name);
}

// A partition that stays where it is: same parent, same bound, and not recreated.
bool kept_partition(const Context& ctx, const engine::TableChange& c) {
  return c.kind == ChangeKind::Alter && c.from && c.to && !c.to->partition_of.empty() &&
         c.from->partition_of == c.to->partition_of &&
         c.from->partition_bound == c.to->partition_bound && !ctx.recreated_tables.count(c.key);
}

Step rename_step(const std::string& kind, const std::string& object, const std::string& sql) {
  Step s = make_step(kind, object, ChangeKind::Alter, kConstraintIndex, sql);
  s.lock = "ACCESS EXCLUSIVE";
  s.note = "named apart from the name PostgreSQL gives the partition's copy of its parent's";
  return s;
}

// The partition's column changes once the parent's have recursed into it: what is left of
// its own DEFAULT and NOT NULL. Type, collation, identity and generation are the parent's.
std::vector<engine::ColumnChange> own_column_changes(const engine::TableChange& c,
                                                     const schema::Table& parent_from,
                                                     const schema::Table& parent_to) {
  std::vector<engine::ColumnChange> out;
  for (const auto& column : c.to->columns) {
    const schema::Column* before = c.from->find_column(column.name);
    const schema::Column* p_from = parent_from.find_column(column.name);
    const schema::Column* p_to = parent_to.find_column(column.name);
    if (before == nullptr || p_from == nullptr || p_to == nullptr) continue;
    // What the partition has after the parent's steps: SET / DROP DEFAULT and SET / DROP NOT
    // NULL on the parent overwrite the partition's.
    schema::Column cascaded = *before;
    if (p_from->default_expr != p_to->default_expr) cascaded.default_expr = p_to->default_expr;
    if (p_from->not_null != p_to->not_null) cascaded.not_null = p_to->not_null;
    engine::ColumnChange change{ChangeKind::Alter, c.key, cascaded, column, 0};
    if (cascaded.default_expr != column.default_expr) change.changed |= engine::kColumnDefault;
    if (cascaded.not_null != column.not_null) change.changed |= engine::kColumnNullability;
    if (change.changed) out.push_back(std::move(change));
  }
  return out;
}

// Index and constraint changes of a partition that stays: the ones PostgreSQL makes from the
// parent's are dropped; a clone named apart is renamed; an index attached to an existing parent
// index is attached.
void keep_own_members(Context& ctx, engine::TableChange& c, const schema::Table& parent_from) {
  const std::string parent_key = c.to->partition_of;
  const schema::Table& parent_to = ctx.to.tables.at(parent_key);
  auto parent_index_kept = [&](const std::string& name) {
    auto a = parent_from.indexes.find(name);
    auto b = parent_to.indexes.find(name);
    return a != parent_from.indexes.end() && b != parent_to.indexes.end() &&
           a->second == b->second && !ctx.created_parent_members.count(member(parent_key, name));
  };
  std::vector<engine::IndexChange> indexes;
  for (const auto& ic : c.indexes) {
    const bool from_attached = ic.from && !ic.from->parent_index.empty();
    const bool to_attached = ic.to && !ic.to->parent_index.empty();
    if (!from_attached && !to_attached) {
      indexes.push_back(ic);
      continue;
    }
    // The parent's index goes and takes this one with it, which the target keeps as the
    // partition's own: built again once the parent's is dropped.
    if (ic.kind == ChangeKind::Alter && !to_attached && !parent_index_kept(ic.from->parent_index)) {
      gen_index(ctx, {ChangeKind::Add, ic.table, ic.schema, ic.table_name, {}, *ic.to}, false,
                c.to->kind == schema::TableKind::Partitioned);
      ctx.steps.back().after_removal.push_back(
          "index:" + quote_qualified(parent_from.schema, ic.from->parent_index));
      continue;
    }
    // An existing index attached to an existing parent index.
    if (ic.kind == ChangeKind::Alter && !from_attached && parent_index_kept(ic.to->parent_index) &&
        same_definition(*ic.from, *ic.to)) {
      Step s = make_step("index", quote_qualified(ic.schema, ic.to->name), ChangeKind::Alter,
                         kConstraintIndex,
                         "ALTER INDEX " + quote_qualified(parent_to.schema, ic.to->parent_index) +
                             " ATTACH PARTITION " + quote_qualified(ic.schema, ic.to->name) + ";");
      s.lock = "SHARE UPDATE EXCLUSIVE";
      ctx.add(s);
    }
  }
  // Clones of the same parent index under another name: a rename.
  for (const auto& drop : c.indexes) {
    if (drop.kind != ChangeKind::Drop || drop.from->parent_index.empty()) continue;
    for (const auto& add : c.indexes)
      if (add.kind == ChangeKind::Add && add.to->parent_index == drop.from->parent_index &&
          parent_index_kept(add.to->parent_index) && same_definition(*drop.from, *add.to)) {
        ctx.add(rename_step("index", quote_qualified(add.schema, add.to->name),
                            "ALTER INDEX " + quote_qualified(add.schema, drop.from->name) +
                                " RENAME TO " + quote_ident(add.to->name) + ";"));
        break;
      }
  }
  c.indexes = std::move(indexes);

  std::vector<engine::ConstraintChange> constraints;
  for (const auto& k : c.constraints) {
    const bool inherited = (k.from && !k.from->parent_constraint.empty()) ||
                           (k.to && !k.to->parent_constraint.empty());
    if (!inherited) {
      constraints.push_back(k);
      continue;
    }
    // The parent's key goes and takes this one with it; the target keeps it as the partition's.
    if (k.kind == ChangeKind::Alter && k.to->parent_constraint.empty() &&
        ctx.created_parent_members.count(member(parent_key, k.from->parent_constraint)) == 0 &&
        parent_to.constraints.count(k.from->parent_constraint) == 0) {
      gen_constraint(ctx, {ChangeKind::Add, c.key, {}, *k.to}, false);
      ctx.steps.back().after_removal.push_back("constraint:" +
                                               member(parent_key, k.from->parent_constraint));
    }
  }
  for (const auto& drop : c.constraints) {
    if (drop.kind != ChangeKind::Drop || drop.from->parent_constraint.empty() ||
        !is_key(drop.from->kind))
      continue;
    for (const auto& add : c.constraints)
      if (add.kind == ChangeKind::Add &&
          add.to->parent_constraint == drop.from->parent_constraint &&
          !ctx.created_parent_members.count(member(parent_key, add.to->parent_constraint)) &&
          same_definition(*drop.from, *add.to)) {
        ctx.add(rename_step("constraint", member(c.key, add.to->name),
                            "ALTER TABLE " + c.key + " RENAME CONSTRAINT " +
                                quote_ident(drop.from->name) + " TO " + quote_ident(add.to->name) +
                                ";"));
        break;
      }
  }
  c.constraints = std::move(constraints);
}

// A partition attached, detached or moved: it is a table of its own while its changes run, so
// they all stay, except attachments (ATTACH PARTITION makes them) and the clones of parent
// indexes this plan creates (created with the parent's, after the ATTACH).
void keep_moved_members(Context& ctx, engine::TableChange& c) {
  const std::string parent_key = c.to->partition_of;
  std::vector<engine::IndexChange> indexes;
  for (const auto& ic : c.indexes) {
    if (ic.kind == ChangeKind::Alter && same_definition(*ic.from, *ic.to)) continue;
    if (ic.to && !ic.to->parent_index.empty() &&
        ctx.created_parent_members.count(member(parent_key, ic.to->parent_index)))
      continue;
    indexes.push_back(ic);
  }
  c.indexes = std::move(indexes);
  std::erase_if(c.constraints, [](const engine::ConstraintChange& k) {
    return k.kind == ChangeKind::Alter && same_definition(*k.from, *k.to);
  });
}

}  // namespace

std::vector<engine::TableChange> partition_changes(
    Context& ctx, const std::vector<engine::TableChange>& changes) {
  // A recreated table takes its partitions (and theirs) with it.
  for (const auto& c : changes)
    if (c.kind == ChangeKind::Alter && (c.changed & engine::kTableStructure))
      ctx.recreated_tables.insert(c.key);
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [key, t] : ctx.from.tables)
      if (!ctx.recreated_tables.count(key) && ctx.recreated_tables.count(t.partition_of) &&
          ctx.to.tables.count(key)) {
        ctx.recreated_tables.insert(key);
        grew = true;
      }
  }
  // The indexes and keys of partitioned tables that this plan creates: their partitions'
  // copies are made with them.
  for (const auto& c : changes) {
    if (!c.to || c.to->kind != schema::TableKind::Partitioned) continue;
    if (c.kind == ChangeKind::Add || ctx.recreated_tables.count(c.key)) {
      for (const auto& [name, i] : c.to->indexes)
        ctx.created_parent_members.insert(member(c.key, name));
      for (const auto& [name, k] : c.to->constraints)
        ctx.created_parent_members.insert(member(c.key, name));
      continue;
    }
    for (const auto& ic : c.indexes)
      if (ic.to) ctx.created_parent_members.insert(member(c.key, ic.to->name));
    for (const auto& k : c.constraints)
      if (k.to) ctx.created_parent_members.insert(member(c.key, k.to->name));
  }

  std::vector<engine::TableChange> out;
  std::set<std::string> listed;
  for (const auto& c : changes) {
    listed.insert(c.key);
    engine::TableChange adjusted = c;
    if (ctx.recreated_tables.count(c.key)) {
      adjusted.changed |= engine::kTableStructure;
    } else if (kept_partition(ctx, c)) {
      const schema::Table* parent_from = find_table(ctx.from, c.to->partition_of);
      const schema::Table* parent_to = find_table(ctx.to, c.to->partition_of);
      if (parent_from && parent_to) {
        adjusted.columns = own_column_changes(c, *parent_from, *parent_to);
        keep_own_members(ctx, adjusted, *parent_from);
      }
    } else if (c.kind == ChangeKind::Alter && (c.changed & engine::kTablePartition)) {
      keep_moved_members(ctx, adjusted);
    }
    out.push_back(std::move(adjusted));
  }
  for (const auto& key : ctx.recreated_tables)
    if (!listed.count(key)) {
      engine::TableChange c;
      c.kind = ChangeKind::Alter;
      c.key = key;
      c.from = &ctx.from.tables.at(key);
      c.to = &ctx.to.tables.at(key);
      c.changed = engine::kTableStructure;
      out.push_back(std::move(c));
    }
  // Partitions that stay whose parent's DEFAULT / NOT NULL changes, but not theirs: the
  // parent's change overwrites their own, which is set again.
  for (const auto& c : changes) {
    if (c.kind != ChangeKind::Alter || ctx.recreated_tables.count(c.key)) continue;
    for (const schema::Table* p : ctx.to_deps.partitions_of(c.key)) {
      const std::string key = schema::qualified_key(p->schema, p->name);
      if (listed.count(key)) continue;
      const schema::Table* before = find_table(ctx.from, key);
      if (before == nullptr || before->partition_of != c.key ||
          before->partition_bound != p->partition_bound)
        continue;
      engine::TableChange pc;
      pc.kind = ChangeKind::Alter;
      pc.key = key;
      pc.from = before;
      pc.to = p;
      pc.columns = own_column_changes(pc, *c.from, *c.to);
      if (!pc.columns.empty()) out.push_back(std::move(pc));
    }
  }
  return out;
}

void gen_partition_clone_renames(Context& ctx, const std::string& key, const schema::Table& t) {
  const schema::Table* parent = find_table(ctx.to, t.partition_of);
  if (parent == nullptr) return;
  const schema::Table* before = ctx.recreated_tables.count(key) || ctx.new_tables.count(key)
                                    ? nullptr
                                    : find_table(ctx.from, key);
  // Keys: PostgreSQL names the copy when the partition or the parent's key is created; an
  // existing key of the same definition is attached instead, keeping its name.
  for (const auto& [name, c] : t.constraints) {
    auto pc = parent->constraints.find(c.parent_constraint);
    if (pc == parent->constraints.end() || !is_key(pc->second.kind)) continue;
    const bool parent_created = ctx.created_parent_members.count(member(t.partition_of, pc->first));
    if (before != nullptr && !parent_created) continue;
    std::string given =
        schema::sql::expected_clone_name(schema::sql::clone_name_parts(t, pc->second));
    if (before != nullptr)
      for (const auto& [own_name, own] : before->constraints)
        if (own.parent_constraint.empty() && same_definition(own, c)) given = own_name;
    if (given == name) continue;
    Step s = rename_step("constraint", member(key, name),
                         "ALTER TABLE " + key + " RENAME CONSTRAINT " + quote_ident(given) +
                             " TO " + quote_ident(name) + ";");
    s.needs = {"table:" + key, "constraint:" + member(t.partition_of, pc->first)};
    s.provides = {"constraint:" + member(key, name)};
    ctx.add(s);
  }
  // Indexes: a new partition gets a copy of every index its parent already has.
  if (before != nullptr) return;
  // The copies by the base name PostgreSQL gives them (t_p1_id_idx).
  std::map<std::string, std::vector<std::pair<std::string, const schema::Index*>>> by_base;
  for (const auto& [name, index] : t.indexes) {
    auto pi = parent->indexes.find(index.parent_index);
    if (pi == parent->indexes.end() ||
        ctx.created_parent_members.count(member(t.partition_of, pi->first)))
      continue;
    by_base[schema::sql::expected_clone_name(schema::sql::clone_name_parts(t, pi->second))]
        .push_back({name, &pi->second});
  }
  for (const auto& [given, copies] : by_base) {
    if (copies.size() == 1) {
      const std::string& name = copies[0].first;
      if (given == name) continue;
      Step s = rename_step("index", quote_qualified(t.schema, name),
                           "ALTER INDEX " + quote_qualified(t.schema, given) + " RENAME TO " +
                               quote_ident(name) + ";");
      s.needs = {"table:" + key};
      s.provides = {"index:" + quote_qualified(t.schema, name)};
      ctx.add(s);
      continue;
    }
    // Several parent indexes give their copies the same base name: PostgreSQL numbers them
    // (t_p1_id_idx, t_p1_id_idx1, ...) in the order of the parent indexes' OIDs, which no
    // model records. So each copy is found by its parent index (pg_inherits) and renamed,
    // through a temporary name, so that two copies can also swap names.
    std::string body = "DO $pgdrift$\nDECLARE\n  copy regclass;\nBEGIN\n";
    std::string finals;
    for (size_t i = 0; i < copies.size(); ++i) {
      const auto& [name, parent_index] = copies[i];
      const std::string temporary = "pgdrift_clone_" + std::to_string(i + 1) + "_" + t.name;
      body +=
          "  SELECT h.inhrelid::regclass INTO STRICT copy FROM pg_catalog.pg_inherits h"
          " JOIN pg_catalog.pg_index x ON x.indexrelid = h.inhrelid WHERE h.inhparent = " +
          schema::quote_literal(quote_qualified(parent->schema, parent_index->name)) +
          "::regclass AND x.indrelid = " + schema::quote_literal(key) +
          "::regclass;\n  EXECUTE format('ALTER INDEX %s RENAME TO %I', copy, " +
          schema::quote_literal(temporary.substr(0, 63)) + ");\n";
      finals += "  ALTER INDEX " + quote_qualified(t.schema, temporary.substr(0, 63)) +
                " RENAME TO " + quote_ident(name) + ";\n";
    }
    Step s = rename_step("index", quote_qualified(t.schema, copies[0].first),
                         body + finals + "END $pgdrift$;");
    s.note = "the partition's copies of " + std::to_string(copies.size()) +
             " parent indexes share the base name " + given +
             ": each is found by its parent index and given its name";
    s.needs = {"table:" + key};
    for (const auto& copy : copies)
      s.provides.push_back("index:" + quote_qualified(t.schema, copy.first));
    ctx.add(s);
  }
}

void create_partitioned_index(Context& ctx, const std::string& table_key,
                              const schema::Index& index, std::vector<std::string> needs) {
  const schema::Table& table = ctx.to.tables.at(table_key);
  const std::string qname = quote_qualified(table.schema, index.name);
  Step s = make_step("index", qname, ChangeKind::Add, kConstraintIndex,
                     schema::render_create_index(table.schema, table.name, index, false, true));
  s.provides = {"index:" + qname};
  if (index.unique) s.provides.push_back("uniques:" + table_key);
  s.needs = std::move(needs);
  // Partitions the plan creates or attaches come first, so that none of them gets a copy
  // named by PostgreSQL: every partition's index is made below, under its own name.
  for (const schema::Table* p : ctx.to_deps.partitions_of(table_key))
    s.needs.push_back("partition:" + schema::qualified_key(p->schema, p->name));
  s.note = "the partitions' indexes are built one by one and attached";
  ctx.add(s);
  for (const schema::Table* p : ctx.to_deps.partitions_of(table_key)) {
    const std::string p_key = schema::qualified_key(p->schema, p->name);
    const schema::Index* child = nullptr;
    for (const auto& [name, i] : p->indexes)
      if (i.parent_index == index.name) child = &i;
    if (child == nullptr) continue;  // the model leaves this partition without one
    const std::string child_qname = quote_qualified(p->schema, child->name);
    const schema::Table* before =
        ctx.recreated_tables.count(p_key) ? nullptr : find_table(ctx.from, p_key);
    bool exists = false;
    if (before != nullptr) {
      auto it = before->indexes.find(child->name);
      exists = it != before->indexes.end() && it->second.parent_index.empty() &&
               same_definition(it->second, *child);
    }
    if (!exists) {
      std::vector<std::string> child_needs = {"table:" + p_key};
      for (const auto& k : child->keys)
        if (!k.column.empty()) child_needs.push_back("column:" + member(p_key, k.column));
      if (p->kind == schema::TableKind::Partitioned) {
        create_partitioned_index(ctx, p_key, *child, child_needs);
      } else {
        const bool concurrently = ctx.options.online && before != nullptr;
        Step c = make_step("index", child_qname, ChangeKind::Add, kConstraintIndex,
                           schema::render_create_index(p->schema, p->name, *child, concurrently));
        c.provides = {"index:" + child_qname};
        c.needs = child_needs;
        if (before != nullptr) mark_index_build(c, concurrently);
        ctx.add(c);
      }
    }
    Step attach = make_step("index", child_qname, ChangeKind::Add, kConstraintIndex,
                            "ALTER INDEX " + qname + " ATTACH PARTITION " + child_qname + ";");
    attach.needs = {"index:" + qname, "index:" + child_qname, "partition:" + p_key};
    attach.provides = {"index-attached:" + child_qname};
    attach.lock = "SHARE UPDATE EXCLUSIVE";
    ctx.add(attach);
  }
}

std::optional<size_t> gen_partition_detach(Context& ctx, const engine::TableChange& c) {
  if (!(c.changed & engine::kTablePartition) || c.from->partition_of.empty()) return std::nullopt;
  Step s = make_step("table", c.key, ChangeKind::Alter, kTableAttributes,
                     "ALTER TABLE " + c.from->partition_of + " DETACH PARTITION " + c.key + ";");
  s.needs = {"table:" + c.key};
  s.provides = {"detached:" + c.key};
  s.hazards = {Hazard::AccessExclusiveLock};
  s.lock = "ACCESS EXCLUSIVE";
  s.note = "the partition keeps its rows, indexes and constraints as a table of its own";
  ctx.add(s);
  return ctx.steps.size() - 1;
}

void gen_partition_attach(Context& ctx, const engine::TableChange& c, size_t first_step,
                          std::optional<size_t> detach_step) {
  // The partition's own steps run between the DETACH and the ATTACH.
  for (size_t i = first_step; i < ctx.steps.size(); ++i) {
    if (detach_step) ctx.steps[i].needs.push_back("detached:" + c.key);
    ctx.steps[i].provides.push_back("own-step:" + c.key);
  }
  if (!(c.changed & engine::kTablePartition) || c.to->partition_of.empty()) return;
  const std::string& parent = c.to->partition_of;
  Step s = make_step(
      "table", c.key, ChangeKind::Alter, kTableAttributes,
      "ALTER TABLE " + parent + " ATTACH PARTITION " + c.key + " " + c.to->partition_bound + ";");
  s.needs = {"table:" + parent, "table:" + c.key};
  if (detach_step) s.needs.push_back("detached:" + c.key);
  s.needs.push_back("own-step:" + c.key);
  if (const schema::Table* p = find_table(ctx.to, parent))
    for (const auto& col : p->columns) s.needs.push_back("column:" + member(parent, col.name));
  s.provides = {"partition:" + c.key};
  s.hazards = {Hazard::ValidationScan};
  s.lock = "SHARE UPDATE EXCLUSIVE";
  s.note =
      "scans the table to check the partition bound (a CHECK constraint that implies the "
      "bound skips the scan), and the default partition, if any; the table's indexes and keys "
      "that match the parent's are attached, the others are built";
  ctx.add(s);
}

}  // namespace pgdrift::planner
