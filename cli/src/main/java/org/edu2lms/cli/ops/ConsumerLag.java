package org.edu2lms.cli.ops;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.edu2lms.schemas.EduTables;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.Topic;

/**
 * Consumer lag of one consumer group over every partition of the topics it reads: per partition
 * the end offset minus the group's committed offset, where a partition the group has not
 * committed an offset for yet (or whose commit is older than the log start) counts from its log
 * start, as a consumer with {@code auto.offset.reset=earliest} would read it.
 *
 * <p>{@code kafka-consumer-groups --describe} shows only committed partitions; counting those
 * alone made a pipeline look caught up while a partition with data had no commit yet (the
 * transform had not reached {@code edu.public.journal_details}, snapshotted last), so every lag
 * figure of the tool (the {@code lag} command, the status page, {@code cutover-check}, the
 * catch-up probe, the transform's commit-interval switch) reads the group's input topics
 * ({@link #transformReads}, {@link #sinkReads}).
 */
public final class ConsumerLag {

  private ConsumerLag() {}

  /**
   * The lag of one group.
   *
   * @param perPartition lag in records per partition: every partition of the group's input topics
   *     and every other partition it has committed an offset for
   * @param committedAny whether the group has committed any offset yet
   */
  public record GroupLag(Map<TopicPartition, Long> perPartition, boolean committedAny) {

    /** The lag summed over every partition, records. */
    public long total() {
      return perPartition.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The lag of legacy data only, records: heartbeat topics ({@code edu.public.edu2lms_heartbeat},
     * {@code edu2lms.heartbeat}) are not counted. Heartbeats flow every second, so a pipeline with
     * nothing else to do would otherwise rarely show exactly 0.
     */
    public long dataTotal() {
      return perPartition.entrySet().stream().filter(e -> !isHeartbeat(e.getKey().topic())).mapToLong(Map.Entry::getValue).sum();
    }
  }

  /**
   * The topics the transform reads: the EDU tables' topics {@code edu.public.<table>}, the EDU
   * heartbeat topic, and its own repartition and foreign-key subscription topics ({@code
   * <applicationId>-…}, changelogs excluded: they are written, not consumed, by the group).
   *
   * @param applicationId the transform's Kafka Streams application id (its consumer group)
   */
  public static Predicate<String> transformReads(String applicationId) {
    return topic -> {
      if (topic.startsWith(applicationId + "-")) {
        return !topic.endsWith("-changelog");
      }
      return topic.equals(EduTables.topic(EduTables.HEARTBEAT)) || EduTables.ALL.stream().anyMatch(t -> EduTables.topic(t).equals(topic));
    };
  }

  /**
   * The topics the sink reads: the 15 {@code lms.<table>} topics, {@code edu2lms.quarantine},
   * {@code edu2lms.data_quality_notes} ({@link LmsTopics#ALL}) and {@code edu2lms.heartbeat}.
   */
  public static Predicate<String> sinkReads() {
    Set<String> names = LmsTopics.ALL.stream().map(Topic::name).collect(Collectors.toSet());
    names.add(LmsTopics.HEARTBEAT.name());
    return names::contains;
  }

  /**
   * Reads the lag of {@code groupId} from the broker.
   *
   * @param reads which existing topics the group consumes ({@link #transformReads}, {@link #sinkReads})
   * @throws ExecutionException when the broker cannot answer
   */
  public static GroupLag of(Admin admin, String groupId, Predicate<String> reads) throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
    Set<String> existing = admin.listTopics().names().get();
    Set<String> topics = existing.stream().filter(reads).collect(Collectors.toSet());
    committed.keySet().stream().map(TopicPartition::topic).filter(existing::contains).forEach(topics::add);
    Set<TopicPartition> partitions = KafkaTopics.partitions(admin, topics);
    Map<TopicPartition, Long> starts = KafkaTopics.offsetsOf(admin, partitions, OffsetSpec.earliest());
    Map<TopicPartition, Long> ends = KafkaTopics.offsetsOf(admin, partitions, OffsetSpec.latest());
    return new GroupLag(lag(starts, ends, committed), committed.values().stream().anyMatch(o -> o != null));
  }

  /**
   * Per partition of {@code ends}: its end minus the committed offset, or minus its log start
   * when there is no commit or the commit is older than the log start; never negative.
   *
   * @param starts log start offset per partition (absent: 0)
   * @param ends end offset per partition: the partitions counted
   * @param committed the group's committed offsets (partitions may be missing; values may be null)
   */
  public static Map<TopicPartition, Long> lag(
      Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends, Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<TopicPartition, Long> lag = new HashMap<>();
    ends.forEach((tp, end) -> {
      OffsetAndMetadata c = committed.get(tp);
      long from = Math.max(starts.getOrDefault(tp, 0L), c == null ? 0 : c.offset());
      lag.put(tp, Math.max(0, end - from));
    });
    return lag;
  }

  /**
   * The transform's lag on legacy data (heartbeats not counted), records.
   *
   * @throws ExecutionException when the broker cannot answer
   */
  public static long transformDataLag(Admin admin, String applicationId) throws ExecutionException, InterruptedException {
    return of(admin, applicationId, transformReads(applicationId)).dataTotal();
  }

  /**
   * The sink's lag on legacy data (heartbeats not counted), records.
   *
   * @throws ExecutionException when the broker cannot answer
   */
  public static long sinkDataLag(Admin admin, String groupId) throws ExecutionException, InterruptedException {
    return of(admin, groupId, sinkReads()).dataTotal();
  }

  /** Whether a topic carries heartbeats rather than legacy data. */
  public static boolean isHeartbeat(String topic) {
    return topic.equals(EduTables.topic(EduTables.HEARTBEAT)) || topic.equals(LmsTopics.HEARTBEAT.name());
  }
}
