-- Convergence cases. Comments.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: comments
-- from:
CREATE TABLE t (a int);
-- to:
CREATE TABLE t (a int);
COMMENT ON TABLE t IS 'the t';
COMMENT ON COLUMN t.a IS 'an a';
-- statements:
COMMENT ON TABLE public.t IS 'the t';
COMMENT ON COLUMN public.t.a IS 'an a';
