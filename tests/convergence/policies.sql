-- Convergence cases. Row-level security and policies.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: policy_and_rls
-- from:
CREATE TABLE t (a int, owner text);
-- to:
CREATE TABLE t (a int, owner text);
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON t USING (owner = current_user);
-- hazards: authz
-- statements:
ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON public.t USING (owner = current_user);
