-- Convergence cases. Functions and procedures: bodies, signatures, settings, and the table objects
-- that call them.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: function_used_by_default_and_check
-- from:
CREATE TABLE t (a int);
-- to:
CREATE FUNCTION pick() RETURNS int LANGUAGE sql AS 'select 7';
CREATE FUNCTION ok(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'select x > 0';
CREATE TABLE t (a int DEFAULT pick() CONSTRAINT a_ok CHECK (ok(a)));
-- statements:
CREATE FUNCTION public.pick()
CREATE FUNCTION public.ok(x integer)
ALTER TABLE public.t ALTER COLUMN a SET DEFAULT pick();
ALTER TABLE public.t ADD CONSTRAINT a_ok CHECK (ok(a)) NOT VALID;

-- case: function_body_and_signature
-- from:
CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'select x';
CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'select 1';
-- to:
CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'select x + 1';
CREATE FUNCTION g() RETURNS bigint LANGUAGE sql AS 'select 1';
-- hazards: untracked_dependencies
-- statements:
CREATE OR REPLACE FUNCTION public.f(x integer)
DROP FUNCTION public.g();
RETURNS bigint

-- case: function_recreated_under_table_dependents
-- from:
CREATE FUNCTION ok(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'select x > 0';
CREATE FUNCTION pick() RETURNS int LANGUAGE sql AS 'select 7';
CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';
CREATE TABLE t (
  a int DEFAULT pick() CONSTRAINT a_ok CHECK (ok(a)),
  g boolean GENERATED ALWAYS AS (ok(a)) STORED
);
CREATE INDEX i ON t (a) WHERE ok(a);
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON t USING (ok(a));
CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW WHEN (ok(new.a)) EXECUTE FUNCTION tf();
-- to:
CREATE FUNCTION ok(y int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'select y > 0';
CREATE FUNCTION pick() RETURNS bigint LANGUAGE sql AS 'select 7';
CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';
CREATE TABLE t (
  a int DEFAULT pick() CONSTRAINT a_ok CHECK (ok(a)),
  g boolean GENERATED ALWAYS AS (ok(a)) STORED
);
CREATE INDEX i ON t (a) WHERE ok(a);
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON t USING (ok(a));
CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW WHEN (ok(new.a)) EXECUTE FUNCTION tf();
-- hazards: untracked_dependencies index_build
-- statements:
DROP TRIGGER IF EXISTS tr ON public.t;
DROP FUNCTION public.pick();
DROP FUNCTION public.ok(integer);
CREATE OR REPLACE FUNCTION public.ok(y integer)
CREATE INDEX i ON public.t (a) WHERE (ok(a));
CREATE POLICY p ON public.t USING (ok(a));

-- case: function_settings
-- from:
-- to:
CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = public SET statement_timeout = '30s' SET work_mem = '64MB' AS 'select 1';
-- statements:
CREATE FUNCTION public.f()
SET search_path TO 'public'
SET statement_timeout TO '30s'
SET work_mem TO '64MB'

-- case: procedure
-- from:
CREATE TABLE log (m text);
CREATE PROCEDURE note(m text) LANGUAGE sql AS $$ INSERT INTO log VALUES (m) $$;
-- to:
CREATE TABLE log (m text);
CREATE PROCEDURE note(m text) LANGUAGE sql AS $$ INSERT INTO log VALUES (upper(m)) $$;
CREATE PROCEDURE wipe() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM log; END $$;
-- statements:
CREATE OR REPLACE PROCEDURE public.note(m text)
CREATE PROCEDURE public.wipe()
