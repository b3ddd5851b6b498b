-- The capture's heartbeat as it reached LMS: one row per heartbeat id (the capture writes id 1).
--
-- edu_committed_at is the EDU transaction time of the latest heartbeat the sink has written;
-- lms_committed_at the LMS clock when the sink wrote it. now() - edu_committed_at is how far LMS
-- is behind EDU (end-to-end freshness), true even when no legacy row changes; lms_committed_at -
-- edu_committed_at is the latency of that heartbeat through capture, transform and sink. Both
-- compare the clocks of two servers: keep them synchronised (NTP).
CREATE TABLE edu2lms.heartbeat (
  id               bigint PRIMARY KEY,
  edu_committed_at timestamptz NOT NULL,
  lms_committed_at timestamptz NOT NULL
);
