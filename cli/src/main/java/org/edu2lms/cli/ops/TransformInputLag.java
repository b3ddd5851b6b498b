package org.edu2lms.cli.ops;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.edu2lms.capture.SnapshotGate;
import org.edu2lms.schemas.EduTables;

/**
 * The transform's consumer lag over every topic it reads, including partitions it has not
 * committed an offset for yet: the EDU topics {@code edu.public.<table>} and its own repartition
 * and foreign-key subscription topics ({@code <application id>-…}, changelogs excluded). Unlike
 * {@link ConsumerLag}, which sees only committed partitions, a partition with records and no
 * commit counts in full, so 0 means every record written so far has been processed and its
 * results committed (exactly-once: outputs and input offsets commit together).
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
    Set<String> existing = admin.listTopics().names().get();
    Set<String> inputs = existing.stream().filter(t -> isInput(t, applicationId)).collect(Collectors.toSet());
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, Long> starts = KafkaTopics.offsets(admin, inputs, OffsetSpec.earliest());
    Map<TopicPartition, Long> ends = KafkaTopics.endOffsets(admin, inputs);
    return pending(starts, ends, committed);
  }

  /**
   * Whether the transform reads this topic: an EDU table's topic, or one of its own internal
   * topics that is not a changelog. Heartbeat topics are not counted ({@link ConsumerLag#isHeartbeat}).
   */
  static boolean isInput(String topic, String applicationId) {
    if (ConsumerLag.isHeartbeat(topic)) {
      return false;
    }
    if (topic.startsWith(applicationId + "-")) {
      return !topic.endsWith("-changelog");
    }
    return EduTables.ALL.stream().anyMatch(t -> EduTables.topic(t).equals(topic));
  }

  /**
   * Records between each partition's committed offset (its log start when there is none, or when
   * the commit is older than the log start) and its end, summed.
   *
   * @param starts log start offset per input partition (absent: 0)
   * @param ends end offset per input partition
   * @param committed the group's committed offsets (partitions may be missing; values may be null)
   */
  static long pending(Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends, Map<TopicPartition, OffsetAndMetadata> committed) {
    long pending = 0;
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      long from = Math.max(starts.getOrDefault(e.getKey(), 0L), c == null ? 0 : c.offset());
      pending += Math.max(0, e.getValue() - from);
    }
    return pending;
  }
}
