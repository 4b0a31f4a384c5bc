-- Convergence cases. Aggregates (CREATE AGGREGATE): user and built-in support functions,
-- ordered-set and moving-aggregate modes, re-creation (there is no ALTER for what defines an
-- aggregate) with the comments, privileges and views that use it.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: aggregate_with_user_state_function_added
-- from:
-- to:
CREATE FUNCTION sum_sq_step(s bigint, v integer) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS 'select s + v * v';
CREATE AGGREGATE sum_sq(integer) (SFUNC = sum_sq_step, STYPE = bigint, INITCOND = '0');
COMMENT ON AGGREGATE sum_sq(integer) IS 'sum of squares';
-- statements:
CREATE AGGREGATE public.sum_sq(integer) (SFUNC = public.sum_sq_step, STYPE = bigint, INITCOND = '0');
COMMENT ON AGGREGATE public.sum_sq(integer) IS 'sum of squares';
-- check_after:
SELECT count(*) FROM (SELECT sum_sq(x) AS s FROM generate_series(1, 3) AS x) q WHERE s <> 14;

-- case: aggregate_dropped_before_its_state_function
-- from:
CREATE FUNCTION sum_sq_step(s bigint, v integer) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS 'select s + v * v';
CREATE AGGREGATE sum_sq(integer) (SFUNC = sum_sq_step, STYPE = bigint, INITCOND = '0');
-- to:
-- hazards: untracked_dependencies
-- statements:
DROP AGGREGATE public.sum_sq(integer);
DROP FUNCTION public.sum_sq_step(bigint, integer);

-- case: aggregate_builtin_functions_and_options
-- from:
-- to:
CREATE AGGREGATE cnt(*) (SFUNC = int8inc, STYPE = int8, INITCOND = '0', PARALLEL = SAFE);
CREATE AGGREGATE psum(int8) (SFUNC = int8pl, STYPE = int8, COMBINEFUNC = int8pl, PARALLEL = safe);
CREATE AGGREGATE lowest(integer) (SFUNC = int4smaller, STYPE = integer, SORTOP = <);
CREATE AGGREGATE joined(text) (SFUNC = textcat, STYPE = text, INITCOND = '',
    FINALFUNC = upper, FINALFUNC_MODIFY = SHAREABLE);
-- statements:
CREATE AGGREGATE public.cnt(*) (SFUNC = int8inc, STYPE = bigint, INITCOND = '0', PARALLEL = SAFE);
CREATE AGGREGATE public.psum(bigint) (SFUNC = int8pl, STYPE = bigint, COMBINEFUNC = int8pl, PARALLEL = SAFE);
CREATE AGGREGATE public.lowest(integer) (SFUNC = int4smaller, STYPE = integer, SORTOP = <);
FINALFUNC = upper, FINALFUNC_MODIFY = SHAREABLE
-- check_after:
SELECT count(*) FROM (SELECT cnt(*) AS c, lowest(x) AS l, joined(x::text) AS j
    FROM generate_series(1, 3) AS x) q WHERE c <> 3 OR l <> 1 OR j <> '123';

-- case: aggregate_changed_is_recreated_with_comment_and_grant
-- from:
CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer);
COMMENT ON AGGREGATE total(integer) IS 'the total';
GRANT EXECUTE ON FUNCTION total(integer) TO reader;
-- to:
CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
COMMENT ON AGGREGATE total(integer) IS 'the total';
GRANT EXECUTE ON FUNCTION total(integer) TO reader;
-- hazards: untracked_dependencies
-- statements:
DROP AGGREGATE public.total(integer);
CREATE AGGREGATE public.total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
COMMENT ON AGGREGATE public.total(integer) IS 'the total';
GRANT EXECUTE ON FUNCTION public.total(integer) TO reader;

-- case: aggregate_comment_and_grant_changed_in_place
-- from:
CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer);
-- to:
CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer);
COMMENT ON AGGREGATE total(integer) IS 'the total';
GRANT EXECUTE ON FUNCTION total(integer) TO reader;
-- hazards: authz
-- statements:
COMMENT ON AGGREGATE public.total(integer) IS 'the total';
GRANT EXECUTE ON FUNCTION public.total(integer) TO reader;
-- options: privileges

-- case: aggregate_used_by_view_recreated
-- from:
CREATE TABLE t (n integer);
CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer);
CREATE VIEW v AS SELECT total(n) AS s FROM t;
-- to:
CREATE TABLE t (n integer);
CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
CREATE VIEW v AS SELECT total(n) AS s FROM t;
-- hazards: untracked_dependencies
-- statements:
DROP VIEW public.v;
DROP AGGREGATE public.total(integer);
CREATE AGGREGATE public.total(integer)
CREATE VIEW public.v AS

-- case: aggregate_recreated_around_its_state_function
-- from:
CREATE FUNCTION sum_sq_step(s bigint, v integer) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS 'select s + v * v';
CREATE AGGREGATE sum_sq(integer) (SFUNC = sum_sq_step, STYPE = bigint, INITCOND = '0');
-- to:
CREATE FUNCTION sum_sq_step(acc bigint, v integer) RETURNS bigint LANGUAGE sql IMMUTABLE
    AS 'select acc + v * v';
CREATE AGGREGATE sum_sq(integer) (SFUNC = sum_sq_step, STYPE = bigint, INITCOND = '0');
-- hazards: untracked_dependencies
-- statements:
DROP AGGREGATE public.sum_sq(integer);
DROP FUNCTION public.sum_sq_step(bigint, integer);
CREATE OR REPLACE FUNCTION public.sum_sq_step(acc bigint, v integer)
CREATE AGGREGATE public.sum_sq(integer)

-- case: aggregate_ordered_set
-- from:
-- to:
CREATE FUNCTION pick_step(s integer[], v integer) RETURNS integer[] LANGUAGE sql IMMUTABLE
    AS 'select s || v';
CREATE FUNCTION pick_final(s integer[], k integer) RETURNS integer LANGUAGE sql IMMUTABLE
    AS 'select s[k]';
CREATE AGGREGATE pick(k integer ORDER BY v integer) (SFUNC = pick_step, STYPE = integer[],
    FINALFUNC = pick_final, INITCOND = '{}');
-- statements:
CREATE AGGREGATE public.pick(k integer ORDER BY v integer) (SFUNC = public.pick_step, STYPE = integer[], FINALFUNC = public.pick_final, INITCOND = '{}');
-- check_after:
SELECT count(*) FROM (SELECT pick(1) WITHIN GROUP (ORDER BY 7) AS p) q WHERE p <> 7;

-- case: aggregate_moving_mode
-- from:
CREATE AGGREGATE msum(integer) (SFUNC = int4pl, STYPE = integer);
-- to:
CREATE AGGREGATE msum(integer) (SFUNC = int4pl, STYPE = integer,
    MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = integer);
-- hazards: untracked_dependencies
-- statements:
CREATE AGGREGATE public.msum(integer) (SFUNC = int4pl, STYPE = integer, MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = integer);

-- case: aggregate_quoted_names
-- from:
CREATE SCHEMA "Agg S";
-- to:
CREATE SCHEMA "Agg S";
CREATE FUNCTION "Agg S"."Step Fn"(s integer, "Value" integer) RETURNS integer LANGUAGE sql
    IMMUTABLE AS 'select s + 1';
CREATE AGGREGATE "Agg S"."Count Of"("Value" integer) (SFUNC = "Agg S"."Step Fn",
    STYPE = integer, INITCOND = '0');
COMMENT ON AGGREGATE "Agg S"."Count Of"(integer) IS 'quoted';
-- statements:
CREATE AGGREGATE "Agg S"."Count Of"("Value" integer) (SFUNC = "Agg S"."Step Fn", STYPE = integer, INITCOND = '0');
COMMENT ON AGGREGATE "Agg S"."Count Of"(integer) IS 'quoted';
