-- Convergence cases. Triggers.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: trigger
-- from:
CREATE TABLE t (a int, at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'begin new.at := now(); return new; end';
-- to:
CREATE TABLE t (a int, at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'begin new.at := now(); return new; end';
CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
-- statements:
CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION public.touch();

-- Trigger states (ALTER TABLE ... ENABLE / DISABLE [REPLICA | ALWAYS] TRIGGER): a disabled
-- trigger never fires, ENABLE fires it when session_replication_role is origin or local,
-- ENABLE REPLICA only when it is replica, ENABLE ALWAYS in every role. Changing the state
-- alters the trigger in place; a trigger the plan creates gets its state right after.

-- case: trigger_states_altered
-- from:
CREATE TABLE t (a int, at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'begin new.at := now(); return new; end';
CREATE TRIGGER t_one BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER t_two BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER t_three AFTER DELETE ON t FOR EACH ROW EXECUTE FUNCTION touch();
COMMENT ON TRIGGER t_one ON t IS 'kept';
ALTER TABLE t DISABLE TRIGGER t_three;
-- to:
CREATE TABLE t (a int, at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'begin new.at := now(); return new; end';
CREATE TRIGGER t_one BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER t_two BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER t_three AFTER DELETE ON t FOR EACH ROW EXECUTE FUNCTION touch();
COMMENT ON TRIGGER t_one ON t IS 'kept';
ALTER TABLE t DISABLE TRIGGER t_one;
ALTER TABLE t ENABLE REPLICA TRIGGER t_two;
ALTER TABLE t ENABLE ALWAYS TRIGGER t_three;
-- hazards: blocks_writes
-- statements:
ALTER TABLE public.t DISABLE TRIGGER t_one;
ALTER TABLE public.t ENABLE REPLICA TRIGGER t_two;
ALTER TABLE public.t ENABLE ALWAYS TRIGGER t_three;

-- case: trigger_state_of_new_trigger
-- from:
CREATE TABLE t (a int, at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'begin new.at := now(); return new; end';
-- to:
CREATE TABLE t (a int, at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'begin new.at := now(); return new; end';
CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE t DISABLE TRIGGER t_touch;
CREATE TABLE n (a int, at timestamptz);
CREATE TRIGGER n_touch BEFORE INSERT ON n FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE n ENABLE ALWAYS TRIGGER n_touch;
-- statements:
ALTER TABLE public.t DISABLE TRIGGER t_touch;
ALTER TABLE public.n ENABLE ALWAYS TRIGGER n_touch;

-- case: trigger_state_kept_when_recreated
-- from:
CREATE TABLE t (a int, at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'begin new.at := now(); return new; end';
CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE t ENABLE REPLICA TRIGGER t_touch;
-- to:
CREATE TABLE t (a int, at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'begin new.at := now(); return new; end';
CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE t ENABLE REPLICA TRIGGER t_touch;
-- statements:
CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION public.touch();
ALTER TABLE public.t ENABLE REPLICA TRIGGER t_touch;
