// The diff: model x model -> typed changes (engine/changes.h). Pure and deterministic: the
// same two models always give the same changes in the same order (sorted by object key).
#pragma once

#include <string>
#include <vector>

#include "engine/changes.h"
#include "schema/model.h"

namespace pgdrift::engine {

struct DiffOptions {
  bool compare_privileges = false;           // grants are ignored unless asked for
  std::vector<std::string> include_schemas;  // empty = every schema
  std::vector<std::string> exclude_schemas;
};

// Keep only the objects of the selected schemas (and drop grants unless compared).
schema::Model filter_model(const schema::Model& model, const DiffOptions& options);

Changes diff_models(const schema::Model& from, const schema::Model& to,
                    const DiffOptions& options = {});

// One line per change ("alter column public.t.c: type, default"), for messages and tests.
std::vector<std::string> describe_changes(const Changes& changes);

}  // namespace pgdrift::engine
