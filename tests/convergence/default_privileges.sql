-- Convergence cases. ALTER DEFAULT PRIVILEGES (pg_default_acl): compared and planned with the
-- privileges option. Objects get the default privileges in force when they are created: the
-- planner revokes default privileges before its creates and grants new ones after them, and
-- revokes from the objects it creates what the target does not give them.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: default_privileges_changed
-- from:
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_ro;
CREATE TABLE old_t (a int);
-- to:
CREATE SCHEMA app;
CREATE TABLE t (a int);
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT INSERT ON TABLES TO app_rw WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO reader;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner GRANT EXECUTE ON ROUTINES TO app_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT USAGE ON TYPES TO writer;
ALTER DEFAULT PRIVILEGES GRANT CREATE ON SCHEMAS TO app_owner;
CREATE TABLE app.later (id serial);
CREATE TABLE t2 (a int);
CREATE SCHEMA app2;
-- hazards: authz
-- statements:
ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM app_ro;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT INSERT ON TABLES TO app_rw WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO reader;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner GRANT EXECUTE ON FUNCTIONS TO app_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT USAGE ON TYPES TO writer;
GRANT INSERT ON TABLE app.later TO app_rw WITH GRANT OPTION;
GRANT SELECT ON TABLE app.later TO reader;
GRANT USAGE ON SEQUENCE app.later_id_seq TO reader;
GRANT CREATE ON SCHEMA app2 TO app_owner;
-- options: privileges

-- case: objects_created_before_the_default_privileges
-- The target's table was created before the default privileges: the plan creates it while they
-- hold, and takes back what the target's table does not have.
-- from:
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_ro;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO app_rw;
-- to:
CREATE TABLE t (a int);
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_ro;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO app_rw;
CREATE TABLE t_after (a int);
-- statements:
REVOKE SELECT ON TABLE public.t FROM app_ro;
REVOKE EXECUTE ON FUNCTION public.f() FROM app_rw;
-- options: privileges

-- case: default_privileges_of_a_role_set_by_set_role
-- Objects created after SET ROLE belong to that role and get its default privileges (the loader
-- follows SET ROLE as PostgreSQL does); the plan declares the owner and the privileges of the
-- objects it creates.
-- from:
-- to:
CREATE SCHEMA own AUTHORIZATION app_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner GRANT SELECT ON TABLES TO reader;
SET ROLE app_owner;
CREATE TABLE own.owned_t (a int);
RESET ROLE;
CREATE TABLE not_owned (a int);
-- statements:
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner GRANT SELECT ON TABLES TO reader;
GRANT SELECT ON TABLE own.owned_t TO reader;
ALTER TABLE own.owned_t OWNER TO app_owner;
-- options: privileges

-- case: default_privileges_not_compared_without_privileges
-- The table gets SELECT for app_ro from the database's default privileges; without the
-- privileges option neither is compared.
-- from:
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_ro;
-- to:
CREATE TABLE t (a int);
-- statements:
CREATE TABLE public.t
