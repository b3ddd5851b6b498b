package org.edu2lms.cli.ops;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.edu2lms.capture.SnapshotGate;

/**
 * The transform's consumer lag on legacy data over every topic it reads ({@link
 * ConsumerLag#transformReads}), including partitions it has not committed an offset for yet: 0
 * means every record written so far has been processed and its results committed (exactly-once:
 * outputs and input offsets commit together).
 *
 * <p>It is the capture's {@link SnapshotGate} ({@code capture.snapshot.held.tables}): the
 * initial snapshot of a held table waits for 0. Heartbeat topics are not counted.
 */
public final class TransformInputLag implements SnapshotGate {

  private final Admin admin;
  private final String applicationId;

  /**
   * @param admin a connected admin client
   * @param applicationId the transform's Kafka Streams application id (its consumer group and
   *     internal-topic prefix)
   */
  public TransformInputLag(Admin admin, String applicationId) {
    this.admin = admin;
    this.applicationId = applicationId;
  }

  /**
   * @return records written to the transform's input topics and not yet consumed by its group
   * @throws ExecutionException when the broker cannot answer
   */
  @Override
  public long pendingRecords() throws ExecutionException, InterruptedException {
    return ConsumerLag.transformDataLag(admin, applicationId);
  }
}
