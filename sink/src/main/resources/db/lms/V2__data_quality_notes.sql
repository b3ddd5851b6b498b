-- Data-quality notes (mapping.md §Reason codes): an accepted row whose value needed a rule that
-- loses information (an unparseable date written as NULL, a soft reference set to NULL). The row
-- is in LMS; the note says what was lost. Same key as edu2lms.quarantine.
CREATE TABLE edu2lms.data_quality_notes (
  source_table text NOT NULL,
  source_id    bigint NOT NULL,
  component    smallint NOT NULL DEFAULT 0,
  notes        text[] NOT NULL,
  last_seen    timestamptz NOT NULL,
  PRIMARY KEY (source_table, source_id, component)
);
