// Hand-built models and a drift report shared by the drift tests (unit: entries and renderers;
// integration: the JUnit and SARIF files checked by external parsers).
#pragma once

#include <string>

#include "engine/drift.h"
#include "schema/model.h"

namespace pgdrift::testing {

schema::IndexKey index_key(const std::string& column);

// A column located in schema/expenses.sql at `line`.
schema::Column column(const std::string& name, const std::string& type, bool not_null = false,
                      int line = 0);

// public.expenses (id, amount numeric(12,2), user_id uuid) with a primary key, an FK, an index;
// and the enum public.mood. Every object has a source location.
schema::Model expenses_model();
schema::Table& expenses(schema::Model& m);

// Three databases: "prod <&> \"eu\"" (a retyped column with a fix step, a missing FK, an extra
// index, an ignored extra table), "staging" (clean) and one that could not be read.
engine::DriftReport sample_report();

}  // namespace pgdrift::testing
