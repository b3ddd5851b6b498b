package org.edu2lms.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumerLagTest {

  private static final String APP = "edu2lms-transform";

  @Test
  void theTransformReadsTheEduTopicsItsHeartbeatAndItsOwnTopicsButNotItsChangelogs() {
    Predicate<String> reads = ConsumerLag.transformReads(APP);
    assertThat(reads.test("edu.public.journal_details")).isTrue();
    assertThat(reads.test("edu.public.users")).isTrue();
    assertThat(reads.test("edu.public.edu2lms_heartbeat")).isTrue();
    assertThat(reads.test("edu2lms-transform-grades-journal-subscription-registration-topic")).isTrue();
    assertThat(reads.test("edu2lms-transform-grades-journal-subscription-response-topic")).isTrue();
    assertThat(reads.test("edu2lms-transform-points-broadcast-repartition")).isTrue();
    assertThat(reads.test("edu2lms-transform-grades-journal-changelog")).isFalse();
    assertThat(reads.test("edu.public.edu2lms_signal")).isFalse();
    assertThat(reads.test("lms.grades")).isFalse();
    assertThat(reads.test("other-app-grades-repartition")).isFalse();
  }

  @Test
  void theSinkReadsTheLmsTopicsTheQuarantineTheNotesAndTheHeartbeatButNotItsDeadLetters() {
    Predicate<String> reads = ConsumerLag.sinkReads();
    assertThat(reads.test("lms.grades")).isTrue();
    assertThat(reads.test("lms.course_materials")).isTrue();
    assertThat(reads.test("edu2lms.quarantine")).isTrue();
    assertThat(reads.test("edu2lms.data_quality_notes")).isTrue();
    assertThat(reads.test("edu2lms.heartbeat")).isTrue();
    assertThat(reads.test("edu2lms.sink.dead_letter")).isFalse();
    assertThat(reads.test("edu.public.journal")).isFalse();
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

    assertThat(ConsumerLag.lag(starts, ends, committed)).isEqualTo(Map.of(consumed, 0L, behind, 100L, neverCommitted, 7L, purged, 10L));

    committed.put(behind, new OffsetAndMetadata(1_000));
    committed.put(neverCommitted, new OffsetAndMetadata(7));
    committed.put(purged, new OffsetAndMetadata(50));
    assertThat(ConsumerLag.lag(starts, ends, committed)).isEqualTo(Map.of(consumed, 0L, behind, 0L, neverCommitted, 0L, purged, 0L));
  }

  @Test
  void theDataTotalLeavesOutBothHeartbeatTopics() {
    ConsumerLag.GroupLag lag =
        new ConsumerLag.GroupLag(
            Map.of(
                new TopicPartition("edu.public.users", 0), 3L,
                new TopicPartition("edu.public.edu2lms_heartbeat", 0), 5L,
                new TopicPartition("edu2lms.heartbeat", 0), 7L,
                new TopicPartition("lms.grades", 2), 11L),
            true);
    assertThat(lag.total()).isEqualTo(26);
    assertThat(lag.dataTotal()).isEqualTo(14);
  }
}
