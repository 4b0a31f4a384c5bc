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

-- SQL-standard bodies (PostgreSQL 14+, CREATE FUNCTION's sql_body): parsed when the function is
-- created, stored in pg_proc.prosqlbody (prosrc is empty), their dependencies tracked.

-- case: sql_body_return
-- from:
-- to:
CREATE FUNCTION add(a integer, b integer) RETURNS integer
    LANGUAGE SQL
    IMMUTABLE
    RETURNS NULL ON NULL INPUT
    RETURN a + b;
-- statements:
CREATE FUNCTION public.add(a integer, b integer)
RETURN a + b;

-- case: sql_body_begin_atomic_statements
-- from:
CREATE TABLE events (id integer, kind text, seen boolean DEFAULT false);
-- to:
CREATE TABLE events (id integer, kind text, seen boolean DEFAULT false);
CREATE PROCEDURE record_event(id integer, kind text)
    LANGUAGE SQL
    BEGIN ATOMIC
        INSERT INTO events VALUES (id, kind);
        UPDATE events SET seen = true WHERE events.id = record_event.id;
        DELETE FROM events WHERE events.kind IS NULL;
    END;
-- statements:
BEGIN ATOMIC
INSERT INTO events (id, kind) VALUES (record_event.id, record_event.kind);
UPDATE events SET seen = true WHERE id = record_event.id;
DELETE FROM events WHERE kind IS NULL;

-- case: sql_body_changed
-- from:
CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE SQL IMMUTABLE RETURN a + b;
-- to:
CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE SQL IMMUTABLE
    BEGIN ATOMIC
        SELECT a + b + 0;
    END;
-- hazards: untracked_dependencies
-- statements:
CREATE OR REPLACE FUNCTION public.add(a integer, b integer)
SELECT (a + b) + 0;

-- case: sql_body_from_string_body
-- from:
CREATE FUNCTION add(integer, integer) RETURNS integer
    AS 'select $1 + $2;'
    LANGUAGE SQL
    IMMUTABLE
    RETURNS NULL ON NULL INPUT;
-- to:
CREATE FUNCTION add(integer, integer) RETURNS integer
    LANGUAGE SQL
    IMMUTABLE
    RETURNS NULL ON NULL INPUT
    RETURN $1 + $2;
-- statements:
CREATE OR REPLACE FUNCTION public.add(integer, integer)
RETURN $1 + $2;

-- case: sql_body_reads_table
-- from:
-- to:
CREATE SCHEMA ledger;
CREATE TABLE ledger.entries (account integer, amount numeric(12,2), memo character varying(40));
CREATE FUNCTION balance(acct integer) RETURNS numeric
    LANGUAGE SQL STABLE
    BEGIN ATOMIC
        SELECT coalesce(sum(amount), 0) FROM ledger.entries WHERE account = acct AND memo <> 'void';
    END;
-- statements:
CREATE TABLE ledger.entries
SELECT COALESCE(sum(amount), 0) FROM ledger.entries WHERE account = balance.acct AND memo <> 'void';

-- case: sql_body_calls_sql_body
-- from:
-- to:
CREATE FUNCTION b_inner(x integer) RETURNS integer LANGUAGE SQL IMMUTABLE RETURN x * 2;
CREATE FUNCTION a_outer(x integer) RETURNS integer LANGUAGE SQL IMMUTABLE RETURN b_inner(x) + 1;
-- statements:
RETURN b_inner(x) + 1;

-- case: sql_body_callee_recreated
-- from:
CREATE FUNCTION b_inner(x integer) RETURNS integer LANGUAGE SQL IMMUTABLE RETURN x * 2;
CREATE FUNCTION a_outer(x integer) RETURNS bigint LANGUAGE SQL IMMUTABLE RETURN b_inner(x) + 1;
-- to:
CREATE FUNCTION b_inner(x integer) RETURNS bigint LANGUAGE SQL IMMUTABLE RETURN x * 2;
CREATE FUNCTION a_outer(x integer) RETURNS bigint LANGUAGE SQL IMMUTABLE RETURN b_inner(x) + 1;
-- hazards: untracked_dependencies
-- statements:
AS $function$SELECT b_inner(x) + 1$function$;
DROP FUNCTION public.b_inner(integer);
RETURNS bigint

-- case: sql_body_column_retyped
-- from:
CREATE TABLE items (id integer, price numeric(8,2), label text);
CREATE FUNCTION priciest() RETURNS numeric LANGUAGE SQL STABLE
    RETURN (SELECT max(price) FROM items);
CREATE FUNCTION label_of(item integer) RETURNS text LANGUAGE SQL STABLE
    BEGIN ATOMIC
        SELECT label FROM items WHERE id = item;
    END;
-- to:
CREATE TABLE items (id integer, price numeric(12,2), label text);
CREATE FUNCTION priciest() RETURNS numeric LANGUAGE SQL STABLE
    RETURN (SELECT max(price) FROM items);
CREATE FUNCTION label_of(item integer) RETURNS text LANGUAGE SQL STABLE
    BEGIN ATOMIC
        SELECT label FROM items WHERE id = item;
    END;
-- statements:
AS $function$SELECT (SELECT max(price) FROM items)$function$;
ALTER TABLE public.items ALTER COLUMN price TYPE numeric(12,2);
RETURN (SELECT max(price) FROM items);

-- case: sql_body_stops_reading_dropped_column
-- from:
CREATE TABLE items (id integer, old_price numeric, price numeric);
CREATE FUNCTION total() RETURNS numeric LANGUAGE SQL STABLE
    RETURN (SELECT sum(old_price) FROM items);
-- to:
CREATE TABLE items (id integer, price numeric);
CREATE FUNCTION total() RETURNS numeric LANGUAGE SQL STABLE
    RETURN (SELECT sum(price) FROM items);
-- hazards: data_loss
-- statements:
ALTER TABLE public.items DROP COLUMN old_price;
RETURN (SELECT sum(price) FROM items);

-- case: function_in_default_check_view_dropped
-- from:
CREATE FUNCTION pick() RETURNS integer LANGUAGE SQL RETURN 7;
CREATE FUNCTION positive(x integer) RETURNS boolean LANGUAGE SQL IMMUTABLE RETURN x > 0;
CREATE FUNCTION doubled(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'select x * 2';
CREATE TABLE t (a integer DEFAULT pick() CONSTRAINT a_positive CHECK (positive(a)));
CREATE VIEW v AS SELECT doubled(a) AS d FROM t;
-- to:
CREATE TABLE t (a integer);
-- hazards: untracked_dependencies
-- statements:
ALTER TABLE public.t ALTER COLUMN a DROP DEFAULT;
ALTER TABLE public.t DROP CONSTRAINT IF EXISTS a_positive;
DROP VIEW public.v;
DROP FUNCTION public.pick();
DROP FUNCTION public.positive(integer);
DROP FUNCTION public.doubled(integer);

-- case: sql_body_function_recreated_under_default_check_view
-- from:
CREATE FUNCTION pick() RETURNS integer LANGUAGE SQL RETURN 7;
CREATE FUNCTION positive(x integer) RETURNS boolean LANGUAGE SQL IMMUTABLE RETURN x > 0;
CREATE TABLE t (a integer DEFAULT pick() CONSTRAINT a_positive CHECK (positive(a)));
CREATE VIEW v AS SELECT a, positive(a) AS ok FROM t;
-- to:
CREATE FUNCTION pick() RETURNS bigint LANGUAGE SQL RETURN 7;
CREATE FUNCTION positive(y integer) RETURNS boolean LANGUAGE SQL IMMUTABLE RETURN y > 0;
CREATE TABLE t (a integer DEFAULT pick() CONSTRAINT a_positive CHECK (positive(a)));
CREATE VIEW v AS SELECT a, positive(a) AS ok FROM t;
-- hazards: untracked_dependencies
-- statements:
DROP VIEW public.v;
DROP FUNCTION public.positive(integer);
RETURN y > 0;
ALTER TABLE public.t ALTER COLUMN a SET DEFAULT pick();

-- case: trigger_function_dropped_with_trigger
-- from:
CREATE TABLE t (a integer, touched timestamp with time zone);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;
CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
-- to:
CREATE TABLE t (a integer, touched timestamp with time zone);
-- statements:
DROP TRIGGER
DROP FUNCTION public.touch();

-- case: function_search_path_empty
-- from:
CREATE FUNCTION f() RETURNS text LANGUAGE sql SET search_path = public AS 'select ''x''';
-- to:
CREATE FUNCTION f() RETURNS text LANGUAGE sql SET search_path TO '' AS 'select ''x''';
CREATE FUNCTION g() RETURNS text LANGUAGE sql SET search_path TO '', "$user", "My Schema" RETURN 'y';
-- statements:
SET search_path TO ''
SET search_path TO '', '$user', 'My Schema'

-- case: objects_across_schemas_dropped
-- from:
CREATE SCHEMA core;
CREATE SCHEMA reports;
CREATE TABLE core.accounts (id integer PRIMARY KEY, name text);
CREATE TABLE reports.snapshots (account integer REFERENCES core.accounts (id), taken date);
CREATE VIEW reports.named AS SELECT a.name, s.taken FROM core.accounts a JOIN reports.snapshots s ON s.account = a.id;
CREATE FUNCTION reports.account_count() RETURNS bigint LANGUAGE SQL STABLE
    RETURN (SELECT count(*) FROM core.accounts);
-- to:
-- hazards: data_loss
-- statements:
DROP FUNCTION reports.account_count();
DROP SCHEMA core;
