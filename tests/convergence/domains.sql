-- Convergence cases. Domains: constraints, defaults, and a new base type under columns and a view.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: domain
-- from:
CREATE DOMAIN pos AS int CHECK (VALUE > 0);
-- to:
CREATE DOMAIN pos AS int DEFAULT 1 NOT NULL CONSTRAINT pos_small CHECK (VALUE < 100);
-- statements:
ALTER DOMAIN public.pos DROP CONSTRAINT pos_check;
ALTER DOMAIN public.pos SET DEFAULT 1;
ALTER DOMAIN public.pos SET NOT NULL;
ALTER DOMAIN public.pos ADD CONSTRAINT pos_small CHECK (value < 100) NOT VALID;

-- case: domain_base_type_with_columns_and_view
-- from:
CREATE DOMAIN d AS int;
CREATE TABLE t (x d DEFAULT 1);
CREATE VIEW v AS SELECT x FROM t;
-- to:
CREATE DOMAIN d AS bigint CHECK (VALUE > 0);
CREATE TABLE t (x d DEFAULT 1);
CREATE VIEW v AS SELECT x FROM t;
-- hazards: conversion_may_fail
-- statements:
DROP DOMAIN public.d;
CREATE DOMAIN public.d AS bigint CONSTRAINT d_check CHECK (value > 0);
ALTER TABLE public.t ALTER COLUMN x TYPE public.d USING x::bigint::public.d;
ALTER TABLE public.t ALTER COLUMN x SET DEFAULT 1;
