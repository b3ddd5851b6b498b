package org.edu2lms.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the transform may start on existing Kafka Streams state (side-record masks, README §Reliability). */
class TransformStateCheckTest {

  @Test
  void aNewApplicationStarts() {
    assertThat(TransformStateCheck.problem("edu2lms-transform", false, false)).isEmpty();
  }

  @Test
  void anApplicationWithItsMasksStarts() {
    assertThat(TransformStateCheck.problem("edu2lms-transform", true, true)).isEmpty();
  }

  @Test
  void stateFromBeforeTheMasksIsRefusedWithTheTopicAndTheWayOut() {
    assertThat(TransformStateCheck.problem("edu2lms-transform", true, false))
        .hasValueSatisfying(m -> assertThat(m)
            .startsWith("transform: the Kafka Streams state of application edu2lms-transform was built by an edu2lms without side-record masks")
            .contains("topic edu2lms-transform-journal_details-side-records-changelog is missing")
            .contains("Start this version on an empty pipeline"));
  }

  @Test
  void theMasksTopicIsTheOneTheTopologyCreates() {
    assertThat(TransformStateCheck.masksChangelog("app")).isEqualTo("app-journal_details-side-records-changelog");
  }
}
