// Indexes: CREATE / DROP INDEX CONCURRENTLY on existing tables (online), plain forms on new
// tables, partitioned tables (CONCURRENTLY is not supported there) and with --no-online. A change
// of storage parameters only is an ALTER INDEX SET / RESET, not a rebuild.
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

void gen_index(Context& ctx, const engine::IndexChange& change, bool table_is_new,
               bool partitioned) {
  if (change.kind == ChangeKind::Alter && alter_options(ctx, change, partitioned)) return;
  bool on_view = ctx.to.views.count(change.table) || ctx.from.views.count(change.table);
  std::string owner = (on_view ? "view:" : "table:") + change.table;
  const bool concurrently = ctx.options.online && !table_is_new && !partitioned;
  if (change.kind == ChangeKind::Drop || change.kind == ChangeKind::Alter) {
    const auto& i = *change.from;
    std::string qname = schema::quote_qualified(change.schema, i.name);
    Step s = make_step("index", qname, change.kind, kDropConstraintIndex,
                       std::string("DROP INDEX ") + (concurrently ? "CONCURRENTLY " : "") +
                           "IF EXISTS " + qname + ";");
    s.removes = {"index:" + qname};
    if (i.unique) s.removes.push_back("uniques:" + change.table);
    // Functions its expressions and predicate use are dropped only after it.
    for (const auto& k : i.keys)
      for (const auto& d : ctx.from_deps.of_expr(k.expr)) s.releases.push_back(d);
    for (const auto& d : ctx.from_deps.of_expr(i.where_expr)) s.releases.push_back(d);
    s.hazards = {Hazard::IndexDropped};
    if (concurrently) {
      s.transactional = false;
      s.hazards.push_back(Hazard::NotTransactional);
      s.lock = "SHARE UPDATE EXCLUSIVE";
    } else {
      s.hazards.push_back(Hazard::AccessExclusiveLock);
      s.lock = "ACCESS EXCLUSIVE";
    }
    ctx.add(s);
  }
  if (change.kind == ChangeKind::Add || change.kind == ChangeKind::Alter) {
    const auto& i = *change.to;
    std::string qname = schema::quote_qualified(change.schema, i.name);
    Step s =
        make_step("index", qname, change.kind, kConstraintIndex,
                  schema::render_create_index(change.schema, change.table_name, i, concurrently));
    s.provides = {"index:" + qname};
    if (i.unique) s.provides.push_back("uniques:" + change.table);
    s.needs = {owner};
    for (const auto& k : i.keys) {
      if (!k.column.empty())
        s.needs.push_back("column:" + change.table + "." + schema::quote_ident(k.column));
      for (const auto& d : ctx.to_deps.of_expr(k.expr)) s.needs.push_back(d);
    }
    for (const auto& d : ctx.to_deps.of_expr(i.where_expr)) s.needs.push_back(d);
    if (!table_is_new) {
      s.hazards = {Hazard::IndexBuild};
      s.long_running = true;
      if (concurrently) {
        s.transactional = false;
        s.hazards.push_back(Hazard::NotTransactional);
        s.lock = "SHARE UPDATE EXCLUSIVE";
        s.note = "a failed concurrent build leaves an INVALID index to drop before retrying";
      } else {
        s.hazards.push_back(Hazard::BlocksWrites);
        s.lock = "SHARE";
      }
    }
    ctx.add(s);
    if (change.kind == ChangeKind::Alter)
      restore_kept(ctx, {Recreated::Kind::Index, change.table, i.name});
  }
}

}  // namespace pgdrift::planner
