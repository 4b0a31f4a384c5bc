#include "tests/support/drift_samples.h"

#include "engine/ignore_rules.h"

namespace pgdrift::testing {

schema::IndexKey index_key(const std::string& column) {
  schema::IndexKey k;
  k.column = column;
  return k;
}

schema::Column column(const std::string& name, const std::string& type, bool not_null, int line) {
  schema::Column c;
  c.name = name;
  c.type = type;
  c.not_null = not_null;
  c.location = {"schema/expenses.sql", line};
  return c;
}

schema::Model expenses_model() {
  schema::Model m;
  schema::Table t;
  t.schema = "public";
  t.name = "expenses";
  t.location = {"schema/expenses.sql", 3};
  t.columns = {column("id", "uuid", true, 4), column("amount", "numeric(12,2)", true, 5),
               column("user_id", "uuid", true, 6)};
  schema::Constraint pk;
  pk.name = "expenses_pkey";
  pk.kind = schema::ConstraintKind::PrimaryKey;
  pk.columns = {"id"};
  pk.location = {"schema/expenses.sql", 4};
  t.constraints[pk.name] = pk;
  schema::Constraint fk;
  fk.name = "expenses_user_id_fkey";
  fk.kind = schema::ConstraintKind::ForeignKey;
  fk.columns = {"user_id"};
  fk.foreign_key = schema::ForeignKey{};
  fk.foreign_key->ref_table = "public.users";
  fk.foreign_key->ref_columns = {"id"};
  fk.location = {"schema/expenses.sql", 6};
  t.constraints[fk.name] = fk;
  schema::Index idx;
  idx.name = "expenses_user_idx";
  idx.keys = {index_key("user_id")};
  idx.location = {"schema/expenses.sql", 9};
  t.indexes[idx.name] = idx;
  m.tables["public.expenses"] = t;
  schema::EnumType mood;
  mood.schema = "public";
  mood.name = "mood";
  mood.values = {"sad", "ok", "happy"};
  mood.location = {"schema/types.sql", 1};
  m.enums["public.mood"] = mood;
  return m;
}

schema::Table& expenses(schema::Model& m) { return m.tables.at("public.expenses"); }

engine::DriftReport sample_report() {
  schema::Model live = expenses_model();
  auto& t = expenses(live);
  t.find_column("amount")->type = "double precision";
  t.constraints.erase("expenses_user_id_fkey");
  schema::Index extra;
  extra.name = "expenses_amount_idx";
  extra.keys = {index_key("amount")};
  t.indexes[extra.name] = extra;
  live.tables["public.legacy"] = schema::Table{};
  live.tables["public.legacy"].schema = "public";
  live.tables["public.legacy"].name = "legacy";
  engine::DriftReport report;
  report.desired = "schema/";
  report.databases.push_back(engine::compute_drift(expenses_model(), live));
  report.databases[0].label = "prod <&> \"eu\"";
  engine::attach_fix_steps(report.databases[0],
                           {{"column",
                             "public.expenses.amount",
                             {"ALTER TABLE public.expenses ALTER COLUMN amount TYPE numeric(12,2);",
                              {"table_rewrite", "access_exclusive_lock"}}}});
  engine::apply_ignore_rules(report.databases[0],
                             engine::parse_ignore_rules("table:public.legacy\n", "r"));
  engine::DatabaseDrift clean = engine::compute_drift(expenses_model(), expenses_model());
  clean.label = "staging";
  clean.target_index = 1;
  report.databases.push_back(clean);
  engine::DatabaseDrift broken;
  broken.label = "host=db3 user=app password=***";
  broken.error = "connection refused";
  broken.target_index = 2;
  report.databases.push_back(broken);
  return report;
}

}  // namespace pgdrift::testing
