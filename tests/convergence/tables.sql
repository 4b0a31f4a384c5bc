-- Convergence cases. Tables as a whole: created and dropped, options, storage parameters
-- (partitioned tables: partitions.sql).
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: create_and_drop_table
-- from:
-- to:
CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL);
-- statements:
CREATE TABLE public.t (
CONSTRAINT t_pkey PRIMARY KEY (id)

-- case: table_options_and_unlogged
-- from:
CREATE TABLE t (a int);
-- to:
CREATE UNLOGGED TABLE t (a int) WITH (fillfactor = 70);
-- hazards: table_rewrite
-- statements:
ALTER TABLE public.t SET (fillfactor = 70);
ALTER TABLE public.t SET UNLOGGED;

-- case: table_storage_parameters
-- from:
CREATE TABLE t (a int) WITH (fillfactor = 70, autovacuum_enabled = false);
-- to:
CREATE TABLE t (a int) WITH (fillfactor = 80, parallel_workers = 2);
-- statements:
ALTER TABLE public.t RESET (autovacuum_enabled);
ALTER TABLE public.t SET (fillfactor = 80, parallel_workers = 2);
