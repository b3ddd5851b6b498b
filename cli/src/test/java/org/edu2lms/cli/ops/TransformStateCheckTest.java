package org.edu2lms.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** When the transform may start on existing Kafka Streams state (README §Reliability). */
class TransformStateCheckTest {

  private static final String MASKS = "edu2lms-transform-journal_details-side-records-changelog";
  private static final String ROWS = "edu2lms-transform-grades-journal-rows-changelog";

  @Test
  void aNewApplicationStarts() {
    assertThat(TransformStateCheck.problem("edu2lms-transform", false, Set.of())).isEmpty();
  }

  @Test
  void anApplicationWithEveryRequiredStoreStarts() {
    assertThat(TransformStateCheck.problem("edu2lms-transform", true, Set.of(MASKS, ROWS, "edu.public.users"))).isEmpty();
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
  void stateWithTheMasksButWithoutTheGradeRowsIsRefusedNamingOnlyThatTopic() {
    assertThat(TransformStateCheck.problem("edu2lms-transform", true, Set.of(MASKS)))
        .hasValueSatisfying(m -> assertThat(m)
            .contains("topic " + ROWS + " is missing")
            .doesNotContain(MASKS));
  }

  @Test
  void theRequiredTopicsAreTheChangelogsOfTheTopologysStores() {
    assertThat(TransformStateCheck.requiredChangelogs("app"))
        .containsExactly("app-journal_details-side-records-changelog", "app-grades-journal-rows-changelog");
    var stores = new java.util.HashSet<String>();
    org.edu2lms.transform.EduToLmsTopology.buildTopology().describe().subtopologies()
        .forEach(s -> s.nodes().forEach(n -> {
          if (n instanceof org.apache.kafka.streams.TopologyDescription.Processor p) {
            stores.addAll(p.stores());
          }
        }));
    assertThat(stores).contains("journal_details-side-records", "grades-journal-rows");
  }
}
