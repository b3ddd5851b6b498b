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
   * Checks that edu.public.points has as many partitions as edu.public.journal_details: the
   * transform multicasts every points change to each partition of a repartition topic sized like
   * the points topic, and each task of the grades sub-topology must receive them all
   * (EduToLmsTopology, PointsLookup). Pre-created topics with other counts would leave the
   * grades of some partitions without points.
   *
   * @param admin a connected admin client
   * @throws IllegalStateException naming both topics and their counts when they differ
   * @throws ExecutionException when the topics cannot be described
   */
  public static void requirePointsPartitionedLikeGrades(Admin admin) throws ExecutionException, InterruptedException {
    String points = EduTables.topic("points");
    String details = EduTables.topic("journal_details");
    Map<String, Integer> counts = new java.util.HashMap<>();
    admin.describeTopics(List.of(points, details)).allTopicNames().get().forEach((name, d) -> counts.put(name, d.partitions().size()));
    Optional<String> problem = pointsPartitionProblem(counts.get(points), counts.get(details));
    if (problem.isPresent()) {
      throw new IllegalStateException(problem.get());
    }
  }

  /**
   * The problem with the partition counts of edu.public.points and edu.public.journal_details,
   * if any (see {@link #requirePointsPartitionedLikeGrades}).
   *
   * @param points partitions of edu.public.points
   * @param details partitions of edu.public.journal_details
   * @return the message naming both counts, or empty when they are equal
   */
  public static Optional<String> pointsPartitionProblem(int points, int details) {
    if (points == details) {
      return Optional.empty();
    }
    return Optional.of(
        "transform: " + EduTables.topic("points") + " has " + points + " partition(s) but " + EduTables.topic("journal_details")
            + " has " + details + "; every points change is sent to each partition of the grades' tasks, so both need the same"
            + " count (add partitions to the smaller with kafka-topics --alter, or recreate the topics with topics.partitions)");
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
    Map<TopicPartition, OffsetSpec> wanted = new java.util.HashMap<>();
    admin.describeTopics(topics).allTopicNames().get().forEach((name, d) ->
        d.partitions().forEach(p -> wanted.put(new TopicPartition(name, p.partition()), spec)));
    Map<TopicPartition, Long> out = new java.util.HashMap<>();
    admin.listOffsets(wanted).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }
}
