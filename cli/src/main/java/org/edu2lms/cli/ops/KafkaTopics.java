package org.edu2lms.cli.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.edu2lms.capture.EduCapture;
import org.edu2lms.schemas.EduTables;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.Topic;

/**
 * Creates the pipeline's topics when they do not exist (architecture.md): {@code edu.public.<table>}
 * for every EDU table, {@code lms.<table>}, {@code edu2lms.quarantine} and the notes, all compacted,
 * since each carries per key the latest state (or a tombstone), which is what a replay needs;
 * the heartbeat topics (Debezium's, {@code edu.public.edu2lms_heartbeat}, {@code edu2lms.heartbeat}); and
 * the sink's dead-letter topic ({@link LmsTopics#DEAD_LETTER}, unlimited retention, not compacted).
 */
public final class KafkaTopics {

  private KafkaTopics() {}

  /**
   * @param admin a connected admin client
   * @param partitions partitions per topic
   * @param replicationFactor replicas per partition
   * @return the names of the topics created now
   * @throws ExecutionException when the broker refuses a creation
   */
  public static List<String> ensure(Admin admin, int partitions, short replicationFactor)
      throws ExecutionException, InterruptedException {
    Set<String> existing = admin.listTopics().names().get();
    List<NewTopic> wanted = new ArrayList<>();
    Map<String, String> compacted =
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    for (String table : EduTables.ALL) {
      wanted.add(new NewTopic(EduTables.topic(table), partitions, replicationFactor).configs(compacted));
    }
    for (Topic<String, ?> t : LmsTopics.ALL) {
      wanted.add(new NewTopic(t.name(), partitions, replicationFactor).configs(compacted));
    }
    // Heartbeats: one key each, compacted; one partition (the transform co-partitions nothing with them).
    wanted.add(new NewTopic(EduTables.topic(EduTables.HEARTBEAT), 1, replicationFactor).configs(compacted));
    wanted.add(new NewTopic(EduCapture.HEARTBEAT_TOPIC_PREFIX + "." + EduTables.TOPIC_PREFIX, 1, replicationFactor).configs(compacted));
    wanted.add(new NewTopic(LmsTopics.HEARTBEAT.name(), 1, replicationFactor).configs(compacted));
    // Dead letters are kept for as long as the broker keeps anything: each is an unexplained record.
    wanted.add(
        new NewTopic(LmsTopics.DEAD_LETTER, 1, replicationFactor)
            .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1")));
    wanted.removeIf(t -> existing.contains(t.name()));
    List<String> created = new ArrayList<>();
    if (!wanted.isEmpty()) {
      for (Map.Entry<String, KafkaFuture<Void>> f : admin.createTopics(wanted).values().entrySet()) {
        try {
          f.getValue().get();
          created.add(f.getKey());
        } catch (ExecutionException e) {
          // Stages started together (edu2lms run capture|transform|sink) create the same topics.
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
    return created;
  }

  /**
   * Checks that every EDU topic has the same number of partitions. The transform multicasts the
   * changes of a parent (points; mappable sections, students, exams, enrollments) to each partition
   * of a repartition topic whose size Kafka Streams derives from the parent's own input topics,
   * and each task of the child (journal_details, journal, exam_result) must receive them all
   * (EduToLmsTopology, BroadcastLookup, PointsLookup). Pre-created topics with other counts would
   * leave the children of some partitions without their parents.
   *
   * @param admin a connected admin client
   * @throws IllegalStateException naming each EDU topic and its count when they differ
   * @throws ExecutionException when the topics cannot be described
   */
  public static void requireEduTopicsPartitionedAlike(Admin admin) throws ExecutionException, InterruptedException {
    List<String> topics = EduTables.ALL.stream().map(EduTables::topic).toList();
    Map<String, Integer> counts = new java.util.TreeMap<>();
    admin.describeTopics(topics).allTopicNames().get().forEach((name, d) -> counts.put(name, d.partitions().size()));
    Optional<String> problem = partitionProblem(counts);
    if (problem.isPresent()) {
      throw new IllegalStateException(problem.get());
    }
  }

  /**
   * The problem with the partition counts of the EDU topics, if any (see {@link
   * #requireEduTopicsPartitionedAlike}).
   *
   * @param counts partitions per EDU topic
   * @return the message naming every count, or empty when they are all equal
   */
  public static Optional<String> partitionProblem(Map<String, Integer> counts) {
    if (counts.values().stream().distinct().count() <= 1) {
      return Optional.empty();
    }
    Map<Integer, List<String>> byCount = new java.util.TreeMap<>();
    new java.util.TreeMap<>(counts).forEach((topic, n) -> byCount.computeIfAbsent(n, k -> new ArrayList<>()).add(topic));
    StringBuilder found = new StringBuilder();
    byCount.forEach((n, names) -> found.append(found.isEmpty() ? "" : "; ").append(n).append(" partition(s): ").append(String.join(", ", names)));
    return Optional.of(
        "transform: the EDU topics differ in partition count (" + found + "); every change of a parent table is sent to"
            + " each partition of its children's tasks, so all need the same count (add partitions to the smaller with"
            + " kafka-topics --alter, or recreate the topics with topics.partitions)");
  }

  /**
   * The end offset of every partition of the given topics (the next offset to be written).
   *
   * @param admin a connected admin client
   * @param topics existing topics
   * @throws ExecutionException when a topic cannot be described or its offsets listed
   */
  public static Map<TopicPartition, Long> endOffsets(Admin admin, Set<String> topics) throws ExecutionException, InterruptedException {
    return offsets(admin, topics, OffsetSpec.latest());
  }

  /**
   * The offset {@code spec} names ({@link OffsetSpec#earliest()}: the log start; {@link
   * OffsetSpec#latest()}: the end) of every partition of the given topics.
   *
   * @throws ExecutionException when a topic cannot be described or its offsets listed
   */
  public static Map<TopicPartition, Long> offsets(Admin admin, Set<String> topics, OffsetSpec spec)
      throws ExecutionException, InterruptedException {
    return offsetsOf(admin, partitions(admin, topics), spec);
  }

  /**
   * Every partition of the given topics.
   *
   * @param topics existing topics
   * @throws ExecutionException when a topic cannot be described
   */
  public static Set<TopicPartition> partitions(Admin admin, Set<String> topics) throws ExecutionException, InterruptedException {
    Set<TopicPartition> out = new java.util.HashSet<>();
    admin.describeTopics(topics).allTopicNames().get().forEach((name, d) ->
        d.partitions().forEach(p -> out.add(new TopicPartition(name, p.partition()))));
    return out;
  }

  /**
   * The offset {@code spec} names of each of the given partitions ({@link #partitions}), without
   * describing their topics again.
   *
   * @throws ExecutionException when the offsets cannot be listed
   */
  public static Map<TopicPartition, Long> offsetsOf(Admin admin, Set<TopicPartition> partitions, OffsetSpec spec)
      throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetSpec> wanted = new java.util.HashMap<>();
    partitions.forEach(tp -> wanted.put(tp, spec));
    Map<TopicPartition, Long> out = new java.util.HashMap<>();
    admin.listOffsets(wanted).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }
}
