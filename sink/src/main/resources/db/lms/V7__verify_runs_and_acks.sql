-- edu2lms verify records each run; the status page and cutover-check read the latest.
CREATE TABLE edu2lms.verify_runs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz NOT NULL,
  passed       boolean NOT NULL,
  problems     text[] NOT NULL,
  report       jsonb NOT NULL
);
CREATE INDEX ON edu2lms.verify_runs (finished_at);

-- Quarantine reasons the operator has reviewed and accepted (edu2lms quarantine ack <reason>):
-- cutover-check is READY only when every reason present in edu2lms.quarantine is here.
CREATE TABLE edu2lms.quarantine_acks (
  reason          text PRIMARY KEY,
  acknowledged_at timestamptz NOT NULL DEFAULT now(),
  acknowledged_by text NOT NULL DEFAULT current_user,
  note            text NULL
);
