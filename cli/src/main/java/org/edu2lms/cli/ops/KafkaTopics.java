package org.edu2lms.cli.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
}
