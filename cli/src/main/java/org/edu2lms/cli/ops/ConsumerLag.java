package org.edu2lms.cli.ops;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer lag of one consumer group, the way {@code kafka-consumer-groups --describe} computes it:
 * per partition the log-end offset minus the group's committed offset.
 */
public final class ConsumerLag {

  private ConsumerLag() {}

  /**
   * @return the lag summed over every partition the group has committed offsets for; -1 when the
   *     group has committed nothing yet
   * @throws ExecutionException when the broker cannot answer
   */
  public static long total(Admin admin, String groupId) throws ExecutionException, InterruptedException {
    Map<TopicPartition, Long> lag = perPartition(admin, groupId);
    if (lag.isEmpty()) {
      return -1;
    }
    return lag.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Lag per partition of the partitions the group has committed offsets for. */
  public static Map<TopicPartition, Long> perPartition(Admin admin, String groupId)
      throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
    Map<TopicPartition, Long> lag = new HashMap<>();
    committed.forEach(
        (tp, om) -> {
          if (om != null) {
            lag.put(tp, Math.max(0, ends.get(tp).offset() - om.offset()));
          }
        });
    return lag;
  }
}
