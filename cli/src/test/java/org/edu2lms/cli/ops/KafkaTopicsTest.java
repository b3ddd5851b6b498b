package org.edu2lms.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The transform's start-up check that the EDU topics have one partition count (the multicasts of
 * BroadcastLookup and PointsLookup).
 */
class KafkaTopicsTest {

  @Test
  void equalPartitionCountsPass() {
    assertThat(KafkaTopics.partitionProblem(Map.of("edu.public.points", 1, "edu.public.journal_details", 1))).isEmpty();
    assertThat(KafkaTopics.partitionProblem(Map.of("edu.public.points", 6, "edu.public.journal", 6, "edu.public.course", 6))).isEmpty();
  }

  @Test
  void differentCountsNameEveryTopicByCountAndTheFix() {
    assertThat(KafkaTopics.partitionProblem(Map.of("edu.public.points", 1, "edu.public.journal_details", 4, "edu.public.course", 1)))
        .hasValue(
            "transform: the EDU topics differ in partition count (1 partition(s): edu.public.course, edu.public.points;"
                + " 4 partition(s): edu.public.journal_details); every change of a parent table is sent to each partition"
                + " of its children's tasks, so all need the same count (add partitions to the smaller with"
                + " kafka-topics --alter, or recreate the topics with topics.partitions)");
  }
}
