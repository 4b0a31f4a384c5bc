-- Convergence cases. Table inheritance (PostgreSQL 15 docs: 5.10 Inheritance, CREATE TABLE ...
-- INHERITS, ALTER TABLE ... INHERIT / NO INHERIT): a child gets its parents' columns (merged by
-- name), NOT NULL and CHECK constraints (not NO INHERIT ones) and defaults; ALTER TABLE on the
-- parent recurses to the children for ADD / DROP / ALTER COLUMN TYPE, SET / DROP DEFAULT,
-- SET / DROP NOT NULL and ADD CHECK; a column the child also declares itself survives the
-- parent's DROP COLUMN. Indexes, keys, foreign keys and grants are not inherited.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: inheritance_child_created
-- from:
CREATE TABLE city (name text NOT NULL, population int DEFAULT 0 CHECK (population >= 0));
-- to:
CREATE TABLE city (name text NOT NULL, population int DEFAULT 0 CHECK (population >= 0));
CREATE TABLE capital (state char(2) NOT NULL) INHERITS (city);
-- statements:
) INHERITS (public.city);

-- case: inheritance_column_added_to_parent
-- The child gets the column from the parent's ADD COLUMN: adding it to the child too would fail.
-- from:
CREATE TABLE city (name text);
CREATE TABLE capital (state char(2)) INHERITS (city);
-- to:
CREATE TABLE city (name text, altitude int DEFAULT 0 NOT NULL);
CREATE TABLE capital (state char(2)) INHERITS (city);
-- statements:
ALTER TABLE public.city ADD COLUMN altitude integer DEFAULT 0 NOT NULL;

-- case: inheritance_column_dropped_from_parent
-- from:
CREATE TABLE city (name text, altitude int);
CREATE TABLE capital (state char(2)) INHERITS (city);
-- to:
CREATE TABLE city (name text);
CREATE TABLE capital (state char(2)) INHERITS (city);
-- hazards: data_loss
-- statements:
ALTER TABLE public.city DROP COLUMN altitude;

-- case: inheritance_column_type_changed_on_parent
-- from:
CREATE TABLE city (name text, population int);
CREATE TABLE capital (state char(2)) INHERITS (city);
CREATE TABLE village () INHERITS (city);
-- to:
CREATE TABLE city (name text, population bigint);
CREATE TABLE capital (state char(2)) INHERITS (city);
CREATE TABLE village () INHERITS (city);
-- statements:
ALTER TABLE public.city ALTER COLUMN population TYPE bigint

-- case: inheritance_default_and_not_null_changed_on_parent
-- SET DEFAULT and SET NOT NULL recurse to the children.
-- from:
CREATE TABLE city (name text, population int);
CREATE TABLE capital (state char(2)) INHERITS (city);
-- to:
CREATE TABLE city (name text NOT NULL, population int DEFAULT 0);
CREATE TABLE capital (state char(2)) INHERITS (city);
-- statements:
ALTER TABLE public.city ALTER COLUMN name SET NOT NULL;
ALTER TABLE public.city ALTER COLUMN population SET DEFAULT 0;

-- case: inheritance_check_added_to_parent
-- A CHECK added to the parent is added to every child; a NO INHERIT one stays on the parent.
-- from:
CREATE TABLE city (name text, population int);
CREATE TABLE capital (state char(2)) INHERITS (city);
-- to:
CREATE TABLE city (name text, population int, CONSTRAINT population_positive CHECK (population > 0),
  CONSTRAINT parent_only CHECK (name <> '') NO INHERIT);
CREATE TABLE capital (state char(2)) INHERITS (city);
-- statements:
ALTER TABLE public.city ADD CONSTRAINT population_positive CHECK (population > 0)

-- case: inheritance_check_dropped_from_parent
-- from:
CREATE TABLE city (name text, population int, CONSTRAINT population_positive CHECK (population > 0));
CREATE TABLE capital (state char(2)) INHERITS (city);
-- to:
CREATE TABLE city (name text, population int);
CREATE TABLE capital (state char(2)) INHERITS (city);
-- statements:
ALTER TABLE public.city DROP CONSTRAINT IF EXISTS population_positive;

-- case: inheritance_attached_and_detached
-- ALTER TABLE ... INHERIT needs the child to have the parent's columns already; NO INHERIT keeps
-- them as the child's own.
-- from:
CREATE TABLE city (name text, population int);
CREATE TABLE capital (name text, population int, state char(2));
CREATE TABLE village (name text, population int) INHERITS (city);
-- to:
CREATE TABLE city (name text, population int);
CREATE TABLE capital (name text, population int, state char(2)) INHERITS (city);
CREATE TABLE village (name text, population int);
-- statements:
ALTER TABLE public.capital INHERIT public.city;
ALTER TABLE public.village NO INHERIT public.city;

-- case: inheritance_multiple_parents_merge_columns
-- from:
CREATE TABLE named (id int, name text);
CREATE TABLE dated (id int, created date);
-- to:
CREATE TABLE named (id int, name text);
CREATE TABLE dated (id int, created date);
CREATE TABLE thing (id int, extra text) INHERITS (named, dated);
-- statements:
) INHERITS (public.named, public.dated);

-- case: inheritance_child_local_column_survives_parent_drop
-- A column the child declared itself (attislocal) stays when the parent drops it.
-- from:
CREATE TABLE city (name text, note text);
CREATE TABLE capital (note text, state char(2)) INHERITS (city);
-- to:
CREATE TABLE city (name text);
CREATE TABLE capital (note text, state char(2)) INHERITS (city);
-- hazards: data_loss
-- statements:
ALTER TABLE public.city DROP COLUMN note;

-- case: inheritance_parent_dropped_with_children_kept
-- Dropping the parent only: the child must be detached first (DROP TABLE without CASCADE fails).
-- from:
CREATE TABLE city (name text, population int);
CREATE TABLE capital (state char(2)) INHERITS (city);
-- to:
CREATE TABLE capital (name text, population int, state char(2));
-- hazards: data_loss
-- statements:
ALTER TABLE public.capital NO INHERIT public.city;
DROP TABLE public.city;

-- case: inheritance_quoted_names
-- from:
CREATE TABLE "Base Table" ("Id" int, "Some Col" text);
-- to:
CREATE TABLE "Base Table" ("Id" int, "Some Col" text, "New Col" int);
CREATE TABLE "Child Table" ("Own" int) INHERITS ("Base Table");
-- statements:
ALTER TABLE public."Base Table" ADD COLUMN "New Col" integer;
) INHERITS (public."Base Table");
