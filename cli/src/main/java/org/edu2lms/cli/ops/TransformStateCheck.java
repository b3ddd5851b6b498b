package org.edu2lms.cli.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;

/**
 * Refuses to start the transform on Kafka Streams state built by an edu2lms whose stores this
 * version cannot use.
 *
 * <p>These stores carry memory that state built earlier lacks, and without which the transform
 * would leave rows in LMS that should go:
 *
 * <ul>
 *   <li>{@code journal_details-side-records} (since 2026-11-25): which quarantine and notes
 *       records were sent (transform {@code SideRecords}); without it a quarantined row that later
 *       maps would keep its quarantine row in LMS;
 *   <li>{@code grades-journal-rows} (since 2026-12-06): the journal_details rows with their journal
 *       (transform {@code BroadcastLookup}); without it a grade slot emptied by an update would not
 *       be tombstoned and a points change would not re-derive the rows derived before the upgrade;
 *   <li>{@code enrollments-offering-index}, {@code submissions-exam-index}, {@code
 *       grades-journal-enrollment-index} (since 2026-12-06, session 13): the reverse indexes of the
 *       journal, exam_result and journal_details lookups (transform {@code BroadcastLookup}, which
 *       replaced their foreign-key joins); without them a parent change would not re-derive the
 *       children derived before the upgrade (the other indexes of each lookup are created with
 *       these).
 * </ul>
 *
 * <p>The application has run before when its consumer group has committed offsets; it has a
 * store when the store's changelog topic exists (Kafka Streams creates the changelogs before the
 * first record is processed).
 */
public final class TransformStateCheck {

  /** Store name → what state without it would get wrong. */
  private static final Map<String, String> REQUIRED_STORES = new LinkedHashMap<>();

  static {
    REQUIRED_STORES.put("journal_details-side-records", "quarantine rows of rows that later map would stay in LMS");
    REQUIRED_STORES.put(
        "grades-journal-rows",
        "grades emptied by an update would stay in LMS and points changes would not re-derive earlier grades");
    String reDerive = " would not re-derive the rows derived before from their parents' changes";
    REQUIRED_STORES.put("enrollments-offering-index", "course_enrollments" + reDerive);
    REQUIRED_STORES.put("submissions-exam-index", "assessment_submissions" + reDerive);
    REQUIRED_STORES.put("grades-journal-enrollment-index", "grades" + reDerive);
    REQUIRED_STORES.put("users-email-holders", "users would not get the e-mails that users changed before the upgrade left or took");
    REQUIRED_STORES.put("mappable-users", "persons and file_uploads would not find the users derived before the upgrade");
  }

  private TransformStateCheck() {}

  /** The changelog topics this version's state must have, once the application has run. */
  public static List<String> requiredChangelogs(String applicationId) {
    return REQUIRED_STORES.keySet().stream().map(store -> changelog(applicationId, store)).toList();
  }

  /** Kafka Streams' name of a store's changelog topic. */
  private static String changelog(String applicationId, String store) {
    return applicationId + "-" + store + "-changelog";
  }

  /**
   * @param admin a connected admin client
   * @param applicationId the transform's application id ({@code transform.application.id})
   * @throws IllegalStateException naming the application, the missing topics and the way out
   * @throws ExecutionException when the consumer group or the topics cannot be read
   */
  public static void requireCurrentState(Admin admin, String applicationId) throws ExecutionException, InterruptedException {
    boolean hasRun = !admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get().isEmpty();
    Set<String> topics = admin.listTopics().names().get();
    Optional<String> problem = problem(applicationId, hasRun, topics);
    if (problem.isPresent()) {
      throw new IllegalStateException(problem.get());
    }
  }

  /**
   * @param applicationId the transform's application id
   * @param hasRun whether the application's consumer group has committed offsets
   * @param topics the topics of the cluster
   * @return the refusal message, or empty when the state can be used (a new application, or one
   *     with every required store)
   */
  public static Optional<String> problem(String applicationId, boolean hasRun, Set<String> topics) {
    if (!hasRun) {
      return Optional.empty();
    }
    StringBuilder missing = new StringBuilder();
    REQUIRED_STORES.forEach(
        (store, consequence) -> {
          String changelog = changelog(applicationId, store);
          if (!topics.contains(changelog)) {
            missing.append(missing.isEmpty() ? "" : "; ").append("topic ").append(changelog).append(" is missing, so ").append(consequence);
          }
        });
    if (missing.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "transform: the Kafka Streams state of application " + applicationId + " was built by an earlier edu2lms ("
            + missing + "). Start this version on an empty pipeline (new topics, a new application id or a reset application,"
            + " an empty LMS: the capture's initial snapshot fills it), or keep the previous version running");
  }
}
