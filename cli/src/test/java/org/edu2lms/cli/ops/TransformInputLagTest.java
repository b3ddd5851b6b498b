package org.edu2lms.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TransformInputLagTest {

  private static final String APP = "edu2lms-transform";

  @Test
  void theTransformReadsTheEduTopicsAndItsOwnTopicsButNotItsChangelogsNorTheHeartbeats() {
    assertThat(TransformInputLag.isInput("edu.public.journal_details", APP)).isTrue();
    assertThat(TransformInputLag.isInput("edu2lms-transform-grades-journal-subscription-registration-topic", APP)).isTrue();
    assertThat(TransformInputLag.isInput("edu2lms-transform-grades-journal-subscription-response-topic", APP)).isTrue();
    assertThat(TransformInputLag.isInput("edu2lms-transform-points-broadcast-repartition", APP)).isTrue();
    assertThat(TransformInputLag.isInput("edu2lms-transform-grades-journal-changelog", APP)).isFalse();
    assertThat(TransformInputLag.isInput("edu.public.edu2lms_heartbeat", APP)).isFalse();
    assertThat(TransformInputLag.isInput("edu.public.edu2lms_signal", APP)).isFalse();
    assertThat(TransformInputLag.isInput("lms.grades", APP)).isFalse();
    assertThat(TransformInputLag.isInput("other-app-grades-repartition", APP)).isFalse();
  }

  @Test
  void aPartitionWithoutACommitCountsFromItsLogStartAndACommitAtTheEndCountsNothing() {
    TopicPartition consumed = new TopicPartition("edu.public.journal", 0);
    TopicPartition behind = new TopicPartition("edu.public.journal_details", 0);
    TopicPartition neverCommitted = new TopicPartition("edu2lms-transform-students-person-subscription-registration-topic", 0);
    TopicPartition purged = new TopicPartition("edu2lms-transform-points-broadcast-repartition", 0);
    Map<TopicPartition, Long> starts = Map.of(consumed, 0L, behind, 0L, neverCommitted, 0L, purged, 40L);
    Map<TopicPartition, Long> ends = Map.of(consumed, 500L, behind, 1_000L, neverCommitted, 7L, purged, 50L);
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    committed.put(consumed, new OffsetAndMetadata(500));
    committed.put(behind, new OffsetAndMetadata(900));
    committed.put(purged, new OffsetAndMetadata(30)); // older than the log start: counts from 40

    assertThat(TransformInputLag.pending(starts, ends, committed)).isEqualTo(0 + 100 + 7 + 10);

    committed.put(behind, new OffsetAndMetadata(1_000));
    committed.put(neverCommitted, new OffsetAndMetadata(7));
    committed.put(purged, new OffsetAndMetadata(50));
    assertThat(TransformInputLag.pending(starts, ends, committed)).isZero();
  }
}
