// Reconcile's live section (docs/reconcile.md "The live section"): which migration of a history
// a live schema matches best, and how far two models are apart. Plain models in, numbers out:
// the CLI replays the histories and reads the database.
#pragma once

#include <string>
#include <vector>

#include "schema/model.h"

namespace pgdrift::engine {

// How far the live model is from a model, in changed objects: each top-level change counts one,
// and every column / constraint / index / trigger / policy change of a table counts one more.
size_t object_distance(const schema::Model& from, const schema::Model& to);

struct MigrationMatch {
  std::string id;
  size_t distance = 0;
};
// The migration whose resulting model (per_migration[i] after ids[i]) is closest to `live`:
// the minimum distance, ties -> the latest. distances holds every migration's distance.
//
// Objects of `live` that one of `others` (the other histories' final models) defines exactly
// as live has them are left out of every distance: another history explains them, so they say
// nothing about how far this history ran. Without that, a history whose later migrations only
// add what another history already made would always seem to have run them.
struct BestMatch {
  std::string id;  // empty when there are no migrations
  size_t distance = 0;
  std::vector<MigrationMatch> distances;
  // Every migration at the minimum distance, in history order (id is the last): the schema
  // alone cannot tell them apart.
  std::vector<std::string> tied;
  // "0004" or "0004..0006" (first..last of `tied`; the ids between them tie unless listed as
  // "0004, 0006").
  std::string tie_text() const;
};
BestMatch best_matching_migration(const std::vector<std::string>& ids,
                                  const std::vector<schema::Model>& per_migration,
                                  const schema::Model& live,
                                  const std::vector<schema::Model>& others = {});

}  // namespace pgdrift::engine
