-- Convergence cases. Views and materialized views: changed, added, dropped, and views on views.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: view_changed_and_views_on_views
-- from:
CREATE TABLE t (a int, b int);
CREATE VIEW v AS SELECT a FROM t;
CREATE VIEW w AS SELECT a FROM v;
-- to:
CREATE TABLE t (a int, b int);
CREATE VIEW v AS SELECT a, b FROM t;
CREATE VIEW w AS SELECT a, b FROM v;
CREATE MATERIALIZED VIEW mv AS SELECT a FROM w;
CREATE INDEX mv_a ON mv (a);
-- statements:
DROP VIEW public.w;
CREATE VIEW public.v AS
CREATE MATERIALIZED VIEW public.mv AS
CREATE INDEX mv_a ON public.mv (a);

-- case: materialized_view_added_changed_dropped
-- from:
CREATE TABLE t (a int, b int);
CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;
CREATE MATERIALIZED VIEW old_mv AS SELECT b FROM t;
-- to:
CREATE TABLE t (a int, b int);
CREATE MATERIALIZED VIEW mv AS SELECT a, b FROM t WHERE a > 0;
CREATE MATERIALIZED VIEW new_mv AS SELECT count(*) AS n FROM t;
-- statements:
DROP MATERIALIZED VIEW public.mv;
DROP MATERIALIZED VIEW public.old_mv;
CREATE MATERIALIZED VIEW public.mv AS
CREATE MATERIALIZED VIEW public.new_mv AS

-- View options (CREATE VIEW ... WITH (security_barrier, security_invoker, check_option) and
-- WITH [LOCAL | CASCADED] CHECK OPTION, stored as check_option): changed with
-- ALTER VIEW ... SET / RESET, the view is kept.

-- case: view_options_set_and_reset
-- from:
CREATE TABLE t (a int, b text);
CREATE VIEW v AS SELECT a, b FROM t WHERE a > 0;
CREATE VIEW w WITH (security_barrier) AS SELECT a FROM t WITH LOCAL CHECK OPTION;
CREATE VIEW x AS SELECT a FROM t WITH CASCADED CHECK OPTION;
-- to:
CREATE TABLE t (a int, b text);
CREATE VIEW v WITH (security_barrier = true, security_invoker = true) AS SELECT a, b FROM t WHERE a > 0 WITH CHECK OPTION;
CREATE VIEW w AS SELECT a FROM t;
CREATE VIEW x AS SELECT a FROM t WITH LOCAL CHECK OPTION;
-- hazards: access_exclusive_lock
-- statements:
ALTER VIEW public.v SET (check_option=cascaded, security_barrier=true, security_invoker=true);
ALTER VIEW public.w RESET (check_option, security_barrier);
ALTER VIEW public.x SET (check_option=local);

-- case: view_options_by_alter_view
-- from:
CREATE TABLE t (a int);
CREATE VIEW v AS SELECT a FROM t;
-- to:
CREATE TABLE t (a int);
CREATE VIEW v AS SELECT a FROM t;
ALTER VIEW v SET (security_invoker = on, check_option = local);
-- statements:
ALTER VIEW public.v SET (check_option=local, security_invoker=on);

-- case: view_with_implicit_argument_coercions
-- A view's column references are typed from the tables it reads, so the argument coercions
-- PostgreSQL adds (rule 19) and common types (rule 20) are written in views too.
-- from:
CREATE TABLE t (id int, d date, c char(3), name varchar(10));
-- to:
CREATE TABLE t (id int, d date, c char(3), name varchar(10));
CREATE VIEW v AS
  SELECT to_timestamp(id) AS at, date_trunc('month', d) AS month, lower(c) AS lc,
         upper(name) AS un, coalesce(d, '2000-01-01') AS first
  FROM t;
-- statements:
to_timestamp(id::double precision) AS at
date_trunc('month', d::timestamp with time zone) AS month
lower(c::text) AS lc
COALESCE(d, '2000-01-01'::date) AS first
