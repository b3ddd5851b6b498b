package org.edu2lms.capture;

/**
 * What the initial snapshot of a held table ({@link CaptureConfig#snapshotHeldTables()})
 * waits for: the number of records the downstream stage has still to consume, measured after the
 * capture has flushed everything it sent before the held table's first row. The capture asks again
 * every 250 ms until it reads 0 twice in a row, then sends the table's rows.
 *
 * <p>Why (docs/benchmarks §Where the records go): a child row that reaches the transform before
 * the rows it references have been derived is mapped as {@code missing_parent} (quarantine
 * records), then derived a second time when the parent arrives. Holding the big child tables back
 * until their parents are derived makes the initial load derive each row once.
 */
@FunctionalInterface
public interface SnapshotGate {

  /**
   * @return records not yet consumed downstream (consumer lag, in records); 0 when everything sent
   *     so far has been processed
   * @throws Exception when it cannot be measured now (the capture logs it and asks again)
   */
  long pendingRecords() throws Exception;
}
