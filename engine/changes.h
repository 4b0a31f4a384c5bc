// Typed change values: what differs between two models. The diff says WHAT changed; only the
// planner decides HOW to run it (online forms, ordering, hazards).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "schema/model.h"

namespace pgdrift::engine {

enum class ChangeKind { Add, Drop, Alter };

std::string change_kind_name(ChangeKind kind);  // "add" | "drop" | "alter"

// One object appearing, disappearing or changing. `from` is set for Drop/Alter, `to` for
// Add/Alter.
template <class T>
struct ObjectChange {
  ChangeKind kind = ChangeKind::Add;
  std::string key;  // qualified key (or name for schemas/extensions)
  std::optional<T> from;
  std::optional<T> to;
};

// Aspects of a column that can change independently (bit flags).
enum ColumnAspect : unsigned {
  kColumnType = 1u << 0,
  kColumnNullability = 1u << 1,
  kColumnDefault = 1u << 2,
  kColumnIdentity = 1u << 3,
  kColumnGenerated = 1u << 4,
  kColumnCollation = 1u << 5,
};

struct ColumnChange {
  ChangeKind kind = ChangeKind::Add;
  std::string table;  // qualified key of the table
  std::optional<schema::Column> from;
  std::optional<schema::Column> to;
  unsigned changed = 0;  // ColumnAspect flags (Alter only)
  bool has(ColumnAspect aspect) const { return (changed & aspect) != 0; }
};

// Sub-objects of a table (or a view, for indexes/triggers of materialized views and views).
struct ConstraintChange {
  ChangeKind kind = ChangeKind::Add;
  std::string table;
  std::optional<schema::Constraint> from;
  std::optional<schema::Constraint> to;
};
struct IndexChange {
  ChangeKind kind = ChangeKind::Add;
  std::string table;   // qualified key of the table or materialized view
  std::string schema;  // schema of the index (= schema of its table)
  std::string table_name;
  std::optional<schema::Index> from;
  std::optional<schema::Index> to;
  // The source's index is INVALID (schema::Index::valid): a failed CREATE INDEX CONCURRENTLY
  // left it, and the plan drops it and builds it again, whatever else differs.
  bool rebuilds_invalid() const { return kind == ChangeKind::Alter && from && !from->valid; }
};
struct TriggerChange {
  ChangeKind kind = ChangeKind::Add;
  std::string table;  // table or view key
  std::optional<schema::Trigger> from;
  std::optional<schema::Trigger> to;
};
// Whether a trigger that changes from `from` to `to` stays the same trigger: only its enabled
// state (ALTER TABLE ... ENABLE / DISABLE TRIGGER) or comment differ. Else it is recreated.
bool trigger_altered_in_place(schema::Trigger from, schema::Trigger to);
struct PolicyChange {
  ChangeKind kind = ChangeKind::Add;
  std::string table;
  std::optional<schema::Policy> from;
  std::optional<schema::Policy> to;
};

// Table-level aspects (bit flags), besides its sub-objects.
enum TableAspect : unsigned {
  kTableOptions = 1u << 0,          // reloptions
  kTableRls = 1u << 1,              // ENABLE / FORCE ROW LEVEL SECURITY
  kTablePersistence = 1u << 2,      // LOGGED / UNLOGGED
  kTableInherits = 1u << 3,         // INHERIT / NO INHERIT
  kTableStructure = 1u << 4,        // partitioned or not, partition key: only by recreating it
  kTablePartition = 1u << 5,        // the parent or bound of a partition: DETACH / ATTACH
  kTableReplicaIdentity = 1u << 6,  // REPLICA IDENTITY
};

struct TableChange {
  ChangeKind kind = ChangeKind::Add;
  std::string key;
  // The table in the models diffed (or in Changes::owned_models): pointers, not copies. A plan
  // of 10,000 changed tables copied each table a dozen times (diff, partition and inheritance
  // adjustments, the rollback plan): most of its memory. The models must outlive the changes
  // (diff_models refuses temporaries).
  const schema::Table* from = nullptr;
  const schema::Table* to = nullptr;
  unsigned changed = 0;  // TableAspect flags (Alter only)
  std::vector<ColumnChange> columns;
  std::vector<ConstraintChange> constraints;
  std::vector<IndexChange> indexes;
  std::vector<TriggerChange> triggers;
  std::vector<PolicyChange> policies;
};

struct ViewChange {
  ChangeKind kind = ChangeKind::Add;
  std::string key;
  std::optional<schema::View> from;
  std::optional<schema::View> to;
  bool definition_changed = false;  // query, columns, kind: needs a recreate
  // reloptions (check_option, security_barrier, security_invoker; a materialized view's storage
  // parameters): ALTER [MATERIALIZED] VIEW ... SET / RESET, unless the view is recreated.
  bool options_changed = false;
  std::vector<IndexChange> indexes;
  std::vector<TriggerChange> triggers;
};

struct EnumChange {
  ChangeKind kind = ChangeKind::Add;
  std::string key;
  std::optional<schema::EnumType> from;
  std::optional<schema::EnumType> to;
  std::vector<std::string> added_values;  // values only in `to`, in `to` order
  bool needs_recreate = false;            // values removed or existing values reordered
};

struct FunctionChange {
  ChangeKind kind = ChangeKind::Add;
  std::string key;  // function_key
  std::optional<schema::Function> from;
  std::optional<schema::Function> to;
  // Return type, argument names/defaults or kind changed: CREATE OR REPLACE cannot do it.
  bool needs_recreate = false;
};

using SchemaChange = ObjectChange<schema::Namespace>;
using ExtensionChange = ObjectChange<schema::Extension>;
using SequenceChange = ObjectChange<schema::Sequence>;
using CompositeTypeChange = ObjectChange<schema::CompositeType>;
using DomainChange = ObjectChange<schema::Domain>;
// Aggregates and collations have no ALTER for what defines them: an Alter is a re-create.
using AggregateChange = ObjectChange<schema::Aggregate>;  // key: aggregate_key
using CollationChange = ObjectChange<schema::Collation>;

// An object renamed in place, paired by the diff from an explicit annotation on the target
// object (schema::RenamedFrom): the source's `from_name` becomes `to_name`, keeping its data.
// The diff compares the rest as if the rename had run (apply_renames), so whatever else
// differs on the renamed object is an ordinary change next to this one.
struct RenameChange {
  enum class Kind { Table, Column, Index, Constraint };
  Kind kind = Kind::Table;
  // The owning table's key after its own rename (for a Table: the key it gets).
  std::string table;
  std::string schema;  // of the table (and so of the index)
  std::string from_name;
  std::string to_name;
  // "table", "column", "index", "constraint"
  std::string kind_name() const;
};

// Which object a comment or a set of privileges belongs to: plain data, so the planner can
// derive its SQL (COMMENT ON / GRANT targets) and ordering keys, and drift its entry.
struct ObjectRef {
  // The drift entry kind: schema, extension, table, view, materialized_view, sequence, enum,
  // composite_type, domain, function, procedure, aggregate, collation, or a member kind: column,
  // constraint, index, trigger, policy.
  std::string kind;
  std::string key;         // model key of the object, or of its owner for a member
  std::string owner_kind;  // a member's owner: table, view, materialized_view, domain
  std::string member;      // a member's own (unquoted) name; empty for top-level objects
  std::string name;        // shown and matched name: "public.t", "public.t.c", "public.t_idx"
  bool is_member() const { return !owner_kind.empty(); }
  bool operator==(const ObjectRef&) const = default;
};

ObjectRef top_level_ref(const std::string& kind, const std::string& key);
// A member of a table, view or domain: named "<owner key>.<quoted member>".
ObjectRef member_ref(const std::string& kind, const std::string& owner_kind,
                     const std::string& owner, const std::string& member);
// An index is named like a relation, in its owner's schema: "<schema>.<index>".
ObjectRef index_ref(const std::string& owner_kind, const std::string& owner,
                    const std::string& schema_name, const std::string& index);

// A comment that differs on any object or sub-object (including objects that are added, and
// objects the plan re-creates, which lose their comment: `from` is then empty).
struct CommentChange {
  ObjectRef object;
  std::optional<std::string> from;
  std::optional<std::string> to;
};

// Privileges that differ on one object (only when privileges are compared).
struct GrantChange {
  ObjectRef object;
  std::vector<schema::Grant> granted;  // in `to` only
  std::vector<schema::Grant> revoked;  // in `from` only
  std::vector<schema::Grant> from;     // every grant on each side, sorted (for reports)
  std::vector<schema::Grant> to;
  bool object_dropped = false;  // revokes are implied by the drop
  // Set when the plan creates the object: `from` then holds the privileges PostgreSQL gives it
  // when it is created (the default privileges of the role that runs the plan which both models
  // have: schema::created_grants), which `revoked` takes away where the target has no such grant.
  bool object_added = false;
};

// An owner the target declares that differs (only when privileges are compared): ALTER ...
// OWNER TO. Objects whose target owner is undeclared ("") keep theirs; an object the plan adds
// gets the declared owner too.
struct OwnerChange {
  ObjectRef object;
  std::string from;  // "" when the object is new
  std::string to;
};

// Default privileges (ALTER DEFAULT PRIVILEGES) that differ for one (role, schema, object type)
// (only when privileges are compared). `from` / `to` are the effective grants of each side:
// PostgreSQL's built-in defaults where a side has no entry.
struct DefaultPrivilegeChange {
  std::string key;  // schema::default_privilege_key
  std::string role;
  std::string schema;
  std::string object_type;
  std::vector<schema::Grant> granted;
  std::vector<schema::Grant> revoked;
  std::vector<schema::Grant> from;
  std::vector<schema::Grant> to;
};

struct Changes {
  std::vector<RenameChange> renames;  // tables first, then their members
  std::vector<SchemaChange> schemas;
  std::vector<ExtensionChange> extensions;
  std::vector<EnumChange> enums;
  std::vector<CompositeTypeChange> composite_types;
  std::vector<DomainChange> domains;
  std::vector<SequenceChange> sequences;
  std::vector<FunctionChange> functions;
  std::vector<AggregateChange> aggregates;
  std::vector<CollationChange> collations;
  std::vector<TableChange> tables;
  std::vector<ViewChange> views;
  std::vector<CommentChange> comments;
  std::vector<GrantChange> grants;
  std::vector<OwnerChange> owners;
  std::vector<DefaultPrivilegeChange> default_privileges;
  // Models TableChange points into that no caller holds: the source with its renames applied
  // (diff.h apply_renames) when the target renames something, and models diff_models was given
  // as temporaries.
  std::vector<std::shared_ptr<const schema::Model>> owned_models;
  bool empty() const;
  size_t size() const;  // number of top-level change values
};

}  // namespace pgdrift::engine
