-- Tombstones of parent rows the sink has not applied yet because LMS rows still reference them.
--
-- The transform emits a child's own tombstone (or new value) whenever its parent goes away, but
-- the sink reads many topics and may see the parent's tombstone after the child's newer value: a
-- parent deleted and inserted again in EDU (its children come back, mapping.md §The invariant)
-- arrives as child value, parent tombstone, parent value. Applying the tombstone then would let
-- ON DELETE CASCADE remove, or ON DELETE SET NULL blank, a child row whose latest record says it
-- stays. So a parent's delete waits here until no LMS row references it (the children's own
-- tombstones or re-pointed values arrive), and is cancelled by a newer value of the parent.
CREATE TABLE edu2lms.pending_deletes (
  lms_table   text NOT NULL,
  id          uuid NOT NULL,
  first_seen  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (lms_table, id)
);
