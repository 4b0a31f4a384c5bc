-- Convergence cases. Privileges on tables and columns (compared and planned with the privileges
-- option).
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: grants_on_tables_and_columns
-- from:
CREATE TABLE t (a int, b int);
GRANT SELECT ON t TO app_ro;
-- to:
CREATE TABLE t (a int, b int);
GRANT SELECT, INSERT ON t TO reader;
GRANT UPDATE (b) ON t TO writer;
-- hazards: authz
-- statements:
REVOKE SELECT ON TABLE public.t FROM app_ro;
GRANT INSERT ON TABLE public.t TO reader;
GRANT SELECT ON TABLE public.t TO reader;
GRANT UPDATE (b) ON TABLE public.t TO writer;
-- options: privileges

-- case: grants_keep_the_acl_order
-- PostgreSQL appends a grantee's ACL item when it is first granted something and keeps the
-- items in that order (pg_dump prints them so): grants go out in the target's order, which is
-- not the grantees' alphabetical one.
-- from:
CREATE TABLE t (a int);
CREATE TABLE u (a int);
GRANT SELECT ON u TO writer;
-- to:
CREATE TABLE t (a int);
GRANT SELECT ON t TO writer, reader;
GRANT INSERT ON t TO app_ro;
GRANT UPDATE ON t TO writer;
CREATE TABLE u (a int);
GRANT SELECT ON u TO writer, app_rw;
-- statements:
GRANT SELECT ON TABLE public.t TO reader;
GRANT INSERT ON TABLE public.t TO app_ro;
GRANT SELECT ON TABLE public.u TO app_rw;
-- options: privileges
-- check_after:
SELECT count(*) FROM (
  SELECT c.relname, array_agg(e.grantee::regrole::text ORDER BY e.n) AS grantees
    FROM pg_class c, aclexplode(c.relacl) WITH ORDINALITY AS e(grantor, grantee, p, g, n)
   WHERE c.relname IN ('t', 'u') AND e.grantee <> c.relowner
   GROUP BY c.relname) q
 WHERE grantees <> CASE relname WHEN 't' THEN ARRAY['writer', 'writer', 'reader', 'app_ro']
                                ELSE ARRAY['writer', 'app_rw'] END;

-- case: grant_option_gained_and_lost
-- A privilege that only gains or loses its grant option is changed in place, never revoked.
-- from:
CREATE TABLE t (a int, b int);
GRANT SELECT ON t TO app_ro WITH GRANT OPTION;
GRANT INSERT ON t TO app_rw;
GRANT UPDATE (b) ON t TO writer;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
GRANT EXECUTE ON FUNCTION f() TO reader;
-- to:
CREATE TABLE t (a int, b int);
GRANT SELECT ON t TO app_ro;
GRANT INSERT ON t TO app_rw WITH GRANT OPTION;
GRANT UPDATE (b) ON t TO writer WITH GRANT OPTION;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
GRANT EXECUTE ON FUNCTION f() TO reader WITH GRANT OPTION;
-- hazards: authz
-- statements:
REVOKE GRANT OPTION FOR SELECT ON TABLE public.t FROM app_ro;
GRANT INSERT ON TABLE public.t TO app_rw WITH GRANT OPTION;
GRANT UPDATE (b) ON TABLE public.t TO writer WITH GRANT OPTION;
GRANT EXECUTE ON FUNCTION public.f() TO reader WITH GRANT OPTION;
-- options: privileges

-- case: partition_grants_are_its_own
-- A partition does not take its parent's privileges: its own are loaded, compared and planned.
-- from:
CREATE TABLE t (id int, at date, v text) PARTITION BY RANGE (at);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
GRANT SELECT ON t TO app_ro;
GRANT SELECT ON t_2024 TO reader;
-- to:
CREATE TABLE t (id int, at date, v text) PARTITION BY RANGE (at);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE t_2025 PARTITION OF t FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
GRANT SELECT ON t TO app_ro;
GRANT SELECT, INSERT ON t_2024 TO writer;
GRANT UPDATE (v) ON t_2025 TO writer;
-- hazards: authz
-- statements:
REVOKE SELECT ON TABLE public.t_2024 FROM reader;
GRANT INSERT ON TABLE public.t_2024 TO writer;
GRANT UPDATE (v) ON TABLE public.t_2025 TO writer;
-- options: privileges

-- case: recreated_partitions_keep_their_grants
-- The partition key changes: the parent and its partitions are dropped and created again, each
-- with its own privileges (and column privileges) back.
-- from:
CREATE TABLE t (id int, at date, v text) PARTITION BY RANGE (at);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
GRANT SELECT ON t TO app_ro;
GRANT SELECT ON t_2024 TO reader WITH GRANT OPTION;
GRANT UPDATE (v) ON t_2024 TO writer;
COMMENT ON TABLE t_2024 IS 'this year';
-- to:
CREATE TABLE t (id int, at date, v text) PARTITION BY LIST (v);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES IN ('a');
GRANT SELECT ON t TO app_ro;
GRANT SELECT ON t_2024 TO reader WITH GRANT OPTION;
GRANT UPDATE (v) ON t_2024 TO writer;
COMMENT ON TABLE t_2024 IS 'this year';
-- hazards: data_loss
-- statements:
GRANT SELECT ON TABLE public.t TO app_ro;
GRANT SELECT ON TABLE public.t_2024 TO reader WITH GRANT OPTION;
GRANT UPDATE (v) ON TABLE public.t_2024 TO writer;
COMMENT ON TABLE public.t_2024 IS 'this year';
-- options: privileges

-- case: partition_detached_and_attached_keeps_grants
-- from:
CREATE TABLE t (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE t_a PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE t_old (id int, at date);
GRANT SELECT ON t_a TO reader;
GRANT SELECT ON t_old TO app_ro;
-- to:
CREATE TABLE t (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE t_a PARTITION OF t FOR VALUES FROM ('2023-01-01') TO ('2025-01-01');
CREATE TABLE t_old PARTITION OF t FOR VALUES FROM ('2000-01-01') TO ('2023-01-01');
GRANT SELECT ON t_a TO reader;
GRANT SELECT ON t_old TO app_ro;
-- statements:
ALTER TABLE public.t DETACH PARTITION public.t_a;
ALTER TABLE public.t ATTACH PARTITION public.t_old FOR VALUES FROM ('2000-01-01') TO ('2023-01-01');
-- options: privileges

-- case: recreated_view_and_function_keep_grants
-- A column's type changes under a view, a function's return type changes: both are dropped and
-- created again with their privileges (the view's column privileges too).
-- from:
CREATE TABLE t (id int, amount int);
CREATE VIEW v AS SELECT id, amount FROM t;
GRANT SELECT ON v TO app_ro;
GRANT SELECT (amount) ON v TO reader;
GRANT SELECT (amount), UPDATE (amount) ON t TO writer;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
GRANT EXECUTE ON FUNCTION f() TO app_rw;
-- to:
CREATE TABLE t (id int, amount bigint);
CREATE VIEW v AS SELECT id, amount FROM t;
GRANT SELECT ON v TO app_ro;
GRANT SELECT (amount) ON v TO reader;
GRANT SELECT (amount), UPDATE (amount) ON t TO writer;
CREATE FUNCTION f() RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint';
GRANT EXECUTE ON FUNCTION f() TO app_rw;
-- statements:
DROP VIEW public.v;
GRANT SELECT ON TABLE public.v TO app_ro;
GRANT SELECT (amount) ON TABLE public.v TO reader;
DROP FUNCTION public.f();
GRANT EXECUTE ON FUNCTION public.f() TO app_rw;
-- options: privileges

-- case: recreated_table_keeps_grants_without_privileges
-- Without the privileges option nothing is compared, and a re-created table still gets back
-- the privileges the source had.
-- from:
CREATE TABLE t (id int, v text) PARTITION BY RANGE (id);
GRANT SELECT ON t TO app_ro;
GRANT UPDATE (v) ON t TO writer;
-- to:
CREATE TABLE t (id int, v text) PARTITION BY LIST (v);
-- statements:
GRANT SELECT ON TABLE public.t TO app_ro;
GRANT UPDATE (v) ON TABLE public.t TO writer;
