-- Convergence cases. Columns: added and dropped, retyped (with and without a rewrite), nullability,
-- defaults (volatile ones on tables with rows), identity, serial, generated, collation.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: add_and_drop_column
-- from:
CREATE TABLE t (id int);
-- to:
CREATE TABLE t (id int, note text DEFAULT 'x', n int NOT NULL DEFAULT 0);
-- hazards: access_exclusive_lock
-- statements:
ALTER TABLE public.t ADD COLUMN note text DEFAULT 'x';
ALTER TABLE public.t ADD COLUMN n integer DEFAULT 0 NOT NULL;

-- case: widen_varchar_no_rewrite
-- from:
CREATE TABLE t (c varchar(10));
-- to:
CREATE TABLE t (c varchar(20));
-- hazards: access_exclusive_lock
-- statements:
ALTER TABLE public.t ALTER COLUMN c TYPE character varying(20);

-- case: text_to_uuid
-- from:
CREATE TABLE t (c text);
-- to:
CREATE TABLE t (c uuid);
-- hazards: conversion_may_fail table_rewrite
-- statements:
ALTER TABLE public.t ALTER COLUMN c TYPE uuid USING c::uuid;

-- case: double_to_numeric
-- from:
CREATE TABLE t (c double precision);
-- to:
CREATE TABLE t (c numeric(12,2));
-- hazards: precision_loss
-- statements:
ALTER TABLE public.t ALTER COLUMN c TYPE numeric(12,2);

-- case: nullability_and_default
-- from:
CREATE TABLE t (c int);
-- to:
CREATE TABLE t (c int NOT NULL DEFAULT 5);
-- hazards: validation_scan
-- statements:
ALTER TABLE public.t ADD CONSTRAINT c_not_null_pgdrift CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE public.t VALIDATE CONSTRAINT c_not_null_pgdrift;
ALTER TABLE public.t ALTER COLUMN c SET NOT NULL;
ALTER TABLE public.t ALTER COLUMN c SET DEFAULT 5;

-- case: numeric_defaults_keep_their_scale
-- A numeric constant keeps the scale it is written with: 20, 20.0 and 20.00 are stored and
-- printed apart (and an unconstrained numeric column returns them apart), so they differ.
-- from:
CREATE TABLE t (a numeric DEFAULT 20, b numeric(5,2) DEFAULT 0.0, c float DEFAULT -3.10,
                d numeric DEFAULT .5);
-- to:
CREATE TABLE t (a numeric DEFAULT 20.0, b numeric(5,2) DEFAULT 0.00, c float DEFAULT -3.1,
                d numeric DEFAULT 0.5);
-- statements:
ALTER TABLE public.t ALTER COLUMN a SET DEFAULT 20.0;
ALTER TABLE public.t ALTER COLUMN b SET DEFAULT 0.00;
-- check_after:
SELECT count(*) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
 WHERE d.adrelid = 't'::regclass
   AND pg_get_expr(d.adbin, d.adrelid) NOT IN ('20.0', '0.00', '''-3.1''::numeric', '0.5');

-- case: interval_defaults_as_interval_out
-- An interval constant is stored as its value: '1 hour' is '01:00:00', '2 weeks' is '14 days',
-- '90'::interval minute is '01:30:00' (the fields applied). Equal values written differently
-- need no step; a changed value does.
-- from:
CREATE TABLE t (a interval DEFAULT '1 hour', b interval DEFAULT '2 weeks',
                c timestamptz DEFAULT now() + interval '1 day 2 hours',
                d interval minute DEFAULT '90'::interval minute, e interval DEFAULT '36 hours');
-- to:
CREATE TABLE t (a interval DEFAULT '60 minutes', b interval DEFAULT '14 days',
                c timestamptz DEFAULT now() + '26:00:00'::interval,
                d interval minute DEFAULT '01:30:59', e interval DEFAULT '1.5 days');
-- statements:
ALTER TABLE public.t ALTER COLUMN c SET DEFAULT now() + '26:00:00'::interval;
ALTER TABLE public.t ALTER COLUMN e SET DEFAULT '1 day 12:00:00'::interval;
-- check_after:
SELECT count(*) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
 WHERE d.adrelid = 't'::regclass AND a.attname = 'e'
   AND pg_get_expr(d.adbin, d.adrelid) <> '''1 day 12:00:00''::interval';

-- case: identity_column
-- from:
CREATE TABLE t (id int NOT NULL);
-- to:
CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY);
-- statements:
ALTER TABLE public.t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY

-- case: serial_column
-- from:
CREATE TABLE t (x int);
-- to:
CREATE TABLE t (x int, id serial);
-- statements:
CREATE SEQUENCE public.t_id_seq AS integer;
ALTER TABLE public.t ALTER COLUMN id SET DEFAULT nextval('t_id_seq');
ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;

-- case: serial_column_added_with_rows
-- from:
CREATE TABLE t (x int);
INSERT INTO t SELECT generate_series(1, 30);
-- to:
CREATE TABLE t (x int, id serial);
-- hazards: backfill
-- statements:
ALTER TABLE public.t ADD COLUMN id integer;
UPDATE public.t SET id = nextval('t_id_seq') WHERE id IS NULL;
ALTER TABLE public.t ALTER COLUMN id SET NOT NULL;
-- check_after:
SELECT (SELECT count(*) FROM t WHERE id IS NULL)
  + (SELECT count(*) - count(DISTINCT id) FROM t)

-- case: generated_columns
-- from:
CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a + 1) STORED);
-- to:
CREATE TABLE t (
  a int,
  g int GENERATED ALWAYS AS (a * 2) STORED,
  h bigint GENERATED ALWAYS AS (a) STORED
);
-- hazards: table_rewrite
-- statements:
ALTER TABLE public.t DROP COLUMN g;
ALTER TABLE public.t ADD COLUMN g integer GENERATED ALWAYS AS (a * 2) STORED;
ALTER TABLE public.t ADD COLUMN h bigint GENERATED ALWAYS AS (a) STORED;

-- case: column_collation
-- from:
CREATE TABLE t (c text, d varchar(5));
-- to:
CREATE TABLE t (c text COLLATE "C", d varchar(5) COLLATE "POSIX");
-- hazards: access_exclusive_lock
-- statements:
ALTER TABLE public.t ALTER COLUMN c TYPE text COLLATE "C";
ALTER TABLE public.t ALTER COLUMN d TYPE character varying(5) COLLATE "POSIX";

-- case: default_at_time_zone
-- from:
CREATE TABLE e (id int);
-- to:
CREATE TABLE e (id int, at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'));
-- statements:
ALTER TABLE public.e ADD COLUMN at timestamp without time zone DEFAULT (now() AT TIME ZONE 'utc') NOT NULL;

-- case: volatile_defaults_added_online_with_rows
-- Volatile defaults on a table with rows: online, the column is added bare, the default set and the
-- rows backfilled (each row its own value); offline, one rewriting ADD. The table has no key to
-- page by, so each backfill is one UPDATE.
-- from:
CREATE TABLE t (id int);
INSERT INTO t SELECT generate_series(1, 50);
-- to:
CREATE TABLE t (
  id int,
  created_at timestamptz DEFAULT clock_timestamp(),
  token uuid DEFAULT gen_random_uuid(),
  r double precision DEFAULT random()
);
-- hazards: backfill
-- statements:
ALTER TABLE public.t ADD COLUMN token uuid;
ALTER TABLE public.t ALTER COLUMN token SET DEFAULT gen_random_uuid();
UPDATE public.t SET token = gen_random_uuid() WHERE token IS NULL;
UPDATE public.t SET created_at = clock_timestamp() WHERE created_at IS NULL;
UPDATE public.t SET r = random() WHERE r IS NULL;
-- check_after:
SELECT (SELECT count(*) FROM t WHERE created_at IS NULL OR token IS NULL OR r IS NULL)
  + (SELECT count(*) - count(DISTINCT token) FROM t)
  + (SELECT 50 - count(*) FROM t)

-- case: volatile_defaults_added_offline_with_rows
-- from:
CREATE TABLE t (id int);
INSERT INTO t SELECT generate_series(1, 50);
-- to:
CREATE TABLE t (
  id int,
  created_at timestamptz DEFAULT clock_timestamp(),
  token uuid DEFAULT gen_random_uuid()
);
-- hazards: table_rewrite
-- statements:
ALTER TABLE public.t ADD COLUMN created_at timestamp with time zone DEFAULT clock_timestamp();
ALTER TABLE public.t ADD COLUMN token uuid DEFAULT gen_random_uuid();
-- options: offline
-- check_after:
SELECT (SELECT count(*) FROM t WHERE created_at IS NULL OR token IS NULL)
  + (SELECT count(*) - count(DISTINCT token) FROM t)

-- case: volatile_default_not_null_online_with_rows
-- from:
CREATE TABLE t (id int);
INSERT INTO t SELECT generate_series(1, 50);
-- to:
CREATE TABLE t (id int, token uuid NOT NULL DEFAULT gen_random_uuid());
-- hazards: backfill validation_scan
-- statements:
ALTER TABLE public.t ADD COLUMN token uuid;
UPDATE public.t SET token = gen_random_uuid() WHERE token IS NULL;
ALTER TABLE public.t ADD CONSTRAINT token_not_null_pgdrift CHECK (token IS NOT NULL) NOT VALID;
ALTER TABLE public.t ALTER COLUMN token SET NOT NULL;
-- check_after:
SELECT (SELECT count(*) - count(DISTINCT token) FROM t)
  + (SELECT 50 - count(*) FROM t)

-- case: volatile_defaults_backfilled_in_batches_by_primary_key
-- A table with a primary key is backfilled in batches of 10000 rows (the default) by key, one
-- transaction each: rows updated in one transaction share their xmin.
-- from:
CREATE TABLE t (id int PRIMARY KEY, v int);
INSERT INTO t SELECT g, g FROM generate_series(1, 20001) g;
-- to:
CREATE TABLE t (
  id int PRIMARY KEY,
  v int,
  token uuid DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- hazards: backfill validation_scan
-- statements:
ALTER TABLE public.t ADD COLUMN token uuid;
ALTER TABLE public.t ALTER COLUMN token SET DEFAULT gen_random_uuid();
DO $pgdrift$
SELECT id FROM public.t WHERE id > pgdrift_last_1 ORDER BY id LIMIT 10000
UPDATE public.t AS pgdrift_row SET token = gen_random_uuid() FROM pgdrift_batch
UPDATE public.t AS pgdrift_row SET created_at = clock_timestamp() FROM pgdrift_batch
ALTER TABLE public.t ADD CONSTRAINT created_at_not_null_pgdrift CHECK (created_at IS NOT NULL) NOT VALID;
ALTER TABLE public.t ALTER COLUMN created_at SET NOT NULL;
-- check_after:
SELECT (SELECT count(*) FROM t WHERE token IS NULL OR created_at IS NULL)
  + (SELECT count(*) - count(DISTINCT token) FROM t)
  + (SELECT 20001 - count(*) FROM t)
  + (SELECT CASE WHEN count(DISTINCT xmin::text) >= 3 THEN 0 ELSE 1 END FROM t)

-- case: volatile_default_backfilled_in_batches_by_composite_quoted_key
-- A composite key pages by row comparison, (k1, k2) > (last k1, last k2): a batch boundary falls
-- inside one order's lines. Quoted table and column names; a key column named like a PL/pgSQL
-- keyword.
-- from:
CREATE TABLE "Order Items" ("Order Id" int, loop int, qty int, PRIMARY KEY ("Order Id", loop));
INSERT INTO "Order Items" SELECT g / 3, g % 3, g FROM generate_series(1, 20001) g;
-- to:
CREATE TABLE "Order Items" (
  "Order Id" int,
  loop int,
  qty int,
  "Picked At" timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY ("Order Id", loop)
);
-- hazards: backfill validation_scan
-- statements:
ALTER TABLE public."Order Items" ADD COLUMN "Picked At" timestamp with time zone;
pgdrift_last_2 "public"."Order Items"."loop"%TYPE;
SELECT "Order Id", loop FROM public."Order Items" WHERE ("Order Id", loop) > (pgdrift_last_1, pgdrift_last_2) ORDER BY "Order Id", loop LIMIT 10000
UPDATE public."Order Items" AS pgdrift_row SET "Picked At" = clock_timestamp() FROM pgdrift_batch
ALTER TABLE public."Order Items" ALTER COLUMN "Picked At" SET NOT NULL;
-- check_after:
SELECT (SELECT count(*) FROM "Order Items" WHERE "Picked At" IS NULL)
  + (SELECT 20001 - count(*) FROM "Order Items")
  + (SELECT CASE WHEN count(DISTINCT xmin::text) >= 3 THEN 0 ELSE 1 END FROM "Order Items")

-- case: interrupted_backfill_finished_before_not_null
-- What an interrupted online ADD COLUMN with a volatile default leaves (the column nullable with
-- its default, some rows still NULL): the plan to the same target fills those rows, then sets
-- NOT NULL.
-- from:
CREATE TABLE t (id int PRIMARY KEY, token uuid DEFAULT gen_random_uuid());
INSERT INTO t (id) SELECT generate_series(1, 100);
INSERT INTO t (id, token) SELECT g, NULL FROM generate_series(101, 150) g;
-- to:
CREATE TABLE t (id int PRIMARY KEY, token uuid NOT NULL DEFAULT gen_random_uuid());
-- hazards: backfill validation_scan
-- statements:
UPDATE public.t AS pgdrift_row SET token = gen_random_uuid() FROM pgdrift_batch
ALTER TABLE public.t ADD CONSTRAINT token_not_null_pgdrift CHECK (token IS NOT NULL) NOT VALID;
ALTER TABLE public.t ALTER COLUMN token SET NOT NULL;
-- check_after:
SELECT (SELECT count(*) - count(DISTINCT token) FROM t)
  + (SELECT 150 - count(*) FROM t)

-- case: volatile_default_not_null_offline_with_rows
-- from:
CREATE TABLE t (id int);
INSERT INTO t SELECT generate_series(1, 50);
-- to:
CREATE TABLE t (id int, token uuid NOT NULL DEFAULT gen_random_uuid());
-- hazards: table_rewrite
-- statements:
ALTER TABLE public.t ADD COLUMN token uuid DEFAULT gen_random_uuid() NOT NULL;
-- options: offline
-- check_after:
SELECT count(*) - count(DISTINCT token) FROM t

-- case: type_change_with_dependent_views
-- from:
CREATE TABLE t (a int, b text);
CREATE VIEW v AS SELECT a, b FROM t;
CREATE VIEW w AS SELECT a FROM v WHERE a > 1;
-- to:
CREATE TABLE t (a bigint, b text);
CREATE VIEW v AS SELECT a, b FROM t;
CREATE VIEW w AS SELECT a FROM v WHERE a > 1;
-- hazards: table_rewrite
-- statements:
DROP VIEW public.w;
DROP VIEW public.v;
ALTER TABLE public.t ALTER COLUMN a TYPE bigint;
CREATE VIEW public.v AS
CREATE VIEW public.w AS

-- case: retyped_column_read_by_policy_trigger_and_generated_column
-- from:
CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';
CREATE TABLE t (a int, b int, o int, g int GENERATED ALWAYS AS (a + 1) STORED);
COMMENT ON COLUMN t.g IS 'derived';
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON t USING (o > 0);
CREATE TRIGGER tw BEFORE UPDATE ON t FOR EACH ROW WHEN (new.a > 0) EXECUTE FUNCTION tf();
CREATE TRIGGER tu BEFORE UPDATE OF b ON t FOR EACH ROW EXECUTE FUNCTION tf();
-- to:
CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';
CREATE TABLE t (a bigint, b text, o bigint, g int GENERATED ALWAYS AS (a + 1) STORED);
COMMENT ON COLUMN t.g IS 'derived';
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON t USING (o > 0);
CREATE TRIGGER tw BEFORE UPDATE ON t FOR EACH ROW WHEN (new.a > 0) EXECUTE FUNCTION tf();
CREATE TRIGGER tu BEFORE UPDATE OF b ON t FOR EACH ROW EXECUTE FUNCTION tf();
-- hazards: table_rewrite authz
-- statements:
DROP POLICY IF EXISTS p ON public.t;
DROP TRIGGER IF EXISTS tw ON public.t;
ALTER TABLE public.t ALTER COLUMN a TYPE bigint;
ALTER TABLE public.t ADD COLUMN g integer GENERATED ALWAYS AS (a + 1) STORED;
CREATE TRIGGER tw BEFORE UPDATE ON public.t FOR EACH ROW WHEN (new.a > 0) EXECUTE FUNCTION public.tf();
COMMENT ON COLUMN public.t.g IS 'derived';
