-- Convergence cases. Indexes: added, dropped, and changed in method, operator class, INCLUDE,
-- predicate and storage parameters.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: indexes
-- from:
CREATE TABLE t (a int, b text);
-- to:
CREATE TABLE t (a int, b text);
CREATE INDEX t_a ON t (a DESC);
CREATE UNIQUE INDEX t_b ON t (lower(b)) WHERE a > 0;
-- hazards: index_build
-- statements:
CREATE INDEX CONCURRENTLY t_a ON public.t (a DESC);
CREATE UNIQUE INDEX CONCURRENTLY t_b ON public.t ((lower(b))) WHERE (a > 0);

-- case: index_method_opclass_include_predicate
-- from:
CREATE TABLE t (a int, b text);
CREATE INDEX i_method ON t (a);
CREATE INDEX i_opclass ON t (b);
CREATE INDEX i_include ON t (a);
CREATE INDEX i_pred ON t (a) WHERE a > 0;
-- to:
CREATE TABLE t (a int, b text);
CREATE INDEX i_method ON t USING hash (a);
CREATE INDEX i_opclass ON t (b text_pattern_ops);
CREATE INDEX i_include ON t (a) INCLUDE (b);
CREATE INDEX i_pred ON t (a) WHERE a > 1;
-- hazards: index_build index_dropped
-- statements:
CREATE INDEX CONCURRENTLY i_method_pgdrift_new ON public.t USING hash (a);
CREATE INDEX CONCURRENTLY i_opclass_pgdrift_new ON public.t (b text_pattern_ops);
CREATE INDEX CONCURRENTLY i_include_pgdrift_new ON public.t (a) INCLUDE (b);
CREATE INDEX CONCURRENTLY i_pred_pgdrift_new ON public.t (a) WHERE (a > 1);
DROP INDEX public.i_pred;
ALTER INDEX public.i_pred_pgdrift_new RENAME TO i_pred;

-- case: index_storage_parameters
-- from:
CREATE TABLE t (a int, v tsvector);
CREATE INDEX i ON t (a) WITH (fillfactor = 70, deduplicate_items = off);
CREATE INDEX g ON t USING gin (v);
-- to:
CREATE TABLE t (a int, v tsvector);
CREATE INDEX i ON t (a) WITH (fillfactor = 80);
CREATE INDEX g ON t USING gin (v) WITH (fastupdate = off, gin_pending_list_limit = 128);
-- hazards: access_exclusive_lock
-- statements:
ALTER INDEX public.g SET (fastupdate = off, gin_pending_list_limit = 128);
ALTER INDEX public.i RESET (deduplicate_items);
ALTER INDEX public.i SET (fillfactor = 80);

-- case: index_expressions_with_implicit_argument_coercions
-- The argument coercions PostgreSQL adds (rule 19) in index expressions: the regconfig of
-- to_tsvector, the double precision of to_timestamp's integer argument.
-- from:
CREATE TABLE t (id int, body text, ts timestamp);
-- to:
CREATE TABLE t (id int, body text, ts timestamp);
CREATE INDEX t_fts ON t USING gin (to_tsvector('simple', body));
CREATE INDEX t_day ON t (date_trunc('day', ts));
CREATE INDEX t_sqrt ON t (sqrt(id));
-- statements:
USING gin ((to_tsvector('simple'::regconfig, body)))
((date_trunc('day', ts)))
((sqrt(id::double precision)))
