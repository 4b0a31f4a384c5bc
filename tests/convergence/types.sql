-- Convergence cases. Enum and composite types: values added and removed, a column moved to another
-- enum, a renamed enum.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: enum_value_added
-- from:
CREATE TYPE m AS ENUM ('a', 'c');
CREATE TABLE t (x m);
-- to:
CREATE TYPE m AS ENUM ('a', 'b', 'c');
CREATE TABLE t (x m);
-- statements:
ALTER TYPE public.m ADD VALUE 'b' BEFORE 'c';

-- case: enum_used_by_column_with_default
-- from:
CREATE TYPE m AS ENUM ('a', 'b', 'c');
CREATE TABLE t (x m DEFAULT 'a');
CREATE VIEW v AS SELECT x FROM t;
-- to:
CREATE TYPE m AS ENUM ('a', 'c');
CREATE TABLE t (x m DEFAULT 'a');
CREATE VIEW v AS SELECT x FROM t;
-- hazards: data_loss
-- statements:
DROP VIEW public.v;
ALTER TYPE public.m RENAME TO m__pgdrift_old;
CREATE TYPE public.m AS ENUM ('a', 'c');
ALTER TABLE public.t ALTER COLUMN x TYPE public.m USING x::text::public.m;
DROP TYPE public.m__pgdrift_old;
CREATE VIEW public.v AS

-- case: enum_to_different_enum
-- from:
CREATE TYPE old_s AS ENUM ('a', 'b', 'c');
CREATE TABLE t (s old_s DEFAULT 'a');
-- to:
CREATE TYPE new_s AS ENUM ('a', 'b');
CREATE TABLE t (s new_s DEFAULT 'a');
-- hazards: conversion_may_fail
-- statements:
CREATE TYPE public.new_s AS ENUM ('a', 'b');
ALTER TABLE public.t ALTER COLUMN s TYPE public.new_s USING s::text::public.new_s;
DROP TYPE public.old_s;
ALTER TABLE public.t ALTER COLUMN s SET DEFAULT 'a'::public.new_s;

-- case: enum_type_renamed
-- from:
CREATE TYPE st AS ENUM ('x', 'y');
CREATE TABLE t (s st DEFAULT 'x', u st[]);
CREATE TABLE w (s st);
-- to:
CREATE TYPE status AS ENUM ('x', 'y');
CREATE TABLE t (s status DEFAULT 'x', u status[]);
CREATE TABLE w (s status);
-- hazards: conversion_may_fail
-- statements:
CREATE TYPE public.status AS ENUM ('x', 'y');
ALTER TABLE public.t ALTER COLUMN u TYPE public.status[] USING u::text[]::public.status[];
ALTER TABLE public.w ALTER COLUMN s TYPE public.status USING s::text::public.status;
DROP TYPE public.st;

-- case: composite_type
-- from:
CREATE TYPE pair AS (a int, b text);
-- to:
CREATE TYPE pair AS (a bigint, c text);
-- statements:
ALTER TYPE public.pair ALTER ATTRIBUTE a TYPE bigint, DROP ATTRIBUTE b, ADD ATTRIBUTE c text;
