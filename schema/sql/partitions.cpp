// A partition's share of its parent's indexes and constraints (see partitions.h).
#include "schema/sql/partitions.h"

#include "schema/sql/naming.h"

namespace pgdrift::schema::sql {

namespace {

// Index definitions compared the way CompareIndexInfo does: names, storage parameters, comments
// and attachment do not matter.
Index definition_of(const Index& index) {
  Index d = index;
  d.name.clear();
  d.options.clear();
  d.comment.reset();
  d.parent_index.clear();
  return d;
}

// A constraint's definition without its name, comment and attachment.
Constraint definition_of(const Constraint& c) {
  Constraint d = c;
  d.name.clear();
  d.comment.reset();
  d.parent_constraint.clear();
  return d;
}

bool is_index_constraint(ConstraintKind kind) {
  return kind == ConstraintKind::PrimaryKey || kind == ConstraintKind::Unique ||
         kind == ConstraintKind::Exclusion;
}

// ChooseRelationName for a partition's clone of `parent` (an index or a constraint).
template <typename Object>
std::string choose_clone_name(LoadContext& ctx, const Table& partition, const Object& parent,
                              bool is_constraint) {
  const CloneNameParts parts = clone_name_parts(partition, parent);
  return choose_relation_name(ctx, partition.schema, parts.name1, parts.name2, parts.label,
                              is_constraint);
}

void give_index(LoadContext& ctx, Table& partition, const Index& parent) {
  for (const auto& [name, index] : partition.indexes)
    if (index.parent_index == parent.name) return;
  for (auto& [name, index] : partition.indexes)
    if (index.parent_index.empty() && index_matches_parent(parent, index)) {
      index.parent_index = parent.name;
      return;
    }
  Index clone = parent;
  clone.comment.reset();
  clone.parent_index = parent.name;
  clone.name = choose_clone_name(ctx, partition, parent, false);
  const Index& stored = partition.indexes[clone.name] = clone;
  if (partition.kind == TableKind::Partitioned) give_index_to_partitions(ctx, partition, stored);
}

void give_constraint(LoadContext& ctx, Table& partition, const Constraint& parent, bool attaching) {
  if (parent.kind == ConstraintKind::Check && parent.no_inherit) return;
  for (const auto& [name, c] : partition.constraints)
    if (c.parent_constraint == parent.name && c.kind == parent.kind) return;
  if (parent.kind == ConstraintKind::Check) {
    auto own = partition.constraints.find(parent.name);
    if (own == partition.constraints.end()) {
      if (attaching) ctx.fail(0, "child table is missing constraint \"" + parent.name + "\"");
      Constraint clone = parent;
      clone.comment.reset();
      clone.parent_constraint = parent.name;
      partition.constraints[parent.name] = clone;
    } else {
      own->second.parent_constraint = parent.name;
    }
  } else {
    for (auto& [name, c] : partition.constraints)
      if (c.parent_constraint.empty() && definition_of(c) == definition_of(parent)) {
        c.parent_constraint = parent.name;
        return;
      }
    Constraint clone = parent;
    clone.comment.reset();
    clone.parent_constraint = parent.name;
    if (is_index_constraint(parent.kind))
      clone.name = choose_clone_name(ctx, partition, parent, true);
    partition.constraints[clone.name] = clone;
  }
  if (partition.kind != TableKind::Partitioned) return;
  for (const auto& [name, c] : partition.constraints)
    if (c.parent_constraint == parent.name && c.kind == parent.kind) {
      const Constraint own = c;
      give_constraint_to_partitions(ctx, partition, own);
      return;
    }
}

}  // namespace

std::vector<Table*> partitions_of(Model& model, const Table& parent) {
  const std::string key = qualified_key(parent.schema, parent.name);
  std::vector<Table*> children;
  for (auto& [k, t] : model.tables)
    if (t.partition_of == key) children.push_back(&t);
  return children;
}

bool index_matches_parent(const Index& parent, const Index& child) {
  return definition_of(parent) == definition_of(child);
}

void give_index_to_partitions(LoadContext& ctx, const Table& parent, const Index& index) {
  for (Table* child : partitions_of(ctx.model, parent)) give_index(ctx, *child, index);
}

void give_constraint_to_partitions(LoadContext& ctx, const Table& parent, const Constraint& c) {
  for (Table* child : partitions_of(ctx.model, parent)) give_constraint(ctx, *child, c, false);
}

void give_parent_objects(LoadContext& ctx, Table& partition, const Table& parent, bool attaching) {
  for (const auto& [name, c] : parent.constraints) give_constraint(ctx, partition, c, attaching);
  for (const auto& [name, index] : parent.indexes) give_index(ctx, partition, index);
}

void detach_partition(Table& partition) {
  partition.partition_of.clear();
  partition.partition_bound.clear();
  for (auto& [name, index] : partition.indexes) index.parent_index.clear();
  for (auto& [name, c] : partition.constraints) c.parent_constraint.clear();
}

void drop_index_from_partitions(Model& model, const Table& parent, const std::string& index) {
  for (Table* child : partitions_of(model, parent))
    for (auto it = child->indexes.begin(); it != child->indexes.end(); ++it)
      if (it->second.parent_index == index) {
        const std::string own = it->first;
        child->indexes.erase(it);
        drop_index_from_partitions(model, *child, own);
        break;
      }
}

void drop_constraint_from_partitions(Model& model, const Table& parent,
                                     const std::string& constraint) {
  for (Table* child : partitions_of(model, parent))
    for (auto it = child->constraints.begin(); it != child->constraints.end(); ++it)
      if (it->second.parent_constraint == constraint) {
        const std::string own = it->first;
        child->constraints.erase(it);
        drop_constraint_from_partitions(model, *child, own);
        break;
      }
}

}  // namespace pgdrift::schema::sql
