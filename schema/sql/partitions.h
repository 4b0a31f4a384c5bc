// Internal to the SQL loader: what PostgreSQL does by itself to a partition's indexes and
// constraints when its parent's change. A partitioned table's indexes, PRIMARY KEY / UNIQUE /
// EXCLUDE / FOREIGN KEY and CHECK constraints exist on every partition too, each attached to the
// parent's (Index::parent_index, Constraint::parent_constraint): PostgreSQL clones them when a
// partition is created (CREATE TABLE ... PARTITION OF) and when the parent gets a new one, attaches
// a matching existing one instead where it can (ATTACH PARTITION, CREATE INDEX on the parent),
// and drops them with the parent's (DefineIndex, CloneForeignKeyConstraints,
// AttachPartitionEnsureIndexes, DetachPartitionFinalize in src/backend/commands).
#pragma once

#include <string>

#include "schema/model.h"
#include "schema/sql/load_context.h"

namespace pgdrift::schema::sql {

// The partitions of `parent` (direct children) in the model.
std::vector<Table*> partitions_of(Model& model, const Table& parent);

// CompareIndexInfo: whether PostgreSQL would attach `child` to the parent index `parent`
// (same method, uniqueness, keys, operator classes, collations, INCLUDE, predicate).
bool index_matches_parent(const Index& parent, const Index& child);

// The partitions of `parent` (recursively) receive its index `index`: a matching unattached
// index is attached, otherwise a clone named for the partition is created.
void give_index_to_partitions(LoadContext& ctx, const Table& parent, const Index& index);
// The same for a constraint. PK / UNIQUE / EXCLUDE clones get names chosen for the partition;
// CHECK and FOREIGN KEY keep the parent's name. A CHECK the partition already has (same name) is
// merged.
void give_constraint_to_partitions(LoadContext& ctx, const Table& parent, const Constraint& c);

// CREATE TABLE ... PARTITION OF (`attaching` false) or ATTACH PARTITION (true, which requires
// the partition to have every CHECK already): the partition receives all of the parent's
// indexes and constraints.
void give_parent_objects(LoadContext& ctx, Table& partition, const Table& parent, bool attaching);

// DETACH PARTITION: the partition keeps its indexes and constraints as its own.
void detach_partition(Table& partition);

// DROP INDEX / DROP CONSTRAINT on a parent: the partitions' attached ones go with it.
void drop_index_from_partitions(Model& model, const Table& parent, const std::string& index);
void drop_constraint_from_partitions(Model& model, const Table& parent,
                                     const std::string& constraint);

}  // namespace pgdrift::schema::sql
