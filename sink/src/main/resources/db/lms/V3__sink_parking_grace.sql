-- The sink's own accounting of rows it cannot write (issue "A sink that keeps LMS constraints on").
--
-- A row parked in edu2lms.parked (its parent, or the other side of a unique constraint, is still
-- in flight) is retried whenever new data lands and on a timer. Once it has waited longer than the
-- grace period it is also written to edu2lms.quarantine with origin 'sink' and the reason
-- missing_parent:<edu table> or conflict:<lms constraint>, so the accounting of mapping.md names it
-- instead of losing it; the entry goes away in the transaction that finally writes the row.
--
-- origin separates those entries from the transform's (origin 'transform', materialized from the
-- edu2lms.quarantine topic): a tombstone on the topic deletes only a transform entry.
ALTER TABLE edu2lms.quarantine
  ADD COLUMN origin text NOT NULL DEFAULT 'transform' CHECK (origin IN ('transform', 'sink'));

-- The EDU identity of a parked row (mapping.md §Accounting keys), set when the row is parked, and
-- a human-readable detail (the LMS table, id and the missing reference or constraint).
ALTER TABLE edu2lms.parked
  ADD COLUMN source_table text NULL,
  ADD COLUMN source_id    bigint NULL,
  ADD COLUMN component    smallint NULL,
  ADD COLUMN detail       text NULL;

CREATE INDEX parked_first_seen_idx ON edu2lms.parked (first_seen);
