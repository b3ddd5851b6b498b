package org.edu2lms.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The transform's start-up check of the points topic against journal_details (PointsLookup's multicast). */
class KafkaTopicsTest {

  @Test
  void equalPartitionCountsPass() {
    assertThat(KafkaTopics.pointsPartitionProblem(1, 1)).isEmpty();
    assertThat(KafkaTopics.pointsPartitionProblem(6, 6)).isEmpty();
  }

  @Test
  void differentCountsNameBothTopicsAndTheFix() {
    assertThat(KafkaTopics.pointsPartitionProblem(1, 4))
        .hasValue(
            "transform: edu.public.points has 1 partition(s) but edu.public.journal_details has 4; every points change is sent to"
                + " each partition of the grades' tasks, so both need the same count (add partitions to the smaller with"
                + " kafka-topics --alter, or recreate the topics with topics.partitions)");
  }
}
