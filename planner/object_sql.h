// How the planner writes an object the diff names by ObjectRef (engine/changes.h): its name
// in COMMENT ON and GRANT ... ON, and its ordering key (planner/graph.cpp). One place for
// both, used by the comment and grant generators and by what a re-created object gets back.
#pragma once

#include <string>

#include "engine/changes.h"
#include "schema/model.h"

namespace pgdrift::planner {

// "TABLE public.t", "COLUMN public.t.c", "CONSTRAINT c ON DOMAIN public.d",
// "FUNCTION public.f(integer)", ... `model` holds the object (functions are looked up in it).
std::string comment_target(const engine::ObjectRef& object, const schema::Model& model);
// GRANT ... ON: "TABLE public.v" for views and columns too, "SEQUENCE public.s", "SCHEMA app".
std::string grant_target(const engine::ObjectRef& object, const schema::Model& model);
// "table:public.t", "column:public.t.c", "view:public.v" (also for a view's columns),
// "type:public.d" (enums, composite types, domains and their checks), "function:public.f".
std::string dependency_key(const engine::ObjectRef& object, const schema::Model& model);

}  // namespace pgdrift::planner
