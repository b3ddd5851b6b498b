package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.edu2lms.cli.RecoveryReport.StageResult;
import org.junit.jupiter.api.Test;

/** {@link RecoveryReport}: the records re-read after a kill, the target and the tables of {@code bench recover}. */
class RecoveryReportTest {

  private static final TopicPartition GRADES_0 = new TopicPartition("lms.grades", 0);
  private static final TopicPartition GRADES_1 = new TopicPartition("lms.grades", 1);
  private static final TopicPartition USERS_0 = new TopicPartition("lms.users", 0);
  private static final TopicPartition HEARTBEAT_0 = new TopicPartition("edu2lms.heartbeat", 0);

  @Test
  void reReadIsTheLogEndAtTheKillMinusTheOffsetCommittedAtTheRestartSummedOverDataPartitions() {
    Map<TopicPartition, Long> ends = Map.of(GRADES_0, 1_000L, GRADES_1, 500L, USERS_0, 80L, HEARTBEAT_0, 9_000L);
    Map<TopicPartition, OffsetAndMetadata> committed =
        Map.of(GRADES_0, new OffsetAndMetadata(990), GRADES_1, new OffsetAndMetadata(500), USERS_0, new OffsetAndMetadata(77),
            HEARTBEAT_0, new OffsetAndMetadata(8_000));
    // 10 + 0 + 3; the heartbeat's 1,000 not counted
    assertThat(RecoveryReport.reRead(ends, committed)).isEqualTo(13);
  }

  @Test
  void aPartitionWithoutACommitCountsFromZeroAndACommitPastTheEndCountsNothing() {
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    committed.put(GRADES_1, new OffsetAndMetadata(600));
    assertThat(RecoveryReport.reRead(Map.of(GRADES_0, 40L, GRADES_1, 500L), committed)).isEqualTo(40);
    assertThat(RecoveryReport.reRead(Map.of(), committed)).isZero();
  }

  @Test
  void theTargetIsLagZeroWithinFifteenSecondsForEveryStageAndNoExit() {
    StageResult fast = new StageResult("capture", 15.0, 16.0, 3, "events produced twice", false);
    StageResult slow = new StageResult("transform", 15.1, 15.2, 0, "input records re-read", false);
    StageResult exited = new StageResult("sink", 2.0, 2.5, 0, "input records re-read", true);
    StageResult never = new StageResult("sink", null, null, 0, "input records re-read", false);
    assertThat(fast.meetsTarget()).isTrue();
    assertThat(slow.meetsTarget()).isFalse();
    assertThat(exited.meetsTarget()).isFalse();
    assertThat(never.meetsTarget()).isFalse();
    StageResult sink = new StageResult("sink", 1.0, 1.0, 0, "input records re-read", false);
    StageResult transform = new StageResult("transform", 1.0, 1.0, 0, "input records re-read", false);
    assertThat(RecoveryReport.targetMet(List.of(fast, transform, sink), 3)).isTrue();
    assertThat(RecoveryReport.targetMet(List.of(fast, transform), 3)).as("a stage never killed").isFalse();
    assertThat(RecoveryReport.targetMet(List.of(fast, slow, sink), 3)).isFalse();
  }

  @Test
  void secondsHaveOneDecimalAndAFigureNotReachedNamesTheTimeout() {
    assertThat(RecoveryReport.seconds(2.345, 120)).isEqualTo("2.3 s");
    assertThat(RecoveryReport.seconds(null, 120)).isEqualTo("not within 120 s");
  }

  @Test
  void theMarkdownTableHasOneRowPerStage() {
    List<StageResult> rows =
        List.of(
            new StageResult("capture", 4.25, 5.0, 1_234, "events produced twice", false),
            new StageResult("sink", null, 7.5, 0, "input records re-read", true));
    assertThat(RecoveryReport.markdownTable(rows, 120).split("\n"))
        .containsExactly(
            "| stage | restart → lag 0 | restart → freshness ≤ 1 s | duplicate work | exited by itself |",
            "|---|---:|---:|---:|---|",
            "| capture | 4.3 s | 5.0 s | 1,234 events produced twice | no |",
            "| sink | not within 120 s | 7.5 s | 0 input records re-read | yes |");
  }

  @Test
  void theConsoleTableHasAHeaderAndOneLinePerStage() {
    String[] lines =
        RecoveryReport.console(List.of(new StageResult("transform", 3.0, 3.5, 42, "input records re-read", false)), 60).split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0].split("\\s{2,}")).containsExactly("stage", "restart→lag 0", "restart→fresh≤1s", "duplicate work", "exited by itself");
    assertThat(lines[1].split("\\s{2,}")).containsExactly("transform", "3.0 s", "3.5 s", "42 input records re-read", "no");
  }
}
