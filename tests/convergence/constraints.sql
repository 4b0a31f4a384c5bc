-- Convergence cases. Constraints: CHECK, PRIMARY KEY, UNIQUE, FOREIGN KEY, EXCLUDE, and constraints
-- on columns that are retyped or dropped.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: check_constraint
-- from:
CREATE TABLE t (a int);
-- to:
CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0));
-- hazards: validation_scan
-- statements:
ALTER TABLE public.t ADD CONSTRAINT a_pos CHECK (a > 0) NOT VALID;
ALTER TABLE public.t VALIDATE CONSTRAINT a_pos;

-- case: check_on_retyped_money_column
-- PostgreSQL re-parses a CHECK against the old type on ALTER COLUMN TYPE: the planner drops and
-- re-adds it around the change.
-- from:
CREATE TABLE t (amount double precision CHECK (amount >= 0));
-- to:
CREATE TABLE t (amount numeric(12,2) CHECK (amount >= 0));
-- hazards: precision_loss
-- statements:
ALTER TABLE public.t DROP CONSTRAINT IF EXISTS t_amount_check;
ALTER TABLE public.t ALTER COLUMN amount TYPE numeric(12,2);
ALTER TABLE public.t ADD CONSTRAINT t_amount_check CHECK (amount >= 0) NOT VALID;
ALTER TABLE public.t VALIDATE CONSTRAINT t_amount_check;

-- case: unique_and_primary_key
-- from:
CREATE TABLE t (a int NOT NULL, b int);
-- to:
CREATE TABLE t (a int PRIMARY KEY, b int UNIQUE);
-- hazards: index_build
-- statements:
CREATE UNIQUE INDEX CONCURRENTLY t_b_key ON public.t (b);
ALTER TABLE public.t ADD CONSTRAINT t_b_key UNIQUE USING INDEX t_b_key;
ALTER TABLE public.t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;

-- case: foreign_key
-- from:
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (p int);
-- to:
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (p int REFERENCES p(id) ON DELETE CASCADE);
-- hazards: blocks_writes validation_scan
-- statements:
ALTER TABLE public.c ADD CONSTRAINT c_p_fkey FOREIGN KEY (p) REFERENCES public.p(id) ON DELETE CASCADE NOT VALID;
ALTER TABLE public.c VALIDATE CONSTRAINT c_p_fkey;

-- case: mutual_foreign_keys
-- from:
-- to:
CREATE TABLE a (id int PRIMARY KEY, b_id int);
CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a(id));
ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b(id);
-- statements:
CREATE TABLE public.a (
CREATE TABLE public.b (
ALTER TABLE public.a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES public.b(id);
ALTER TABLE public.b ADD CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES public.a(id);

-- case: exclusion_constraint
-- from:
CREATE TABLE r (span int4range);
-- to:
CREATE TABLE r (span int4range, CONSTRAINT no_overlap EXCLUDE USING gist (span WITH &&));
-- hazards: access_exclusive_lock
-- statements:
ALTER TABLE public.r ADD CONSTRAINT no_overlap EXCLUDE USING gist (span WITH &&);

-- case: foreign_key_on_retyped_primary_key
-- from:
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (p int REFERENCES p (id));
-- to:
CREATE TABLE p (id bigint PRIMARY KEY);
CREATE TABLE c (p bigint REFERENCES p (id));
-- hazards: validation_scan
-- statements:
ALTER TABLE public.c DROP CONSTRAINT IF EXISTS c_p_fkey;
ALTER TABLE public.c ALTER COLUMN p TYPE bigint;
ALTER TABLE public.p ALTER COLUMN id TYPE bigint;
ALTER TABLE public.c ADD CONSTRAINT c_p_fkey FOREIGN KEY (p) REFERENCES public.p(id) NOT VALID;

-- case: foreign_key_on_primary_key_retyped_to_text
-- from:
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (p int REFERENCES p (id));
-- to:
CREATE TABLE p (id text PRIMARY KEY);
CREATE TABLE c (p text REFERENCES p (id));
-- hazards: validation_scan
-- statements:
ALTER TABLE public.c ALTER COLUMN p TYPE text;
ALTER TABLE public.p ALTER COLUMN id TYPE text;
ALTER TABLE public.c ADD CONSTRAINT c_p_fkey FOREIGN KEY (p) REFERENCES public.p(id) NOT VALID;

-- case: foreign_key_on_dropped_primary_key
-- from:
CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE taggings (user_id int NOT NULL REFERENCES users (id));
-- to:
CREATE TABLE users (user_id int PRIMARY KEY, name text);
-- hazards: data_loss
-- statements:
DROP TABLE public.taggings;
ALTER TABLE public.users DROP COLUMN id;
ALTER TABLE public.users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey_pgdrift_new;

-- case: check_with_implicit_argument_coercions
-- PostgreSQL stores round(id) on an integer as round(id::double precision) and
-- date_trunc('month', d) on a date with d::timestamp with time zone (function resolution,
-- docs/canonical-form.md rule 19): the file's model must match the migrated database's.
-- from:
CREATE TABLE t (id int, d date, b text);
-- to:
CREATE TABLE t (id int, d date, b text,
  CONSTRAINT t_round CHECK (round(id) >= 0),
  CONSTRAINT t_month CHECK (date_trunc('month', d) <= now()),
  CONSTRAINT t_first CHECK (coalesce(d, '2000-01-01') >= '1900-01-01'),
  CONSTRAINT t_words CHECK (to_tsvector('simple', b) <> ''));
-- statements:
round(id::double precision) >= 0
date_trunc('month', d::timestamp with time zone) <= now()
COALESCE(d, '2000-01-01'::date) >= '1900-01-01'
to_tsvector('simple'::regconfig, b) <> ''
