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
