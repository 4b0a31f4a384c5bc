-- Renames asked for by a `pgdrift:renamed-from` annotation in the target: planned as
-- ALTER ... RENAME, so the rows stay. (An annotation line is indented here: a line starting
-- with `--` is a comment of this file, not part of the schema.)

-- case: table_renamed_keeps_rows
-- from:
CREATE TABLE customers (id int PRIMARY KEY, name text);
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 20) g;
-- to:
  -- pgdrift:renamed-from customers
CREATE TABLE clients (
  id int,
  name text,
  CONSTRAINT clients_pkey PRIMARY KEY (id)  -- pgdrift:renamed-from customers_pkey
);
-- hazards: access_exclusive_lock
-- statements:
ALTER TABLE public.customers RENAME TO clients;
ALTER TABLE public.clients RENAME CONSTRAINT customers_pkey TO clients_pkey;
-- check_after:
SELECT 20 - count(*) FROM clients
-- options: annotated

-- case: column_renamed_keeps_values
-- from:
CREATE TABLE t (id int, fullname text);
INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 20) g;
-- to:
CREATE TABLE t (
  id int,
  display_name text  -- pgdrift:renamed-from fullname
);
-- statements:
ALTER TABLE public.t RENAME COLUMN fullname TO display_name;
-- check_after:
SELECT 20 - count(*) FROM t WHERE display_name = 'n' || id
-- options: annotated

-- case: column_renamed_and_retyped
-- from:
CREATE TABLE t (id int, amount int);
INSERT INTO t SELECT g, g * 10 FROM generate_series(1, 20) g;
-- to:
CREATE TABLE t (
  id int,
  -- pgdrift:renamed-from amount
  total bigint
);
-- hazards: table_rewrite
-- statements:
ALTER TABLE public.t RENAME COLUMN amount TO total;
ALTER COLUMN total TYPE bigint
-- check_after:
SELECT 20 - count(*) FROM t WHERE total = id * 10
-- options: annotated

-- case: index_renamed
-- from:
CREATE TABLE t (id int, email text);
CREATE INDEX t_email_idx ON t (email);
-- to:
CREATE TABLE t (id int, email text);
  -- pgdrift:renamed-from t_email_idx
CREATE INDEX t_by_email ON t (email);
-- statements:
ALTER INDEX public.t_email_idx RENAME TO t_by_email;
-- options: annotated

-- case: constraint_renamed
-- from:
CREATE TABLE t (id int, qty int, CONSTRAINT t_qty_check CHECK (qty > 0), CONSTRAINT t_pk PRIMARY KEY (id));
-- to:
CREATE TABLE t (
  id int,
  qty int,
  -- pgdrift:renamed-from t_qty_check
  CONSTRAINT qty_positive CHECK (qty > 0),
  CONSTRAINT t_id_pkey PRIMARY KEY (id)  -- pgdrift:renamed-from t_pk
);
-- statements:
ALTER TABLE public.t RENAME CONSTRAINT t_qty_check TO qty_positive;
ALTER TABLE public.t RENAME CONSTRAINT t_pk TO t_id_pkey;
-- options: annotated

-- case: referenced_table_renamed
-- from:
CREATE TABLE authors (id int PRIMARY KEY, name text);
CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors (id));
INSERT INTO authors SELECT g, 'a' || g FROM generate_series(1, 5) g;
INSERT INTO books SELECT g, 1 + g % 5 FROM generate_series(1, 10) g;
-- to:
  -- pgdrift:renamed-from authors
CREATE TABLE writers (id int PRIMARY KEY, name text);
CREATE TABLE books (
  id int PRIMARY KEY,
  writer_id int REFERENCES writers (id)  -- pgdrift:renamed-from author_id
);
-- statements:
ALTER TABLE public.authors RENAME TO writers;
ALTER TABLE public.books RENAME COLUMN author_id TO writer_id;
-- check_after:
SELECT (SELECT 5 - count(*) FROM writers) + (SELECT 10 - count(*) FROM books JOIN writers ON writers.id = books.writer_id)
-- options: annotated

-- case: renamed_from_a_name_the_source_lacks_is_a_create
-- from:
CREATE TABLE other (id int);
-- to:
CREATE TABLE other (id int);
  -- pgdrift:renamed-from nowhere
CREATE TABLE fresh (id int);
-- statements:
CREATE TABLE public.fresh
