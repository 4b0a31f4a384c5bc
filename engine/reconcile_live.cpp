// The live-database matching (engine/reconcile_live.h): how far a live schema is from each
// migration of a history, with what the other histories explain left out.
#include "engine/reconcile_live.h"

#include <algorithm>

#include "engine/diff.h"

namespace pgdrift::engine {

using schema::Model;

size_t object_distance(const schema::Model& from, const schema::Model& to) {
  Changes changes = diff_models(from, to);
  size_t n = changes.size();
  for (const auto& t : changes.tables)
    if (t.kind == ChangeKind::Alter)
      n += t.columns.size() + t.constraints.size() + t.indexes.size() + t.triggers.size() +
           t.policies.size();
  return n;
}

namespace {

// Copies into `m` every object of `live` that one of `others` defines identically (tables
// member by member), so that such objects never count as a difference.
void mask_explained(schema::Model& m, const schema::Model& live,
                    const std::vector<schema::Model>& others) {
  auto top = [&](auto member) {
    for (const auto& [key, value] : live.*member)
      for (const auto& o : others) {
        auto it = (o.*member).find(key);
        if (it != (o.*member).end() && it->second == value) {
          (m.*member)[key] = value;
          break;
        }
      }
  };
  top(&Model::schemas);
  top(&Model::extensions);
  top(&Model::views);
  top(&Model::sequences);
  top(&Model::enums);
  top(&Model::composite_types);
  top(&Model::domains);
  top(&Model::functions);
  top(&Model::aggregates);
  top(&Model::collations);
  for (const auto& entry : live.tables) {
    const std::string& key = entry.first;
    const schema::Table& table = entry.second;  // named: captured below (clang 14)
    std::vector<const schema::Table*> theirs;
    for (const auto& o : others)
      if (auto it = o.tables.find(key); it != o.tables.end()) theirs.push_back(&it->second);
    if (theirs.empty()) continue;
    if (std::any_of(theirs.begin(), theirs.end(), [&](const auto* t) { return *t == table; })) {
      m.tables[key] = table;
      continue;
    }
    auto mine = m.tables.find(key);
    if (mine == m.tables.end()) continue;  // the missing table counts, whatever its members
    schema::Table& t = mine->second;
    for (const auto& col : table.columns) {
      bool explained = std::any_of(theirs.begin(), theirs.end(), [&](const auto* o) {
        const auto* c = o->find_column(col.name);
        return c && *c == col;
      });
      if (!explained) continue;
      if (auto* c = t.find_column(col.name))
        *c = col;
      else
        t.columns.push_back(col);
    }
    auto members = [&](auto member) {
      for (const auto& [name, value] : table.*member)
        for (const auto* o : theirs) {
          auto it = (o->*member).find(name);
          if (it != (o->*member).end() && it->second == value) {
            (t.*member)[name] = value;
            break;
          }
        }
    };
    members(&schema::Table::constraints);
    members(&schema::Table::indexes);
    members(&schema::Table::triggers);
    members(&schema::Table::policies);
  }
}

}  // namespace

std::string BestMatch::tie_text() const {
  if (tied.empty()) return id;
  if (tied.size() == 1) return tied.front();
  // Contiguous in the history: first..last; otherwise the list.
  size_t first = 0;
  while (first < distances.size() && distances[first].id != tied.front()) ++first;
  bool contiguous = first + tied.size() <= distances.size();
  for (size_t i = 0; contiguous && i < tied.size(); ++i)
    contiguous = distances[first + i].id == tied[i];
  if (contiguous) return tied.front() + ".." + tied.back();
  std::string out;
  for (const auto& t : tied) out += (out.empty() ? "" : ", ") + t;
  return out;
}

BestMatch best_matching_migration(const std::vector<std::string>& ids,
                                  const std::vector<schema::Model>& per_migration,
                                  const schema::Model& live_as_read,
                                  const std::vector<schema::Model>& others) {
  // Owners are privileges (compared only on request): a database's are no distance from a
  // history that declares none, and must not keep its objects from being explained.
  schema::Model live = live_as_read;
  schema::clear_owners(live);
  BestMatch best;
  for (size_t i = 0; i < ids.size() && i < per_migration.size(); ++i) {
    size_t d;
    if (others.empty()) {
      d = object_distance(live, per_migration[i]);
    } else {
      schema::Model masked = per_migration[i];
      mask_explained(masked, live, others);
      d = object_distance(live, masked);
    }
    best.distances.push_back({ids[i], d});
    if (best.id.empty() || d <= best.distance) {  // ties -> the later migration
      best.id = ids[i];
      best.distance = d;
    }
  }
  for (const auto& m : best.distances)
    if (m.distance == best.distance) best.tied.push_back(m.id);
  return best;
}

}  // namespace pgdrift::engine
