-- Convergence cases. Collations (CREATE COLLATION): libc and ICU providers, the columns,
-- indexes and domains whose COLLATE clauses name them, re-creation (there is no ALTER for what
-- defines a collation) and comments.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: collation_added_for_a_column
-- from:
CREATE TABLE t (name text);
-- to:
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE t (name text COLLATE ci);
-- hazards: access_exclusive_lock
-- statements:
CREATE COLLATION public.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
ALTER COLUMN name TYPE text COLLATE public.ci
-- check_after:
SELECT count(*) FROM (SELECT 'A' COLLATE ci = 'a' AS same) q WHERE NOT same;

-- case: collation_libc_spellings
-- from:
-- to:
CREATE COLLATION c_copy FROM "C";
CREATE COLLATION split (lc_collate = 'C', lc_ctype = 'POSIX');
CREATE COLLATION plain (locale = 'POSIX');
COMMENT ON COLLATION plain IS 'byte order';
-- statements:
CREATE COLLATION public.c_copy (provider = libc, locale = 'C');
CREATE COLLATION public.split (provider = libc, lc_collate = 'C', lc_ctype = 'POSIX');
CREATE COLLATION public.plain (provider = libc, locale = 'POSIX');
COMMENT ON COLLATION public.plain IS 'byte order';

-- case: collation_dropped_after_its_column
-- from:
CREATE COLLATION bytes (locale = 'C');
CREATE TABLE t (name text COLLATE bytes, code text);
CREATE INDEX t_code ON t (code COLLATE bytes);
-- to:
CREATE TABLE t (name text, code text);
-- hazards: access_exclusive_lock
-- statements:
DROP INDEX CONCURRENTLY IF EXISTS public.t_code;
ALTER COLUMN name TYPE text
DROP COLLATION public.bytes;

-- case: collation_changed_is_recreated_with_comment
-- from:
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
COMMENT ON COLLATION ci IS 'case-insensitive';
-- to:
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
COMMENT ON COLLATION ci IS 'case-insensitive';
-- hazards: untracked_dependencies
-- statements:
DROP COLLATION public.ci;
CREATE COLLATION public.ci (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
COMMENT ON COLLATION public.ci IS 'case-insensitive';

-- case: collation_used_by_index_and_domain
-- from:
CREATE TABLE t (name text);
-- to:
CREATE COLLATION bytes (locale = 'C');
CREATE DOMAIN code AS text COLLATE bytes;
CREATE TABLE t (name text, c code);
CREATE INDEX t_name ON t (name COLLATE bytes);
-- statements:
CREATE COLLATION public.bytes (provider = libc, locale = 'C');
CREATE DOMAIN public.code AS text COLLATE public.bytes
CREATE INDEX CONCURRENTLY t_name ON public.t (name COLLATE public.bytes);

-- case: collation_quoted_names
-- from:
CREATE SCHEMA "Coll S";
-- to:
CREATE SCHEMA "Coll S";
CREATE COLLATION "Coll S"."My Coll" (locale = 'C');
CREATE TABLE "Coll S".t ("Name" text COLLATE "Coll S"."My Coll");
COMMENT ON COLLATION "Coll S"."My Coll" IS 'quoted';
-- statements:
CREATE COLLATION "Coll S"."My Coll" (provider = libc, locale = 'C');
"Name" text COLLATE "Coll S"."My Coll"
COMMENT ON COLLATION "Coll S"."My Coll" IS 'quoted';
