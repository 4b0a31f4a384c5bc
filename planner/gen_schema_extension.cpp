// Schemas and extensions.
#include "planner/generators.h"
#include "schema/canonical.h"
#include "schema/render.h"

namespace pgdrift::planner {

using engine::ChangeKind;
using schema::quote_ident;

void gen_schemas(Context& ctx, const std::vector<engine::SchemaChange>& changes) {
  for (const auto& c : changes) {
    std::string name = quote_ident(c.key);
    if (c.kind == ChangeKind::Add) {
      Step s = make_step("schema", name, ChangeKind::Add, kCreateSchema,
                         schema::render_create_schema(*c.to));
      s.provides = {schema_key(c.key)};
      ctx.add(s);
    } else if (c.kind == ChangeKind::Drop) {
      // No CASCADE: every object in the schema is dropped by its own step first.
      Step s =
          make_step("schema", name, ChangeKind::Drop, kDropSchema, "DROP SCHEMA " + name + ";");
      s.removes = {schema_key(c.key)};
      ctx.add(s);
    }
  }
}

void gen_extensions(Context& ctx, const std::vector<engine::ExtensionChange>& changes) {
  for (const auto& c : changes) {
    std::string name = quote_ident(c.key);
    if (c.kind == ChangeKind::Add) {
      Step s = make_step("extension", name, ChangeKind::Add, kExtension,
                         schema::render_create_extension(*c.to));
      s.provides = {"extension:" + c.key};
      if (!c.to->schema.empty()) s.needs = {schema_key(c.to->schema)};
      s.hazards = {Hazard::UntrackedDependencies};
      s.note = "an extension creates objects the plan does not list";
      ctx.add(s);
    } else if (c.kind == ChangeKind::Drop) {
      Step s = make_step("extension", name, ChangeKind::Drop, kDropExtension,
                         "DROP EXTENSION " + name + ";");
      s.removes = {"extension:" + c.key};
      if (!c.from->schema.empty()) s.releases = {schema_key(c.from->schema)};
      s.hazards = {Hazard::DataLoss, Hazard::UntrackedDependencies};
      ctx.add(s);
    } else {
      if (c.from->schema != c.to->schema && !c.to->schema.empty()) {
        Step s =
            make_step("extension", name, ChangeKind::Alter, kExtension,
                      "ALTER EXTENSION " + name + " SET SCHEMA " + quote_ident(c.to->schema) + ";");
        s.needs = {schema_key(c.to->schema)};
        s.provides = {"extension:" + c.key};
        s.hazards = {Hazard::UntrackedDependencies};
        ctx.add(s);
      }
      if (c.from->version != c.to->version && !c.to->version.empty()) {
        Step s = make_step(
            "extension", name, ChangeKind::Alter, kExtension,
            "ALTER EXTENSION " + name + " UPDATE TO " + schema::quote_literal(c.to->version) + ";");
        s.provides = {"extension:" + c.key};
        s.hazards = {Hazard::UntrackedDependencies};
        ctx.add(s);
      }
    }
  }
}

}  // namespace pgdrift::planner
