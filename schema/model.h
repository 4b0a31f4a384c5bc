// The schema model: plain value types for every PostgreSQL object pgdrift understands.
//
// Every source (SQL files, a live database, a JSON model, a migration history) builds this
// same model, and everything downstream (diff, drift, plan) only ever sees it. Rules:
//  - values are canonical when stored: types are canonical type strings (canonical.h),
//    expressions are canonical expression text, names are the exact (case-folded) identifiers;
//  - equality (operator==) is schema equality: SourceLocation always compares equal, so where
//    an object came from never makes two schemas different;
//  - objects are keyed by their qualified key (`quote_ident(schema).quote_ident(name)`), kept
//    in std::map so iteration and JSON output are sorted and stable.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgdrift::schema {

// Where an object was defined. Provenance only: never part of schema equality.
struct SourceLocation {
  std::string file;  // empty when the object did not come from a file
  int line = 0;
  bool operator==(const SourceLocation&) const { return true; }
  bool empty() const { return file.empty(); }
};

// The explicit rename annotation of a table, column, index or constraint: the name the object
// had before (`-- pgdrift:renamed-from old` in SQL, "renamed_from" in JSON). Provenance like
// SourceLocation, kept on the object so every source and the JSON model carry it the same way:
// never part of schema equality (a model that says where an object came from is the same
// schema). Only the diff reads it, to pair the old object with this one (engine/diff.h).
struct RenamedFrom {
  std::string name;  // exact (case-folded) identifier; empty = no annotation
  bool operator==(const RenamedFrom&) const { return true; }
  bool empty() const { return name.empty(); }
};

// One privilege granted on an object, e.g. {grantee "app_ro", privilege "SELECT"}.
// grantee "PUBLIC" is the PUBLIC pseudo-role. Column privileges carry the column names.
struct Grant {
  std::string grantee;
  std::string privilege;             // SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES,
                                     // TRIGGER, USAGE, CREATE, EXECUTE, ...
  std::vector<std::string> columns;  // sorted; empty = whole object
  bool with_grant_option = false;
  bool operator==(const Grant&) const = default;
  bool operator<(const Grant& o) const;
};

// Puts `grants` in ACL order: the object's own grants, then column grants (kept in the columns'
// ACLs), each with grantees in the order of `grantee_order` (their first appearance there; by
// default the grants themselves), each grantee's grants sorted. PostgreSQL keeps an
// object's ACL items in the order the grantees were first granted something (pg_dump prints
// them so); privileges within an item are a bit set. Comparisons are by set (engine/diff.cpp).
void order_grants_as_acl(std::vector<Grant>& grants);
void order_grants_as_acl(std::vector<Grant>& grants, const std::vector<Grant>& grantee_order);

// Options shared by sequences and identity columns. Defaults are filled in by the sources
// exactly as PostgreSQL computes them (e.g. max_value from the data type), so two spellings
// of the same sequence compare equal.
struct SequenceOptions {
  std::string data_type = "bigint";  // smallint | integer | bigint
  int64_t start = 1;
  int64_t increment = 1;
  int64_t min_value = 1;
  int64_t max_value = INT64_MAX;
  int64_t cache = 1;
  bool cycle = false;
  bool operator==(const SequenceOptions&) const = default;
};

enum class IdentityKind { None, Always, ByDefault };

struct Column {
  std::string name;
  std::string type;       // canonical type, e.g. "numeric(12,2)", "integer[]", "public.mood"
  std::string collation;  // empty = the type's default collation; else quoted name, e.g. "C"
  bool not_null = false;
  std::optional<std::string> default_expr;  // canonical expression
  IdentityKind identity = IdentityKind::None;
  std::optional<SequenceOptions> identity_options;  // set iff identity != None
  std::optional<std::string> generated_expr;        // GENERATED ALWAYS AS (expr) STORED
  std::optional<std::string> comment;
  std::vector<Grant> grants;  // column-level privileges are stored on the table's grants
  RenamedFrom renamed_from;
  SourceLocation location;
  bool operator==(const Column&) const = default;
};

enum class ConstraintKind { PrimaryKey, Unique, Check, ForeignKey, Exclusion };

// Foreign key actions as the single-letter codes of pg_constraint.confupdtype/confdeltype:
// 'a' NO ACTION, 'r' RESTRICT, 'c' CASCADE, 'n' SET NULL, 'd' SET DEFAULT.
// Match types as pg_constraint.confmatchtype: 's' SIMPLE, 'f' FULL, 'p' PARTIAL.
struct ForeignKey {
  std::string ref_table;  // qualified key of the referenced table
  std::vector<std::string> ref_columns;
  char on_delete = 'a';
  char on_update = 'a';
  char match = 's';
  std::vector<std::string> on_delete_set_columns;  // ON DELETE SET NULL (cols), PG 15
  bool operator==(const ForeignKey&) const = default;
};

// One element of an exclusion constraint: `expr WITH operator`.
struct ExclusionElement {
  std::string expr;  // column name or canonical expression
  std::string opclass;
  bool descending = false;
  bool nulls_first = false;
  std::string op;  // e.g. "&&", "="
  bool operator==(const ExclusionElement&) const = default;
};

struct Constraint {
  std::string name;
  ConstraintKind kind = ConstraintKind::Check;
  std::vector<std::string> columns;  // PK / UNIQUE / FK local columns, in order
  std::vector<std::string> include;  // INCLUDE columns of PK / UNIQUE
  bool nulls_not_distinct = false;   // UNIQUE NULLS NOT DISTINCT
  std::string check_expr;            // canonical expression (Check)
  bool no_inherit = false;           // CHECK ... NO INHERIT
  std::optional<ForeignKey> foreign_key;
  std::string exclusion_method;  // Exclusion: access method, e.g. "gist"
  std::vector<ExclusionElement> exclusion_elements;
  std::string where_expr;  // Exclusion: partial predicate
  bool deferrable = false;
  bool initially_deferred = false;
  bool validated = true;  // false = NOT VALID (checks and foreign keys only)
  // Set when PostgreSQL keeps this constraint for one of the parent table's: the parent's
  // constraint name. A partition's PK / UNIQUE / EXCLUDE / FOREIGN KEY clone
  // (pg_constraint.conparentid), or an inherited CHECK (coninhcount > 0) of a partition or an
  // inheritance child. PostgreSQL creates and drops these with the parent's constraint.
  std::string parent_constraint;
  std::optional<std::string> comment;
  RenamedFrom renamed_from;
  SourceLocation location;
  bool operator==(const Constraint&) const = default;
};

struct IndexKey {
  std::string column;     // set for a plain column key
  std::string expr;       // set for an expression key (canonical expression), else empty
  std::string opclass;    // empty = default opclass for the type
  std::string collation;  // empty = column default
  bool descending = false;
  // NULLS FIRST/LAST as PostgreSQL stores it: default is LAST for ASC, FIRST for DESC.
  // Sources always store the effective value, so `DESC` and `DESC NULLS FIRST` are equal.
  bool nulls_first = false;
  bool operator==(const IndexKey&) const = default;
};

// A standalone index (indexes that implement PK/UNIQUE/EXCLUDE constraints belong to the
// constraint, not here).
struct Index {
  std::string name;
  bool unique = false;
  bool nulls_not_distinct = false;
  std::string method = "btree";
  std::vector<IndexKey> keys;
  std::vector<std::string> include;
  std::string where_expr;                      // canonical predicate; empty = not partial
  std::map<std::string, std::string> options;  // WITH (...) storage parameters as reloptions
                                               // stores them, e.g. fillfactor -> 70
  // On a partition: the name of the partitioned parent's index this index is attached to
  // (pg_inherits between the two indexes; the parent index lives in the parent table's
  // schema). PostgreSQL creates such an index with the parent's (or attaches a matching one)
  // and drops it with the parent's. Empty = an index of this table alone.
  std::string parent_index;
  // False for an INVALID index (pg_index: not indisvalid, or not indisready): what a CREATE
  // INDEX CONCURRENTLY that failed or was cancelled leaves behind (also a REINDEX CONCURRENTLY's
  // or an interrupted DROP INDEX CONCURRENTLY's). PostgreSQL keeps it up to date on writes (a
  // unique one that got as far as indisready still rejects duplicates) but no query uses it. Only a
  // database has them: SQL cannot make one. A target's INVALID index is wanted valid
  // (engine::wanted_form). Partitioned indexes are always valid here: theirs says whether every
  // partition has an index attached (CREATE INDEX ON ONLY), which parent_index of the partitions'
  // indexes says.
  bool valid = true;
  std::optional<std::string> comment;
  RenamedFrom renamed_from;
  SourceLocation location;
  bool operator==(const Index&) const = default;
};

// A trigger, with the parts of CREATE TRIGGER that define it.
struct Trigger {
  std::string name;
  std::string timing;                       // BEFORE | AFTER | INSTEAD OF
  std::vector<std::string> events;          // sorted subset of INSERT, UPDATE, DELETE, TRUNCATE
  std::vector<std::string> update_columns;  // UPDATE OF cols (in given order)
  bool for_each_row = false;
  std::string when_expr;               // canonical expression, empty = none
  std::string function;                // qualified key of the trigger function, e.g. public.touch
  std::vector<std::string> arguments;  // string arguments
  bool constraint_trigger = false;
  bool deferrable = false;
  bool initially_deferred = false;
  std::string old_table;  // REFERENCING OLD TABLE AS
  std::string new_table;  // REFERENCING NEW TABLE AS
  // ALTER TABLE ... ENABLE / DISABLE [REPLICA | ALWAYS] TRIGGER, as pg_trigger.tgenabled:
  // 'O' enabled (fires in the origin and local session_replication_role), 'D' disabled,
  // 'R' ENABLE REPLICA (fires only in replica), 'A' ENABLE ALWAYS.
  char enabled = 'O';
  std::optional<std::string> comment;
  SourceLocation location;
  bool operator==(const Trigger&) const = default;
};

struct Policy {
  std::string name;
  bool permissive = true;
  std::string command = "ALL";     // ALL | SELECT | INSERT | UPDATE | DELETE
  std::vector<std::string> roles;  // sorted; {"public"} when none given
  std::string using_expr;          // canonical, empty = none
  std::string check_expr;          // canonical WITH CHECK, empty = none
  std::optional<std::string> comment;
  SourceLocation location;
  bool operator==(const Policy&) const = default;
};

enum class TableKind { Regular, Partitioned };

struct Table {
  std::string schema;
  std::string name;
  TableKind kind = TableKind::Regular;
  bool unlogged = false;
  std::vector<Column> columns;                    // in attribute order
  std::map<std::string, Constraint> constraints;  // by name
  std::map<std::string, Index> indexes;           // by name (same schema as the table)
  std::map<std::string, Trigger> triggers;        // by name
  std::map<std::string, Policy> policies;         // by name
  std::string partition_key;          // canonical "RANGE (created_at)", empty = not partitioned
  std::string partition_of;           // qualified key of the parent when this is a partition
  std::string partition_bound;        // canonical "FOR VALUES ..." / "DEFAULT"
  std::vector<std::string> inherits;  // qualified keys of parents (plain inheritance)
  bool rls_enabled = false;
  bool rls_forced = false;
  // ALTER TABLE ... REPLICA IDENTITY, as pg_class.relreplident: 'd' DEFAULT (the primary key),
  // 'f' FULL, 'n' NOTHING, 'i' USING INDEX replica_identity_index (a unique index, standalone
  // or the index of a PRIMARY KEY / UNIQUE constraint: the index name, in the table's schema).
  // PostgreSQL keeps 'i' when that index is dropped, which then behaves as NOTHING: stored 'n'.
  char replica_identity = 'd';
  std::string replica_identity_index;
  std::map<std::string, std::string> options;  // reloptions, e.g. fillfactor -> 70
  std::optional<std::string> comment;
  std::vector<Grant> grants;  // sorted
  // The owning role (ALTER ... OWNER TO, pg_class.relowner ...). Empty = not declared: a SQL
  // source that does not say keeps whatever owner the database has. Compared (only with
  // privileges) when the target declares one.
  std::string owner;
  RenamedFrom renamed_from;
  SourceLocation location;
  bool operator==(const Table&) const = default;

  const Column* find_column(const std::string& column) const;
  Column* find_column(const std::string& column);
};

struct View {
  std::string schema;
  std::string name;
  bool materialized = false;
  std::string query;                           // canonical SELECT text
  std::vector<std::string> column_names;       // explicit column list, empty = from the query
  std::map<std::string, std::string> options;  // check_option, security_barrier, ...
  bool with_data = true;                       // materialized views only
  std::map<std::string, Index> indexes;        // materialized views only
  std::map<std::string, Trigger> triggers;     // INSTEAD OF triggers on views
  std::map<std::string, std::optional<std::string>> column_comments;
  std::optional<std::string> comment;
  std::vector<Grant> grants;
  std::string owner;  // the owning role; empty = not declared (see Table::owner)
  SourceLocation location;
  bool operator==(const View&) const = default;
};

struct Sequence {
  std::string schema;
  std::string name;
  SequenceOptions options;
  std::string owned_by;  // "qualified_table_key.column" (column quoted), empty = none
  std::optional<std::string> comment;
  std::vector<Grant> grants;
  std::string owner;  // the owning role; empty = not declared (see Table::owner)
  SourceLocation location;
  bool operator==(const Sequence&) const = default;
};

struct EnumType {
  std::string schema;
  std::string name;
  std::vector<std::string> values;  // in sort order
  std::optional<std::string> comment;
  std::string owner;  // the owning role; empty = not declared (see Table::owner)
  SourceLocation location;
  bool operator==(const EnumType&) const = default;
};

struct CompositeAttribute {
  std::string name;
  std::string type;
  std::string collation;
  bool operator==(const CompositeAttribute&) const = default;
};

struct CompositeType {
  std::string schema;
  std::string name;
  std::vector<CompositeAttribute> attributes;
  std::optional<std::string> comment;
  std::string owner;  // the owning role; empty = not declared (see Table::owner)
  SourceLocation location;
  bool operator==(const CompositeType&) const = default;
};

struct Domain {
  std::string schema;
  std::string name;
  std::string base_type;
  std::string collation;
  bool not_null = false;
  std::optional<std::string> default_expr;
  std::map<std::string, Constraint> checks;  // by name, kind Check
  std::optional<std::string> comment;
  std::string owner;  // the owning role; empty = not declared (see Table::owner)
  SourceLocation location;
  bool operator==(const Domain&) const = default;
};

struct FunctionArgument {
  std::string mode = "IN";  // IN | OUT | INOUT | VARIADIC | TABLE
  std::string name;
  std::string type;
  std::optional<std::string> default_expr;
  bool operator==(const FunctionArgument&) const = default;
};

// A function or procedure. Keyed by `schema.name(identity argument types)`, because
// PostgreSQL allows overloading.
struct Function {
  std::string schema;
  std::string name;
  bool procedure = false;
  std::vector<FunctionArgument> arguments;
  std::string returns;   // canonical return type ("SETOF x", "TABLE(...)" rendered); empty for
                         // procedures
  std::string language;  // lower case, e.g. "plpgsql"
  std::string body;      // the function body exactly as stored (prosrc); "" with a sql_body
  // A SQL-standard body (PostgreSQL 14+, pg_proc.prosqlbody): `RETURN expr` or
  // `BEGIN ATOMIC stmt; ... END` as canonical text (canonical.h, canonical_sql_body); "" when
  // the body is a string (`AS $$...$$`). PostgreSQL resolves what it references when the
  // function is created and tracks those objects in pg_depend.
  std::string sql_body;
  std::string volatility = "VOLATILE";  // IMMUTABLE | STABLE | VOLATILE
  bool strict = false;
  bool security_definer = false;
  bool leakproof = false;
  std::string parallel = "UNSAFE";            // SAFE | RESTRICTED | UNSAFE
  double cost = 0;                            // 0 = the default for the language
  double rows = 0;                            // 0 = default
  std::map<std::string, std::string> config;  // SET name = value
  std::optional<std::string> comment;
  std::vector<Grant> grants;
  std::string owner;  // the owning role; empty = not declared (see Table::owner)
  SourceLocation location;
  bool operator==(const Function&) const = default;

  // "integer, text": the IN/INOUT/VARIADIC argument types that identify the function.
  std::string identity_arguments() const;
};

// An aggregate (CREATE AGGREGATE), with what pg_aggregate stores. Keyed by aggregate_key():
// like a function, an aggregate is identified by its name and argument types. Function names
// (state, final, combine, ...) are stored as they are resolved: `schema.name` quoted for a
// user function, the bare quoted name for a pg_catalog one. Defaults are filled in as
// PostgreSQL fills them in, so two spellings of one aggregate compare equal.
struct Aggregate {
  std::string schema;
  std::string name;
  // IN or VARIADIC arguments (names optional); for an ordered-set or hypothetical-set
  // aggregate the direct arguments first, then the aggregated (ORDER BY) ones.
  std::vector<FunctionArgument> arguments;
  std::string kind = "normal";  // normal | ordered_set | hypothetical (pg_aggregate.aggkind)
  int direct_arguments = 0;     // ordered-set / hypothetical: arguments before ORDER BY
  std::string state_function;   // SFUNC
  std::string state_type;       // STYPE, canonical type
  int64_t state_space = 0;      // SSPACE, 0 = PostgreSQL's estimate
  std::string final_function;   // FINALFUNC, empty = none
  bool final_extra = false;     // FINALFUNC_EXTRA
  // FINALFUNC_MODIFY as aggfinalmodify: READ_ONLY | SHAREABLE | READ_WRITE. PostgreSQL stores
  // READ_ONLY for a normal aggregate and READ_WRITE for an ordered-set one unless told.
  std::string final_modify = "READ_ONLY";
  std::string combine_function;                  // COMBINEFUNC
  std::string serial_function;                   // SERIALFUNC
  std::string deserial_function;                 // DESERIALFUNC
  std::optional<std::string> initial_condition;  // INITCOND, as text
  // Moving-aggregate mode (MSFUNC ...): empty moving_state_function = none.
  std::string moving_state_function;
  std::string moving_inverse_function;
  std::string moving_state_type;
  int64_t moving_state_space = 0;
  std::string moving_final_function;
  bool moving_final_extra = false;
  std::string moving_final_modify = "READ_ONLY";
  std::optional<std::string> moving_initial_condition;
  std::string sort_operator;        // SORTOP, e.g. "<", "OPERATOR(public.<)"; empty = none
  std::string parallel = "UNSAFE";  // SAFE | RESTRICTED | UNSAFE
  std::optional<std::string> comment;
  std::vector<Grant> grants;  // EXECUTE
  SourceLocation location;
  bool operator==(const Aggregate&) const = default;

  // "*", "integer, text" or "double precision ORDER BY double precision": the argument types as
  // DROP AGGREGATE and COMMENT ON AGGREGATE name them.
  std::string signature() const;
  // "integer, text": every argument type, as GRANT ... ON FUNCTION names an aggregate.
  std::string argument_types() const;
};

// A collation (CREATE COLLATION), as pg_collation stores it. The version is not modelled: it
// comes from the operating system's or ICU's library, not from the schema.
struct Collation {
  std::string schema;
  std::string name;
  std::string provider = "libc";  // libc | icu
  std::string lc_collate;         // libc: LC_COLLATE
  std::string lc_ctype;           // libc: LC_CTYPE
  std::string icu_locale;         // icu: the ICU locale
  bool deterministic = true;
  std::optional<std::string> comment;
  SourceLocation location;
  bool operator==(const Collation&) const = default;
};

struct Extension {
  std::string name;
  std::string schema;   // empty = public, where CREATE EXTENSION puts it by default
  std::string version;  // empty = not pinned
  std::optional<std::string> comment;
  SourceLocation location;
  bool operator==(const Extension&) const = default;
};

struct Namespace {
  std::string name;
  std::optional<std::string> comment;
  std::vector<Grant> grants;
  std::string owner;  // CREATE SCHEMA ... AUTHORIZATION r, ALTER SCHEMA ... OWNER TO r; "" = not
                      // declared (see Table::owner)
  SourceLocation location;
  bool operator==(const Namespace&) const = default;
};

// ALTER DEFAULT PRIVILEGES [FOR ROLE role] [IN SCHEMA schema] GRANT ... ON <object_type>: the
// privileges PostgreSQL grants on the objects `role` creates afterwards (pg_default_acl).
// `grants` are the privileges of the objects created, as PostgreSQL would hold them, without
// the creating role's own: with no schema they replace PostgreSQL's built-in defaults (PUBLIC
// EXECUTE on functions, PUBLIC USAGE on types: an entry without them revoked them), with one
// they add to the others. An entry equal to the built-in defaults is not stored (PostgreSQL
// removes it too), so one that grants nothing says a built-in default was revoked.
struct DefaultPrivilege {
  std::string role;           // the creating role; "" = the role that runs the SQL (no FOR ROLE;
                              // the connected user for a live database)
  std::string schema;         // IN SCHEMA; "" = every schema
  std::string object_type;    // TABLES | SEQUENCES | FUNCTIONS | TYPES | SCHEMAS
  std::vector<Grant> grants;  // sorted
  SourceLocation location;
  bool operator==(const DefaultPrivilege&) const = default;
};

// The whole model of one database schema (all namespaces).
struct Model {
  std::map<std::string, Namespace> schemas;     // by name; "public" is implicit, never stored
  std::map<std::string, Extension> extensions;  // by name
  std::map<std::string, Table> tables;          // by qualified key
  std::map<std::string, View> views;            // views and materialized views
  std::map<std::string, Sequence> sequences;
  std::map<std::string, EnumType> enums;
  std::map<std::string, CompositeType> composite_types;
  std::map<std::string, Domain> domains;
  std::map<std::string, Function> functions;    // by function_key()
  std::map<std::string, Aggregate> aggregates;  // by aggregate_key()
  std::map<std::string, Collation> collations;  // by qualified key
  // by default_privilege_key()
  std::map<std::string, DefaultPrivilege> default_privileges;
  bool operator==(const Model&) const = default;
};

// quote_ident(schema) + "." + quote_ident(name)
std::string qualified_key(const std::string& schema, const std::string& name);
// The aspects of a column that reconcile compares and a history's replay attributes to the
// migration line that set them: "type", "not null", "default", "identity", "generated",
// "collation", "comment", "grants".
const std::vector<std::string>& column_aspects();
// The aspects (column_aspects' names, in that order) in which two definitions of a column differ.
std::vector<std::string> differing_column_aspects(const Column& a, const Column& b);
// qualified_key(schema, name) + "(" + identity_arguments + ")"
std::string function_key(const Function& f);
// qualified_key(schema, name) + "(" + signature + ")"
std::string aggregate_key(const Aggregate& a);

// The type PostgreSQL coerces a value of `type` to in expressions: a domain's base type
// (through nested domains), else `type` itself.
std::string expression_type(const Model& m, const std::string& type);

// Why the type string `type` (a column's, a composite attribute's, a domain's base type, a
// function's argument or return type, an aggregate's argument or state type, a sequence's AS
// type) names no type: `unknown type "uuuid"`; "" when it names one. A type is known when
// PostgreSQL 15 has it built in (pg_catalog, or a catalog relation's row type), when the model
// defines it (enum, composite type, domain, the row type of a table, view or sequence), or when
// the model cannot say: a type in the schema of an extension of the model (of a shipped one,
// the types it creates), or in a schema whose schema-level objects (the schema, types,
// functions, aggregates, collations, extensions) the model does not hold, as when a filter left
// them out (docs/json-model.md, "Types"). Arrays, typmods and SETOF are looked through.
std::string undefined_type(const Model& m, const std::string& type);

// Sequence::owned_by taken apart at the dot before its (quoted) column, which may itself hold a
// dot: `public.t."a.b"` -> {"public.t", "\"a.b\""}. Both empty when owned_by is.
std::pair<std::string, std::string> split_owned_by(const std::string& owned_by);

// "[FOR ROLE r ][IN SCHEMA s ]ON TABLES": the key of a default privilege, as the clauses of its
// ALTER DEFAULT PRIVILEGES statement.
std::string default_privilege_key(const std::string& role, const std::string& schema,
                                  const std::string& object_type);
// The grants of PostgreSQL's built-in defaults for objects of `object_type` (no schema): PUBLIC
// EXECUTE on FUNCTIONS, PUBLIC USAGE on TYPES, none otherwise (owners' own privileges aside).
std::vector<Grant> builtin_default_grants(const std::string& object_type);

// The privileges an object of `object_type` (TABLES for tables and views, SEQUENCES, FUNCTIONS,
// SCHEMAS) gets from the model's default privileges when `role` creates it in `schema_name`
// (empty for a schema): the role's entries for every schema and for that schema, without
// PostgreSQL's built-in defaults (which the model leaves implicit). Sorted.
std::vector<Grant> created_grants(const Model& m, const std::string& role,
                                  const std::string& object_type, const std::string& schema_name);

// Strip every privilege from the model: grants, default privileges and owners (privileges are
// compared only on request).
void strip_privileges(Model& m);
// Whether the model has any grant or default privilege. Owners (which every object of a
// database has) do not count: nothing compares them without privileges.
bool has_privileges(const Model& m);
// Every object's owner set to "" (as undeclared).
void clear_owners(Model& m);

}  // namespace pgdrift::schema
