-- Convergence cases. Schemas and extensions, with the objects that live in or use them.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: schema_and_objects_in_it
-- from:
-- to:
CREATE SCHEMA app;
CREATE TYPE app.s AS ENUM ('x');
CREATE TABLE app.t (id int PRIMARY KEY, s app.s);
CREATE VIEW app.v AS SELECT id FROM app.t;
-- statements:
CREATE SCHEMA app;
CREATE TYPE app.s AS ENUM ('x');
CREATE TABLE app.t (
CREATE VIEW app.v AS

-- case: extension_and_column_of_its_type
-- from:
CREATE TABLE t (id int);
-- to:
CREATE EXTENSION citext;
CREATE TABLE t (id int, email citext);
-- statements:
CREATE EXTENSION citext;
ALTER TABLE public.t ADD COLUMN email public.citext;
