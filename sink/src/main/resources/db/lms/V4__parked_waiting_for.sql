-- What a parked row waits for, so a retry takes only the rows whose missing parent has landed
-- (an index lookup per row) instead of every parked row after every batch: during an initial
-- load the transform can emit many children long before their parents, and retrying all of them
-- each time made the sink's work grow with the square of the parked set.
--
-- waiting_table/waiting_for: the LMS table and id of the missing parent; NULL when the row waits
-- for a unique value (retried whenever its table changes); waiting_table '-' for a row the LMS
-- rejected (mapping_error), which only a newer version of the row replaces.
ALTER TABLE edu2lms.parked
  ADD COLUMN waiting_table text NULL,
  ADD COLUMN waiting_for   uuid NULL;
