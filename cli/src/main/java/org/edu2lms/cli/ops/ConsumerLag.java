package org.edu2lms.cli.ops;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.edu2lms.schemas.EduTables;
import org.edu2lms.schemas.LmsTopics;

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

  /**
   * As {@link #total}, without the heartbeat topics ({@code edu.public.edu2lms_heartbeat}, {@code
   * edu2lms.heartbeat}): the lag of legacy data only. Heartbeats flow every second, so a pipeline
   * with nothing else to do would otherwise rarely show exactly 0.
   *
   * @return the lag summed; -1 when the group has committed nothing yet
   */
  public static long dataTotal(Admin admin, String groupId) throws ExecutionException, InterruptedException {
    Map<TopicPartition, Long> lag = perPartition(admin, groupId);
    if (lag.isEmpty()) {
      return -1;
    }
    return lag.entrySet().stream().filter(e -> !isHeartbeat(e.getKey().topic())).mapToLong(Map.Entry::getValue).sum();
  }

  /** Whether a topic carries heartbeats rather than legacy data. */
  public static boolean isHeartbeat(String topic) {
    return topic.equals(EduTables.topic(EduTables.HEARTBEAT)) || topic.equals(LmsTopics.HEARTBEAT.name());
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
