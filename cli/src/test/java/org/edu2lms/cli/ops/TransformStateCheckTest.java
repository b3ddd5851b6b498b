package org.edu2lms.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** When the transform may start on existing Kafka Streams state (README §Reliability). */
class TransformStateCheckTest {

  private static final String MASKS = "edu2lms-transform-journal_details-side-records-changelog";
  private static final String ROWS = "edu2lms-transform-grades-journal-rows-changelog";
  private static final String[] INDEXES = {
    "edu2lms-transform-enrollments-offering-index-changelog",
    "edu2lms-transform-submissions-exam-index-changelog",
    "edu2lms-transform-grades-journal-enrollment-index-changelog",
    "edu2lms-transform-users-email-holders-changelog",
    "edu2lms-transform-mappable-users-changelog"
  };

  @Test
  void aNewApplicationStarts() {
    assertThat(TransformStateCheck.problem("edu2lms-transform", false, Set.of())).isEmpty();
  }

  @Test
  void anApplicationWithEveryRequiredStoreStarts() {
    Set<String> topics = new java.util.HashSet<>(Set.of(INDEXES));
    topics.addAll(Set.of(MASKS, ROWS, "edu.public.users"));
    assertThat(TransformStateCheck.problem("edu2lms-transform", true, topics)).isEmpty();
  }

  @Test
  void stateFromBeforeTheMasksIsRefusedWithBothTopicsAndTheWayOut() {
    assertThat(TransformStateCheck.problem("edu2lms-transform", true, Set.of("edu.public.users")))
        .hasValueSatisfying(m -> assertThat(m)
            .startsWith("transform: the Kafka Streams state of application edu2lms-transform was built by an earlier edu2lms")
            .contains("topic " + MASKS + " is missing, so quarantine rows of rows that later map would stay in LMS")
            .contains("topic " + ROWS + " is missing, so grades emptied by an update would stay in LMS")
            .contains("Start this version on an empty pipeline"));
  }

  @Test
  void stateWithTheMasksButWithoutTheGradeRowsIsRefusedNamingOnlyTheMissingTopics() {
    assertThat(TransformStateCheck.problem("edu2lms-transform", true, Set.of(MASKS)))
        .hasValueSatisfying(m -> assertThat(m)
            .contains("topic " + ROWS + " is missing")
            .doesNotContain(MASKS));
  }

  @Test
  void stateFromBeforeTheBroadcastLookupsIsRefusedNamingTheirIndexes() {
    assertThat(TransformStateCheck.problem("edu2lms-transform", true, Set.of(MASKS, ROWS)))
        .hasValueSatisfying(m -> assertThat(m)
            .contains("topic " + INDEXES[0] + " is missing, so course_enrollments would not re-derive the rows derived before")
            .contains("topic " + INDEXES[1] + " is missing, so assessment_submissions would not re-derive")
            .contains("topic " + INDEXES[2] + " is missing, so grades would not re-derive")
            .contains("topic " + INDEXES[3] + " is missing, so users would not get the e-mails")
            .contains("topic " + INDEXES[4] + " is missing, so persons and file_uploads would not find the users derived before the upgrade")
            .doesNotContain(MASKS + " is missing")
            .doesNotContain(ROWS + " is missing"));
  }

  @Test
  void theRequiredTopicsAreTheChangelogsOfTheTopologysStores() {
    assertThat(TransformStateCheck.requiredChangelogs("app"))
        .containsExactly(
            "app-journal_details-side-records-changelog",
            "app-grades-journal-rows-changelog",
            "app-enrollments-offering-index-changelog",
            "app-submissions-exam-index-changelog",
            "app-grades-journal-enrollment-index-changelog",
            "app-users-email-holders-changelog",
            "app-mappable-users-changelog");
    var stores = new java.util.HashSet<String>();
    org.edu2lms.transform.EduToLmsTopology.buildTopology().describe().subtopologies()
        .forEach(s -> s.nodes().forEach(n -> {
          if (n instanceof org.apache.kafka.streams.TopologyDescription.Processor p) {
            stores.addAll(p.stores());
          }
        }));
    assertThat(stores)
        .contains(
            "journal_details-side-records", "grades-journal-rows", "enrollments-offering-index", "submissions-exam-index", "grades-journal-enrollment-index",
            "users-email-holders", "mappable-users");
  }
}
