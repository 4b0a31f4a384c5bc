// JSON form of the model (docs/json-model.md). Keys and objects are sorted, optional and
// default-valued fields are omitted, so equal models always give byte-identical JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "schema/model.h"

namespace pgdrift::schema {

// `with_provenance` adds each object's source location ("location": "file:line").
nlohmann::json model_to_json(const Model& model, bool with_provenance = false);
// The JSON of one object, exactly as model_to_json writes it (without provenance): drift
// reports the attributes of a changed object by these paths.
nlohmann::json object_to_json(const Namespace& n);
nlohmann::json object_to_json(const Extension& e);
nlohmann::json object_to_json(const Table& t);
nlohmann::json object_to_json(const View& v);
nlohmann::json object_to_json(const Sequence& s);
nlohmann::json object_to_json(const EnumType& e);
nlohmann::json object_to_json(const CompositeType& c);
nlohmann::json object_to_json(const Domain& d);
nlohmann::json object_to_json(const Function& f);
nlohmann::json object_to_json(const Aggregate& a);
nlohmann::json object_to_json(const Collation& c);
nlohmann::json object_to_json(const Column& c);
nlohmann::json object_to_json(const Constraint& c);
nlohmann::json object_to_json(const Index& i);
nlohmann::json object_to_json(const Trigger& t);
nlohmann::json object_to_json(const Policy& p);
nlohmann::json object_to_json(const std::vector<Grant>& grants);  // an array
// Inverse of model_to_json; throws std::runtime_error naming the JSON path on bad input, also
// for a type that names no type (schema::undefined_type): `invalid pgdrift model JSON at
// $.tables["public.t"].columns[2].type: unknown type "uuuid" ...`. Without
// `check_type_references`, for a model pgdrift wrote itself from a database (apply's record of
// its source, which rollback reads back): its types are the database's.
Model model_from_json(const nlohmann::json& json, bool check_type_references = true);
// model_to_json(...).dump(2) + "\n"
std::string dump_model_json(const Model& model, bool with_provenance = false);
// Read a .json model file.
Model load_model_json_file(const std::string& path);

// JSON text as every pgdrift reader takes it (models, plans, resolutions files). nlohmann
// parses any depth without recursing, but copying, comparing and printing a value recurse, so
// text nesting arrays and objects deeper than kMaxJsonDepth is refused before parsing (the
// readers' formats need fewer than 20 levels). Throws std::runtime_error "FILE:LINE:COLUMN:
// message" (column in characters) for that and for text that is not JSON.
inline constexpr int kMaxJsonDepth = 512;
nlohmann::json parse_json_text(const std::string& text, const std::string& filename);

}  // namespace pgdrift::schema
