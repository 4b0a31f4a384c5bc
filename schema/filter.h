// The one object filter of every command: pg_dump's selection switches (-n/--schema,
// -N/--exclude-schema, -t/--table, -T/--exclude-table) with psql's name patterns. Each source
// applies it once when it loads (filter_schemas); the introspector also uses it to read only the
// schemas that can hold a selected object. Engine and planner compare the models they are given.
//
// Patterns (psql's processSQLNamePattern): `*` matches any run of characters and `?` one
// character; letters outside double quotes are folded to lower case, a double-quoted part is
// matched exactly (`""` is a quote in it); other regular-expression characters outside quotes
// work as in PostgreSQL's regular expressions (`app_(x|y)`, `[0-9]`), and `$` is literal. A
// pattern must match the whole name. A table pattern may be `schema.table` (each part a pattern);
// without a dot it means the default schema, public (unqualified names everywhere in pgdrift).
#pragma once

#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "schema/model.h"

namespace pgdrift::schema {

struct SchemaFilter {
  std::vector<std::string> include_schemas;  // -n / --schema patterns; empty = every schema
  std::vector<std::string> exclude_schemas;  // -N / --exclude-schema patterns
  std::vector<std::string> include_tables;   // -t / --table patterns; not empty = only those
  std::vector<std::string> exclude_tables;   // -T / --exclude-table patterns
  bool empty() const {
    return include_schemas.empty() && exclude_schemas.empty() && include_tables.empty() &&
           exclude_tables.empty();
  }
};

// A pattern that cannot be used: too many dots, or a broken regular expression. what() names
// the option and the pattern.
class PatternError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One psql name pattern, compiled.
class NamePattern {
 public:
  // `option` ("--schema", ...) only names the pattern in errors. Throws PatternError.
  NamePattern(const std::string& text, const std::string& option, bool qualified);
  const std::string& text() const { return text_; }
  // Schema patterns: the whole pattern; table patterns: the schema part (public when none).
  bool matches_schema(const std::string& schema) const;
  // Table patterns: schema part and table part.
  bool matches(const std::string& schema, const std::string& name) const;

 private:
  std::string text_;
  bool any_schema_ = false;  // a table pattern whose schema part is empty (".t")
  std::regex schema_;
  std::regex name_;
};

// The selection a SchemaFilter makes (its patterns compiled once):
//  - with --table patterns, only the relations (tables, views, materialized views, sequences)
//    they match, minus --exclude-table, and the sequences those tables own; no other object
//    (schemas, extensions, types, functions), and --schema / --exclude-schema have no effect,
//    as in pg_dump;
//  - else every object of the schemas --schema matches (all when none is given) and no
//    --exclude-schema pattern matches, minus the relations --exclude-table matches and the
//    sequences they own. An extension belongs to the schema it is installed in (an empty
//    schema is public, where CREATE EXTENSION puts it).
// Indexes, constraints, triggers and policies go with their table.
class ObjectSelection {
 public:
  explicit ObjectSelection(const SchemaFilter& filter);  // throws PatternError
  bool selects_everything() const { return everything_; }
  // Whether objects of `schema` can be selected (the introspector reads only those schemas).
  bool may_select_in(const std::string& schema) const;
  // Whether a schema-level object (schema, type, domain, function, extension) is selected.
  bool selects_schema_object(const std::string& schema) const;
  // Whether the relation schema.name is selected, ownership of sequences aside.
  bool selects_relation(const std::string& schema, const std::string& name) const;

  const std::vector<NamePattern>& include_schemas() const { return include_schemas_; }
  const std::vector<NamePattern>& include_tables() const { return include_tables_; }

 private:
  bool everything_ = true;
  std::vector<NamePattern> include_schemas_, exclude_schemas_, include_tables_, exclude_tables_;
};

// The include patterns that selected nothing, each as the option and pattern the user wrote
// (`--schema 'nosuch'`). A schema pattern counts when it matches a schema of the model
// (public always exists), a table pattern when it matches one of its relations.
struct UnmatchedPatterns {
  std::vector<std::string> patterns;
  bool empty() const { return patterns.empty(); }
};

// Keeps only what `filter` selects (see ObjectSelection) and returns the include patterns that
// matched nothing in `m` (--schema patterns only when they have an effect, i.e. without
// --table). Throws PatternError.
UnmatchedPatterns filter_schemas(Model& m, const SchemaFilter& filter);

}  // namespace pgdrift::schema
