-- Convergence cases. Owners (ALTER ... OWNER TO, CREATE SCHEMA ... AUTHORIZATION): compared and
-- planned with the privileges option, and only where the target declares an owner.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: owners_declared
-- from:
CREATE SCHEMA app;
CREATE TABLE t (id serial, a int);
GRANT SELECT ON t TO app_ro;
CREATE VIEW v AS SELECT a FROM t;
CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;
CREATE SEQUENCE s;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';
CREATE TYPE mood AS ENUM ('ok');
CREATE TYPE pair AS (x int, y int);
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
-- to:
CREATE SCHEMA app AUTHORIZATION app_owner;
CREATE TABLE t (id serial, a int);
GRANT SELECT ON t TO app_ro;
ALTER TABLE t OWNER TO app_owner;
CREATE VIEW v AS SELECT a FROM t;
ALTER VIEW v OWNER TO app_owner;
CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;
ALTER MATERIALIZED VIEW mv OWNER TO app_rw;
CREATE SEQUENCE s;
ALTER SEQUENCE s OWNER TO app_rw;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER FUNCTION f() OWNER TO app_owner;
CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';
ALTER PROCEDURE p() OWNER TO app_owner;
CREATE TYPE mood AS ENUM ('ok');
ALTER TYPE mood OWNER TO app_owner;
CREATE TYPE pair AS (x int, y int);
ALTER TYPE pair OWNER TO app_owner;
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
ALTER DOMAIN posint OWNER TO "Mixed Role";
CREATE TABLE created (a int);
ALTER TABLE created OWNER TO app_owner;
-- hazards: authz
-- statements:
ALTER SCHEMA app OWNER TO app_owner;
ALTER TABLE public.t OWNER TO app_owner;
ALTER VIEW public.v OWNER TO app_owner;
ALTER MATERIALIZED VIEW public.mv OWNER TO app_rw;
ALTER SEQUENCE public.s OWNER TO app_rw;
ALTER FUNCTION public.f() OWNER TO app_owner;
ALTER PROCEDURE public.p() OWNER TO app_owner;
ALTER TYPE public.mood OWNER TO app_owner;
ALTER TYPE public.pair OWNER TO app_owner;
ALTER DOMAIN public.posint OWNER TO "Mixed Role";
ALTER TABLE public.created OWNER TO app_owner;
-- options: privileges

-- case: recreated_objects_keep_their_owner
-- A view re-created around a column type change, a function whose return type changes and a
-- table whose partitioning changes come back with their owner.
-- from:
CREATE TABLE t (id int, amount int);
CREATE VIEW v AS SELECT id, amount FROM t;
ALTER VIEW v OWNER TO app_owner;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER FUNCTION f() OWNER TO app_owner;
CREATE TABLE p (id int, v text) PARTITION BY RANGE (id);
ALTER TABLE p OWNER TO app_owner;
GRANT SELECT ON p TO app_ro;
-- to:
CREATE TABLE t (id int, amount bigint);
CREATE VIEW v AS SELECT id, amount FROM t;
ALTER VIEW v OWNER TO app_owner;
CREATE FUNCTION f() RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint';
ALTER FUNCTION f() OWNER TO app_owner;
CREATE TABLE p (id int, v text) PARTITION BY LIST (v);
ALTER TABLE p OWNER TO app_owner;
GRANT SELECT ON p TO app_ro;
-- statements:
ALTER VIEW public.v OWNER TO app_owner;
ALTER FUNCTION public.f() OWNER TO app_owner;
ALTER TABLE public.p OWNER TO app_owner;
GRANT SELECT ON TABLE public.p TO app_ro;
-- options: privileges

-- case: undeclared_owner_is_kept
-- The target says nothing about owners: the owners the database has stay, and nothing is
-- planned (with or without privileges).
-- from:
CREATE TABLE t (a int);
ALTER TABLE t OWNER TO app_owner;
-- to:
CREATE TABLE t (a int);
COMMENT ON TABLE t IS 'owned by whoever owns it';
-- statements:
COMMENT ON TABLE public.t IS 'owned by whoever owns it';
-- options: privileges
