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
