// Indexes: CREATE / DROP INDEX CONCURRENTLY on existing tables (online), plain forms on new
// tables, partitioned tables (CONCURRENTLY is not supported there) and with --no-online. A change
// of storage parameters only is an ALTER INDEX SET / RESET, not a rebuild; an INVALID index is
// dropped and built again.
#include <algorithm>
#include <cctype>

#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;

namespace {

// Storage parameters PostgreSQL 15 changes under SHARE UPDATE EXCLUSIVE (reads and writes go
// on); the others (gin fastupdate / gin_pending_list_limit, gist buffering, brin autosummarize)
// take ACCESS EXCLUSIVE. Measured with pg_locks on PostgreSQL 15.
bool alterable_without_exclusive_lock(const std::string& option) {
  return option == "fillfactor" || option == "deduplicate_items";
}

// brin stores pages_per_range in its metapage when the index is built: ALTER INDEX would change
// the reloption but not the index, so that change is still a rebuild.
bool needs_rebuild(const std::string& option) { return option == "pages_per_range"; }

// A reloption value: bare when it is a plain word or a (signed) number, else a string literal.
std::string option_value(const std::string& value) {
  size_t start = !value.empty() && value[0] == '-' ? 1 : 0;
  bool bare = value.size() > start && std::all_of(value.begin() + start, value.end(), [](char ch) {
                unsigned char c = static_cast<unsigned char>(ch);
                return std::islower(c) || std::isdigit(c) || c == '_' || c == '.';
              });
  return bare ? value : schema::quote_literal(value);
}

// Whether an expression or the predicate of `index` calls a function the plan changes (it may be
// dropped and created again, which needs the index gone first).
bool uses_changed_function(const Context& ctx, const schema::Index& index) {
  std::vector<std::string> used;
  for (const auto& k : index.keys)
    for (const auto& d : ctx.from_deps.of_expr(k.expr)) used.push_back(d);
  for (const auto& d : ctx.from_deps.of_expr(index.where_expr)) used.push_back(d);
  for (const auto& [key, f] : ctx.from.functions) {
    if (std::find(used.begin(), used.end(),
                  "function:" + schema::qualified_key(f.schema, f.name)) == used.end())
      continue;
    auto after = ctx.to.functions.find(key);
    if (after == ctx.to.functions.end() || !(after->second == f)) return true;
  }
  return false;
}

// ALTER INDEX SET / RESET steps when `from` and `to` differ in their storage parameters only
// (and none of them needs a rebuild); false when the index must be dropped and created.
bool alter_options(Context& ctx, const engine::IndexChange& change, bool partitioned) {
  const auto& a = *change.from;
  const auto& b = *change.to;
  schema::Index a_rest = a, b_rest = b;
  a_rest.options.clear();
  b_rest.options.clear();
  a_rest.comment.reset();
  b_rest.comment.reset();
  // ALTER INDEX SET is not supported on partitioned indexes.
  if (partitioned || !(a_rest == b_rest) || a.options == b.options) return false;
  std::vector<std::string> changed;
  for (const auto& [k, v] : a.options)
    if (!b.options.count(k)) changed.push_back(k);
  for (const auto& [k, v] : b.options) {
    auto it = a.options.find(k);
    if (it == a.options.end() || it->second != v) changed.push_back(k);
  }
  if (std::any_of(changed.begin(), changed.end(), needs_rebuild) || uses_changed_function(ctx, a))
    return false;
  std::string qname = schema::quote_qualified(change.schema, b.name);
  std::string reset, set;
  for (const auto& [k, v] : a.options)
    if (!b.options.count(k)) reset += (reset.empty() ? "" : ", ") + k;
  for (const auto& [k, v] : b.options) {
    auto it = a.options.find(k);
    if (it == a.options.end() || it->second != v)
      set += (set.empty() ? "" : ", ") + k + " = " + option_value(v);
  }
  bool exclusive = !std::all_of(changed.begin(), changed.end(), alterable_without_exclusive_lock);
  auto add = [&](const std::string& action) {
    Step s = make_step("index", qname, ChangeKind::Alter, kConstraintIndex,
                       "ALTER INDEX " + qname + " " + action + ";");
    s.needs = {"index:" + qname};
    s.provides = {"index:" + qname};
    if (exclusive) {
      s.hazards = {Hazard::AccessExclusiveLock};
      s.lock = "ACCESS EXCLUSIVE";
    } else {
      s.lock = "SHARE UPDATE EXCLUSIVE";
    }
    s.note =
        "storage parameters apply to pages written from now on; REINDEX to apply them to "
        "existing pages";
    ctx.add(s);
  };
  if (!reset.empty()) add("RESET (" + reset + ")");
  if (!set.empty()) add("SET (" + set + ")");
  return true;
}

}  // namespace

std::string temporary_index_name(const std::string& name) {
  // Fits PostgreSQL's 63-byte identifiers, cut at a UTF-8 character boundary.
  const std::string suffix = "_pgdrift_new";
  size_t keep = std::min(name.size(), 63 - suffix.size());
  while (keep > 0 && keep < name.size() && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80)
    --keep;
  return name.substr(0, keep) + suffix;
}

namespace {

bool has_partitions(const schema::Model& model, const std::string& table_key) {
  return std::any_of(model.tables.begin(), model.tables.end(),
                     [&](const auto& entry) { return entry.second.partition_of == table_key; });
}

// What creating `index` needs first: its table or view, the columns it keys on, the collations
// they name, and what its expressions and predicate use (target side).
std::vector<std::string> index_needs(const Context& ctx, const engine::IndexChange& change,
                                     const schema::Index& index, const std::string& owner) {
  std::vector<std::string> needs = {owner};
  for (const auto& k : index.keys) {
    if (!k.column.empty())
      needs.push_back("column:" + change.table + "." + schema::quote_ident(k.column));
    for (const auto& d : ctx.to_deps.of_expr(k.expr)) needs.push_back(d);
    for (const auto& d : ctx.to_deps.of_collation(k.collation)) needs.push_back(d);
  }
  for (const auto& d : ctx.to_deps.of_expr(index.where_expr)) needs.push_back(d);
  return needs;
}

// What must still exist when `index` is dropped: the functions its expressions and predicate
// use and the collations its keys name (source side), which the plan may drop only after it.
std::vector<std::string> index_releases(const Context& ctx, const schema::Index& index) {
  std::vector<std::string> releases;
  for (const auto& k : index.keys) {
    for (const auto& d : ctx.from_deps.of_expr(k.expr)) releases.push_back(d);
    for (const auto& d : ctx.from_deps.of_collation(k.collation)) releases.push_back(d);
  }
  for (const auto& d : ctx.from_deps.of_expr(index.where_expr)) releases.push_back(d);
  return releases;
}

// A unique index over plain columns (not partial): the rows whose key is duplicated.
std::optional<Preflight> unique_index_preflight(const Context& ctx,
                                                const engine::IndexChange& change,
                                                const schema::Index& index) {
  std::vector<std::string> columns;
  bool plain = index.unique && index.where_expr.empty();
  for (const auto& k : index.keys) {
    plain = plain && !k.column.empty();
    columns.push_back(k.column);
  }
  if (!plain) return std::nullopt;
  return duplicates_preflight(ctx, change.table, columns, index.nulls_not_distinct, false);
}

// An index whose definition changes, online: the new definition is built CONCURRENTLY under a
// temporary name next to the old index, then one transaction drops the old index and renames
// the new one. Dropping first and building after would leave the table without the index at
// the commit between the two (not a safe point, docs/planner.md), and queries slow meanwhile.
// Not when the old index uses a function the plan drops and re-creates: the new index needs
// the new function, which can only exist after the old index is gone.
bool swap_rebuild(Context& ctx, const engine::IndexChange& change, const std::string& owner) {
  const auto& old_index = *change.from;
  const auto& new_index = *change.to;
  if (old_index.name != new_index.name || uses_changed_function(ctx, old_index)) return false;
  const std::string qname = schema::quote_qualified(change.schema, new_index.name);
  const std::string temp_name = temporary_index_name(new_index.name);
  schema::Index temp = new_index;
  temp.name = temp_name;
  const std::string temp_qname = schema::quote_qualified(change.schema, temp_name);

  Step build = make_step("index", qname, ChangeKind::Alter, kConstraintIndex,
                         schema::render_create_index(change.schema, change.table_name, temp, true));
  build.provides = {"index-new:" + qname};
  build.needs = index_needs(ctx, change, new_index, owner);
  // An INVALID temp_name that a failed run of this very step left (the plan drops it as an
  // index the target does not have) must be gone first.
  build.after_removal = {"index:" + temp_qname};
  build.hazards = {Hazard::IndexBuild, Hazard::NotTransactional};
  build.preflight = unique_index_preflight(ctx, change, new_index);
  build.transactional = false;
  build.long_running = true;
  build.lock = "SHARE UPDATE EXCLUSIVE";
  build.note = "built under " + temp_name +
               " next to the old index; a failed build leaves an INVALID " + temp_name +
               ", which the next plan drops";
  ctx.add(build);

  Step drop = make_step("index", qname, ChangeKind::Alter, kDropConstraintIndex,
                        "DROP INDEX " + qname + ";");
  drop.removes = {"index:" + qname};
  drop.needs = {"index-new:" + qname};
  drop.releases = index_releases(ctx, old_index);
  // The old definition is gone (queries planned for it change), though not the index name.
  drop.hazards = {Hazard::AccessExclusiveLock, Hazard::IndexDropped};
  drop.lock = "ACCESS EXCLUSIVE";
  drop.note =
      "brief: the new definition is already built; the rename follows in the same "
      "transaction";
  ctx.add(drop);

  Step rename = make_step(
      "index", qname, ChangeKind::Alter, kConstraintIndex,
      "ALTER INDEX " + temp_qname + " RENAME TO " + schema::quote_ident(new_index.name) + ";");
  rename.needs = {"index-new:" + qname};
  rename.after_removal = {"index:" + qname};
  rename.provides = {"index:" + qname};
  if (new_index.unique) rename.provides.push_back("uniques:" + change.table);
  rename.lock = "ACCESS EXCLUSIVE";
  ctx.add(rename);
  restore_kept(ctx, {Recreated::Kind::Index, change.table, new_index.name});
  return true;
}

// DROP INDEX [CONCURRENTLY] IF EXISTS of the source's index, with its lock and hazards; the
// caller says what it removes. An INVALID index is no loss: no query uses it (no
// index_dropped), and it backs no foreign key.
Step drop_index_step(Context& ctx, const engine::IndexChange& change, bool concurrently) {
  const schema::Index& i = *change.from;
  const std::string qname = schema::quote_qualified(change.schema, i.name);
  Step s = make_step("index", qname, change.kind, kDropConstraintIndex,
                     std::string("DROP INDEX ") + (concurrently ? "CONCURRENTLY " : "") +
                         "IF EXISTS " + qname + ";");
  s.releases = index_releases(ctx, i);
  if (i.valid)
    s.hazards = {Hazard::IndexDropped};
  else
    s.note = "INVALID (a failed CREATE INDEX CONCURRENTLY left it): no query uses it";
  if (concurrently) {
    s.transactional = false;
    s.hazards.push_back(Hazard::NotTransactional);
    s.lock = "SHARE UPDATE EXCLUSIVE";
  } else {
    s.hazards.push_back(Hazard::AccessExclusiveLock);
    s.lock = "ACCESS EXCLUSIVE";
  }
  return s;
}

// An INVALID index (schema::Index::valid), rebuilt: dropped, then built again (CONCURRENTLY
// when online). No swap under a temporary name as in swap_rebuild: no query uses an INVALID
// index, so the table loses nothing in between. That is also why the drop removes a key of its
// own ("invalid-index:") rather than "index:": nothing the source had is missing at the commit
// between the two, which is a safe point, so each concurrent step runs apart.
void rebuild_invalid(Context& ctx, const engine::IndexChange& change, const std::string& owner,
                     bool concurrently) {
  const schema::Index& old_index = *change.from;
  const schema::Index& new_index = *change.to;
  const std::string old_qname = schema::quote_qualified(change.schema, old_index.name);
  Step drop = drop_index_step(ctx, change, concurrently);
  drop.removes = {"invalid-index:" + old_qname};
  drop.note += "; it is built again next";
  // PostgreSQL keeps an INVALID unique index that got as far as pg_index.indisready checking
  // the rows written.
  if (old_index.unique)
    drop.note +=
        "; if it was still rejecting duplicate writes, nothing does until the new build checks "
        "them again, and a duplicate written in between fails the build";
  ctx.add(drop);

  const std::string qname = schema::quote_qualified(change.schema, new_index.name);
  Step build = make_step(
      "index", qname, ChangeKind::Alter, kConstraintIndex,
      schema::render_create_index(change.schema, change.table_name, new_index, concurrently));
  build.provides = {"index:" + qname};
  if (new_index.unique) build.provides.push_back("uniques:" + change.table);
  build.needs = index_needs(ctx, change, new_index, owner);
  build.after_removal = {"invalid-index:" + old_qname};
  mark_index_build(build, concurrently);
  build.preflight = unique_index_preflight(ctx, change, new_index);
  ctx.add(build);
  restore_kept(ctx, {Recreated::Kind::Index, change.table, new_index.name});
}

}  // namespace

void mark_index_build(Step& s, bool concurrently) {
  s.hazards = {Hazard::IndexBuild};
  s.long_running = true;
  if (concurrently) {
    s.transactional = false;
    s.hazards.push_back(Hazard::NotTransactional);
    s.lock = "SHARE UPDATE EXCLUSIVE";
    s.note = "a failed concurrent build leaves an INVALID index, which the next plan rebuilds";
  } else {
    s.hazards.push_back(Hazard::BlocksWrites);
    s.lock = "SHARE";
  }
}

void gen_index(Context& ctx, const engine::IndexChange& change, bool table_is_new,
               bool partitioned) {
  bool on_view = ctx.to.views.count(change.table) || ctx.from.views.count(change.table);
  std::string owner = (on_view ? "view:" : "table:") + change.table;
  const bool concurrently = ctx.options.online && !table_is_new && !partitioned;
  if (change.rebuilds_invalid()) {
    rebuild_invalid(ctx, change, owner, concurrently);
    return;
  }
  if (change.kind == ChangeKind::Alter && alter_options(ctx, change, partitioned)) return;
  if (change.kind == ChangeKind::Alter && concurrently && swap_rebuild(ctx, change, owner)) return;
  if (change.kind == ChangeKind::Drop || change.kind == ChangeKind::Alter) {
    const auto& i = *change.from;
    Step s = drop_index_step(ctx, change, concurrently);
    s.removes = {"index:" + schema::quote_qualified(change.schema, i.name)};
    if (i.unique && i.valid) s.removes.push_back("uniques:" + change.table);
    ctx.add(s);
  }
  if (change.kind == ChangeKind::Add || change.kind == ChangeKind::Alter) {
    const auto& i = *change.to;
    if (partitioned && has_partitions(ctx.to, change.table)) {
      create_partitioned_index(ctx, change.table, i, index_needs(ctx, change, i, owner));
      if (change.kind == ChangeKind::Alter)
        restore_kept(ctx, {Recreated::Kind::Index, change.table, i.name});
      return;
    }
    std::string qname = schema::quote_qualified(change.schema, i.name);
    Step s =
        make_step("index", qname, change.kind, kConstraintIndex,
                  schema::render_create_index(change.schema, change.table_name, i, concurrently));
    s.provides = {"index:" + qname};
    if (i.unique) s.provides.push_back("uniques:" + change.table);
    s.needs = index_needs(ctx, change, i, owner);
    if (!table_is_new) {
      mark_index_build(s, concurrently);
      s.preflight = unique_index_preflight(ctx, change, i);
    }
    ctx.add(s);
    if (change.kind == ChangeKind::Alter)
      restore_kept(ctx, {Recreated::Kind::Index, change.table, i.name});
  }
}

}  // namespace pgdrift::planner
