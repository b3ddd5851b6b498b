package org.edu2lms.cli.ops;

import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;

/**
 * Refuses to start the transform on Kafka Streams state built by an edu2lms without side-record
 * masks (before 2026-11-25).
 *
 * <p>The transform sends a quarantine or notes tombstone only for a record it remembers sending
 * (its {@code <table>-side-records} stores, transform {@code SideRecords}). State built by an
 * earlier version has no such memory: every quarantined row that later maps would keep its
 * quarantine row in LMS. The application has run before when its consumer group has committed
 * offsets; it has the masks when the journal_details mask store's changelog topic exists (Kafka
 * Streams creates it before the first record is processed).
 */
public final class TransformStateCheck {

  private TransformStateCheck() {}

  /** The changelog topic of the journal_details side-record masks of an application. */
  public static String masksChangelog(String applicationId) {
    return applicationId + "-journal_details-side-records-changelog";
  }

  /**
   * @param admin a connected admin client
   * @param applicationId the transform's application id ({@code transform.application.id})
   * @throws IllegalStateException naming the application, the missing topic and the way out
   * @throws ExecutionException when the consumer group or the topics cannot be read
   */
  public static void requireSideRecordMasks(Admin admin, String applicationId) throws ExecutionException, InterruptedException {
    boolean hasRun = !admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get().isEmpty();
    boolean hasMasks = admin.listTopics().names().get().contains(masksChangelog(applicationId));
    Optional<String> problem = problem(applicationId, hasRun, hasMasks);
    if (problem.isPresent()) {
      throw new IllegalStateException(problem.get());
    }
  }

  /**
   * @param applicationId the transform's application id
   * @param hasRun whether the application's consumer group has committed offsets
   * @param hasMasks whether the masks' changelog topic exists
   * @return the refusal message, or empty when the state can be used (a new application, or one
   *     that has the masks)
   */
  public static Optional<String> problem(String applicationId, boolean hasRun, boolean hasMasks) {
    if (!hasRun || hasMasks) {
      return Optional.empty();
    }
    return Optional.of(
        "transform: the Kafka Streams state of application " + applicationId + " was built by an edu2lms without side-record"
            + " masks (topic " + masksChangelog(applicationId) + " is missing), so quarantine rows of rows that later map would"
            + " stay in LMS. Start this version on an empty pipeline (new topics, a new application id or a reset application,"
            + " an empty LMS: the capture's initial snapshot fills it), or keep the previous version running");
  }
}
