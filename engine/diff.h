// The diff: model x model -> typed changes (engine/changes.h). Pure and deterministic: the
// same two models always give the same changes in the same order (sorted by object key).
#pragma once

#include <string>
#include <vector>

#include "engine/changes.h"
#include "schema/model.h"

namespace pgdrift::engine {

// What the diff compares. Which objects are compared is not an option here: the sources load
// only the selected objects (schema::filter_schemas in schema/filter.h, once per source), so
// every model that reaches the engine is already in scope.
struct DiffOptions {
  bool compare_privileges = false;  // grants are ignored unless asked for
};

// The model as the diff compares it: without its grants unless privileges are compared.
// Fingerprints and plan validation use it, so they see exactly what the diff saw.
schema::Model compared_form(const schema::Model& model, const DiffOptions& options);

// A target as a plan can reach it: every index valid. An INVALID index in a target (read from a
// database where a CREATE INDEX CONCURRENTLY failed) stands for the index it was meant to be;
// no plan builds an INVALID one. The diff compares targets so (an INVALID source index against
// its target is a rebuild, an INVALID target index is no change of its own), and a plan's
// target fingerprint is of this form. has_invalid_index: whether the form differs at all.
schema::Model wanted_form(const schema::Model& target);
bool has_invalid_index(const schema::Model& model);

// The renames the target's annotations ask for (schema::RenamedFrom), tables first: an annotated
// object is renamed when the source has its old name and not its new one; with neither, the
// annotation is ignored (the object is new); with both, std::runtime_error (an annotation left
// behind by a rename already done, next to a new object that reuses the old name: dropping the
// old one is then the user's explicit call, not ours).
std::vector<RenameChange> pair_renames(const schema::Model& from, const schema::Model& to);
// `from` as it is after the renames ran: keys, names, and the references PostgreSQL follows
// by OID (key columns, foreign keys, owned sequences, partition parents). Expression text
// (checks, defaults, index expressions, view queries) keeps the old name: an object whose
// expression names a renamed column or table differs and is rebuilt.
schema::Model apply_renames(const schema::Model& from, const std::vector<RenameChange>& renames);

// The changes point into `from` and `to` (TableChange): both must outlive them. A temporary is
// moved into the changes (Changes::owned_models), so `diff_models(load(a), load(b))` is safe.
Changes diff_models(const schema::Model& from, const schema::Model& to,
                    const DiffOptions& options = {});
Changes diff_models(schema::Model&& from, const schema::Model& to, const DiffOptions& options = {});
Changes diff_models(const schema::Model& from, schema::Model&& to, const DiffOptions& options = {});
Changes diff_models(schema::Model&& from, schema::Model&& to, const DiffOptions& options = {});

// One line per change ("alter column public.t.c: type, default"), for messages and tests.
std::vector<std::string> describe_changes(const Changes& changes);

}  // namespace pgdrift::engine
