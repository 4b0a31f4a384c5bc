// JSON form of the model (docs/json-model.md). Keys and objects are sorted, optional and
// default-valued fields are omitted, so equal models always give byte-identical JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "schema/model.h"

namespace pgdrift::schema {

// `with_provenance` adds each object's source location ("location": "file:line").
nlohmann::json model_to_json(const Model& model, bool with_provenance = false);
// Inverse of model_to_json; throws std::runtime_error naming the JSON path on bad input.
Model model_from_json(const nlohmann::json& json);
// model_to_json(...).dump(2) + "\n"
std::string dump_model_json(const Model& model, bool with_provenance = false);
// Read a .json model file.
Model load_model_json_file(const std::string& path);

}  // namespace pgdrift::schema
