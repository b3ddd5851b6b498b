package org.edu2lms.sink;

/**
 * How the sink loads a batch into its session-local staging table before the set-based {@code
 * INSERT … SELECT … ON CONFLICT} upsert. Chosen by measurement ({@code edu2lms bench sink}, report
 * in {@code docs/benchmarks/}); the README's sink section gives the figures.
 */
public enum StageMethod {
  /** {@code COPY pg_temp.stage_<table> FROM STDIN (FORMAT csv)}, one stream per table per batch. */
  COPY,
  /** A JDBC batch of single-row {@code INSERT … VALUES (…)}, 2,000 rows a round trip. */
  INSERT
}
