-- Convergence cases. Partitioned tables (PostgreSQL 15 docs: 5.11 Table Partitioning, CREATE
-- TABLE ... PARTITION OF, ALTER TABLE ... ATTACH / DETACH PARTITION, CREATE INDEX ... ON ONLY,
-- ALTER INDEX ... ATTACH PARTITION): list, range and hash partitioning; a parent's indexes,
-- PRIMARY KEY, UNIQUE, FOREIGN KEY and CHECK reach every partition; column changes go to the
-- parent; partitions are added, dropped, detached, attached and moved; a table switches between
-- partitioned and plain.
-- Format: tests/support/convergence_cases.h; runner: tests/integration/convergence_test.cpp.

-- case: partitioned_list_created
-- from:
-- to:
CREATE TABLE orders (id bigint NOT NULL, region text NOT NULL, total numeric(12,2),
  PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('de', 'fr');
CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');
CREATE TABLE orders_other PARTITION OF orders DEFAULT;
CREATE INDEX orders_total_idx ON orders (total);
-- statements:
CREATE TABLE public.orders_eu PARTITION OF public.orders FOR VALUES IN ('de', 'fr');
CREATE INDEX orders_total_idx ON ONLY public.orders

-- case: partitioned_range_with_sub_partitions
-- from:
-- to:
CREATE TABLE m (id int, at date NOT NULL, kind int) PARTITION BY RANGE (at);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
  PARTITION BY LIST (kind);
CREATE TABLE m_2024_a PARTITION OF m_2024 FOR VALUES IN (1, 2);
CREATE TABLE m_2024_b PARTITION OF m_2024 FOR VALUES IN (3);
CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX ON m (id);
-- statements:
CREATE TABLE public.m_2024 PARTITION OF public.m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (kind);
CREATE INDEX m_id_idx ON ONLY public.m (id);
CREATE INDEX m_2024_id_idx ON ONLY public.m_2024 (id);
ALTER INDEX public.m_2024_id_idx ATTACH PARTITION public.m_2024_a_id_idx;

-- case: partitioned_hash_created
-- from:
-- to:
CREATE TABLE h (id int PRIMARY KEY, v text) PARTITION BY HASH (id);
CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (modulus 2, remainder 0);
CREATE TABLE h1 PARTITION OF h FOR VALUES WITH (modulus 2, remainder 1);
-- statements:
CREATE TABLE public.h1 PARTITION OF public.h FOR VALUES WITH (modulus 2, remainder 1);

-- case: partition_added_and_dropped
-- from:
CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- to:
CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- hazards: data_loss
-- statements:
DROP TABLE public.m_2024;
CREATE TABLE public.m_2025 PARTITION OF public.m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');

-- case: partition_added_under_parent_with_keys_and_indexes
-- A new partition gets the parent's PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY and indexes from
-- PostgreSQL: none of them is created again on it.
-- from:
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE t (id int, at date, customer int REFERENCES customers, code text,
  CONSTRAINT t_pk PRIMARY KEY (id, at), UNIQUE (code, at), CHECK (id > 0))
  PARTITION BY RANGE (at);
CREATE INDEX t_customer ON t (customer);
CREATE INDEX t_lower_code ON t (lower(code));
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- to:
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE t (id int, at date, customer int REFERENCES customers, code text,
  CONSTRAINT t_pk PRIMARY KEY (id, at), UNIQUE (code, at), CHECK (id > 0))
  PARTITION BY RANGE (at);
CREATE INDEX t_customer ON t (customer);
CREATE INDEX t_lower_code ON t (lower(code));
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE t_2025 PARTITION OF t FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- statements:
CREATE TABLE public.t_2025 PARTITION OF public.t FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');

-- case: partition_added_under_parent_indexes_with_one_base_name
-- Three parent indexes on the same column: PostgreSQL names a new partition's copies
-- t2_id_idx, t2_id_idx1, t2_id_idx2 in the order of the parent indexes' OIDs, which the model
-- does not know. Here the source created them in reverse name order and the target numbered
-- the copies in name order, so the copies swap names: each is found by its parent index.
-- from:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE INDEX t_c ON t (id);
CREATE INDEX t_b ON t (id);
CREATE INDEX t_a ON t (id);
-- to:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE TABLE t2 PARTITION OF t FOR VALUES IN (2);
CREATE INDEX t_a ON t (id);
CREATE INDEX t_b ON t (id);
CREATE INDEX t_c ON t (id);
-- statements:
CREATE TABLE public.t2 PARTITION OF public.t FOR VALUES IN (2);
WHERE h.inhparent = 'public.t_a'::regclass AND x.indrelid = 'public.t2'::regclass;
ALTER INDEX public.pgdrift_clone_1_t2 RENAME TO t2_id_idx;
-- check_after:
SELECT count(*) FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
 WHERE (h.inhparent = 't_a'::regclass AND c.relname <> 't2_id_idx')
    OR (h.inhparent = 't_c'::regclass AND c.relname <> 't2_id_idx2');

-- case: partition_copies_numbered_against_parent_index_name_order
-- The target created its parent indexes in reverse name order after the partition: its copies
-- are numbered t_c -> t2_id_idx, t_b -> t2_id_idx1, t_a -> t2_id_idx2. The plan finds each copy
-- by its parent index; `inspect --format sql` creates the copies first, in parent order, so
-- that each parent CREATE INDEX attaches its own.
-- from:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE INDEX t_a ON t (id);
CREATE INDEX t_b ON t (id);
CREATE INDEX t_c ON t (id);
-- to:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE TABLE t2 PARTITION OF t FOR VALUES IN (2);
CREATE INDEX t_c ON t (id);
CREATE INDEX t_b ON t (id);
CREATE INDEX t_a ON t (id);
-- statements:
CREATE TABLE public.t2 PARTITION OF public.t FOR VALUES IN (2);
WHERE h.inhparent = 'public.t_c'::regclass AND x.indrelid = 'public.t2'::regclass;
ALTER INDEX public.pgdrift_clone_1_t2 RENAME TO t2_id_idx;
-- check_after:
SELECT count(*) FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
 WHERE (h.inhparent = 't_a'::regclass AND c.relname <> 't2_id_idx2')
    OR (h.inhparent = 't_c'::regclass AND c.relname <> 't2_id_idx');

-- case: parent_index_reaches_partitions
-- from:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);
CREATE TABLE t2 PARTITION OF t FOR VALUES IN (2) PARTITION BY LIST (v);
CREATE TABLE t2a PARTITION OF t2 FOR VALUES IN ('a');
-- to:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);
CREATE TABLE t2 PARTITION OF t FOR VALUES IN (2) PARTITION BY LIST (v);
CREATE TABLE t2a PARTITION OF t2 FOR VALUES IN ('a');
CREATE INDEX t_v ON t (v);
-- hazards: index_build not_transactional
-- statements:
CREATE INDEX t_v ON ONLY public.t (v);
CREATE INDEX CONCURRENTLY t1_v_idx ON public.t1 (v);
ALTER INDEX public.t_v ATTACH PARTITION public.t1_v_idx;
CREATE INDEX t2_v_idx ON ONLY public.t2 (v);
ALTER INDEX public.t2_v_idx ATTACH PARTITION public.t2a_v_idx;
ALTER INDEX public.t_v ATTACH PARTITION public.t2_v_idx;

-- case: parent_index_reaches_partitions_offline
-- from:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);
-- to:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);
CREATE UNIQUE INDEX t_id_v ON t (id, v);
-- options: offline
-- hazards: index_build blocks_writes
-- statements:
CREATE UNIQUE INDEX t_id_v ON ONLY public.t (id, v);
CREATE UNIQUE INDEX t1_id_v_idx ON public.t1 (id, v);

-- case: partition_index_named_apart_is_attached
-- The partition already has an index of the parent index's definition: it is attached, not
-- built again; in the other direction the parent's index goes and the partition's with it.
-- from:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);
CREATE INDEX t1_mine ON t1 (v);
-- to:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);
CREATE INDEX t1_mine ON t1 (v);
CREATE INDEX t_v ON t (v);
-- statements:
ALTER INDEX public.t_v ATTACH PARTITION public.t1_mine;

-- case: parent_index_dropped_takes_partitions_copies
-- from:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);
CREATE INDEX t_v ON t (v);
-- to:
CREATE TABLE t (id int, v text) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);
-- hazards: index_dropped
-- statements:
DROP INDEX IF EXISTS public.t_v;

-- case: parent_primary_key_and_unique_reach_partitions
-- from:
CREATE TABLE t (id int NOT NULL, at date NOT NULL, code text) PARTITION BY RANGE (at);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- to:
CREATE TABLE t (id int NOT NULL, at date NOT NULL, code text, PRIMARY KEY (id, at),
  CONSTRAINT t_code_at UNIQUE (code, at)) PARTITION BY RANGE (at);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- statements:
ALTER TABLE public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id, at);
ALTER TABLE public.t ADD CONSTRAINT t_code_at UNIQUE (code, at);

-- case: parent_foreign_key_and_check_reach_partitions
-- from:
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE t (id int, customer int, at date) PARTITION BY RANGE (at);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- to:
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE t (id int, customer int REFERENCES customers, at date,
  CONSTRAINT id_positive CHECK (id > 0)) PARTITION BY RANGE (at);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- statements:
ALTER TABLE public.t ADD CONSTRAINT t_customer_fkey FOREIGN KEY (customer) REFERENCES public.customers(id)
ALTER TABLE public.t ADD CONSTRAINT id_positive CHECK (id > 0)

-- case: partition_key_clone_renamed
-- A partition's copy of the parent's PRIMARY KEY under a name of its own.
-- from:
CREATE TABLE t (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
-- to:
CREATE TABLE t (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE t_2024 (id int NOT NULL, at date NOT NULL, CONSTRAINT t_2024_key PRIMARY KEY (id, at));
ALTER TABLE t ATTACH PARTITION t_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- statements:
RENAME CONSTRAINT t_2024_pkey TO t_2024_key

-- case: column_changes_go_to_the_parent
-- from:
CREATE TABLE t (id int, amount double precision, note text, old int) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);
CREATE TABLE t2 PARTITION OF t FOR VALUES IN (2);
-- to:
CREATE TABLE t (id int, amount numeric(12,2), note text NOT NULL DEFAULT '', added int DEFAULT 0)
  PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);
CREATE TABLE t2 PARTITION OF t FOR VALUES IN (2);
-- hazards: data_loss precision_loss
-- statements:
ALTER TABLE public.t ADD COLUMN added integer DEFAULT 0;
ALTER TABLE public.t DROP COLUMN old;
ALTER TABLE public.t ALTER COLUMN amount TYPE numeric(12,2);

-- case: partition_own_default_and_not_null
-- A partition may have a default and a NOT NULL of its own; the parent's SET DEFAULT
-- overwrites it, so it is set again after.
-- from:
CREATE TABLE t (id int, v int DEFAULT 1, w int) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t (v WITH OPTIONS DEFAULT 7) FOR VALUES IN (1);
CREATE TABLE t2 PARTITION OF t FOR VALUES IN (2);
-- to:
CREATE TABLE t (id int, v int DEFAULT 2, w int) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t (v WITH OPTIONS DEFAULT 7) FOR VALUES IN (1);
CREATE TABLE t2 PARTITION OF t (w WITH OPTIONS NOT NULL) FOR VALUES IN (2);
-- statements:
ALTER TABLE public.t ALTER COLUMN v SET DEFAULT 2;
ALTER TABLE public.t1 ALTER COLUMN v SET DEFAULT 7;

-- case: partition_with_column_options_created
-- from:
CREATE TABLE t (id int, v int DEFAULT 1, w int) PARTITION BY LIST (id);
-- to:
CREATE TABLE t (id int, v int DEFAULT 1, w int) PARTITION BY LIST (id);
CREATE TABLE t1 PARTITION OF t (v WITH OPTIONS DEFAULT 7, w NOT NULL) FOR VALUES IN (1);
-- statements:
CREATE TABLE public.t1 PARTITION OF public.t (

-- case: table_attached_as_partition
-- An existing table becomes a partition: its indexes and keys matching the parent's are
-- attached; the parent's CHECK must be on it before ATTACH PARTITION; the detach direction
-- keeps them as the table's own.
-- from:
CREATE TABLE t (id int NOT NULL, at date NOT NULL, v text, PRIMARY KEY (id, at),
  CONSTRAINT v_set CHECK (v <> '')) PARTITION BY RANGE (at);
CREATE INDEX t_v ON t (v);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE t_old (id int NOT NULL, at date NOT NULL, v text);
-- to:
CREATE TABLE t (id int NOT NULL, at date NOT NULL, v text, PRIMARY KEY (id, at),
  CONSTRAINT v_set CHECK (v <> '')) PARTITION BY RANGE (at);
CREATE INDEX t_v ON t (v);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE t_old PARTITION OF t FOR VALUES FROM ('2000-01-01') TO ('2024-01-01');
-- hazards: validation_scan
-- statements:
ALTER TABLE public.t ATTACH PARTITION public.t_old FOR VALUES FROM ('2000-01-01') TO ('2024-01-01');

-- case: partition_moved_to_another_bound
-- from:
CREATE TABLE t (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE t_a PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- to:
CREATE TABLE t (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE t_a PARTITION OF t FOR VALUES FROM ('2023-01-01') TO ('2025-01-01');
-- statements:
ALTER TABLE public.t DETACH PARTITION public.t_a;
ALTER TABLE public.t ATTACH PARTITION public.t_a FOR VALUES FROM ('2023-01-01') TO ('2025-01-01');

-- case: partitioned_to_plain
-- Partitioning cannot change in place: the table and its partitions are recreated.
-- from:
CREATE TABLE t (id int PRIMARY KEY, v text) PARTITION BY HASH (id);
CREATE TABLE t0 PARTITION OF t FOR VALUES WITH (modulus 2, remainder 0);
CREATE TABLE t1 PARTITION OF t FOR VALUES WITH (modulus 2, remainder 1);
CREATE INDEX t_v ON t (v);
-- to:
CREATE TABLE t (id int PRIMARY KEY, v text);
CREATE INDEX t_v ON t (v);
-- hazards: data_loss
-- statements:
DROP TABLE public.t;

-- case: partition_key_changed_recreates_partitions
-- from:
CREATE TABLE t (id int, at date, v text) PARTITION BY RANGE (at);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX t_v ON t (v);
-- to:
CREATE TABLE t (id int, at date, v text) PARTITION BY LIST (v);
CREATE TABLE t_2024 PARTITION OF t FOR VALUES IN ('a');
CREATE INDEX t_v ON t (v);
-- hazards: data_loss
-- statements:
CREATE TABLE public.t_2024 PARTITION OF public.t FOR VALUES IN ('a');

-- case: partitions_in_another_schema
-- from:
CREATE SCHEMA archive;
CREATE TABLE t (id int, at date, "Note" text) PARTITION BY RANGE (at);
-- to:
CREATE SCHEMA archive;
CREATE TABLE t (id int, at date, "Note" text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE archive."t 2020" PARTITION OF t FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE INDEX t_note ON t ("Note");
-- statements:
CREATE TABLE archive."t 2020" PARTITION OF public.t FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER INDEX public.t_note ATTACH PARTITION archive."t 2020_Note_idx";
