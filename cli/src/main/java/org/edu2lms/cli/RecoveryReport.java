package org.edu2lms.cli;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.edu2lms.cli.ops.ConsumerLag;

/**
 * The figures of {@code edu2lms bench recover} and their tables: one row per stage killed and
 * restarted (docs/benchmarks/README.md §Recovery after kill -9 explains each column).
 */
final class RecoveryReport {

  private RecoveryReport() {}

  /** Seconds within which every stage must be back to lag 0 after its restart (the target). */
  static final double TARGET_LAG_ZERO_SECONDS = 15;

  /**
   * One stage killed with SIGKILL and restarted.
   *
   * @param stage capture, transform or sink
   * @param lagZeroSeconds restart → first probe at which the stage's lag is 0, seconds; null when
   *     not within the phase's timeout
   * @param freshSeconds restart → first probe at which every workload change committed in EDU
   *     more than 1 s before is in LMS, seconds; null when not within the timeout
   * @param duplicateWork the work done twice: for the capture, change events produced to Kafka a
   *     second time; for the transform and the sink, records of their input re-read ({@link #reRead})
   * @param duplicateUnit what {@code duplicateWork} counts, for the tables
   * @param exitedByItself whether a process of this stage ended without the bench killing it, at
   *     any time of the run
   */
  record StageResult(
      String stage, Double lagZeroSeconds, Double freshSeconds, long duplicateWork, String duplicateUnit, boolean exitedByItself) {

    /** Back to lag 0 within {@link #TARGET_LAG_ZERO_SECONDS} and never exited by itself. */
    boolean meetsTarget() {
      return lagZeroSeconds != null && lagZeroSeconds <= TARGET_LAG_ZERO_SECONDS && !exitedByItself;
    }
  }

  /**
   * The records a restarted consumer group reads again: per partition of its legacy-data input
   * (heartbeat topics not counted), the log-end offset just before the kill minus the offset the
   * group had committed when the killed process was gone, summed. A stage keeping up before the
   * kill had read up to about the log end, so this is what it processed and reads again. It is an
   * upper bound: a killed process's position past its last commit cannot be read from outside,
   * and a stage behind at the kill adds its backlog. On exactly-once topics the offsets include
   * transaction markers.
   *
   * @param endsAtKill log-end offset per partition just before the kill
   * @param committedAtRestart the group's committed offsets once the killed process had exited
   *     (partitions may be missing: counted from 0, as {@link ConsumerLag} does)
   * @return records, never negative
   */
  static long reRead(Map<TopicPartition, Long> endsAtKill, Map<TopicPartition, OffsetAndMetadata> committedAtRestart) {
    return ConsumerLag.lag(Map.of(), endsAtKill, committedAtRestart).entrySet().stream()
        .filter(e -> !ConsumerLag.isHeartbeat(e.getKey().topic()))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  /** Seconds with one decimal, or "not within N s" for a figure the timeout cut short. */
  static String seconds(Double s, long timeoutSeconds) {
    return s == null ? "not within " + timeoutSeconds + " s" : String.format("%.1f s", s);
  }

  /**
   * The console table: one line per stage.
   *
   * @param timeoutSeconds the phase timeout, for figures not reached
   */
  static String console(List<StageResult> rows, long timeoutSeconds) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("%-10s %-18s %-18s %-42s %s%n", "stage", "restart→lag 0", "restart→fresh≤1s", "duplicate work", "exited by itself"));
    for (StageResult r : rows) {
      b.append(String.format(
          "%-10s %-18s %-18s %-42s %s%n",
          r.stage(), seconds(r.lagZeroSeconds(), timeoutSeconds), seconds(r.freshSeconds(), timeoutSeconds),
          String.format("%,d %s", r.duplicateWork(), r.duplicateUnit()), r.exitedByItself() ? "YES" : "no"));
    }
    return b.toString();
  }

  /**
   * The Markdown table of the report file.
   *
   * @param timeoutSeconds the phase timeout, for figures not reached
   */
  static String markdownTable(List<StageResult> rows, long timeoutSeconds) {
    StringBuilder b = new StringBuilder();
    b.append("| stage | restart → lag 0 | restart → freshness ≤ 1 s | duplicate work | exited by itself |\n");
    b.append("|---|---:|---:|---:|---|\n");
    for (StageResult r : rows) {
      b.append(String.format(
          "| %s | %s | %s | %,d %s | %s |%n",
          r.stage(), seconds(r.lagZeroSeconds(), timeoutSeconds), seconds(r.freshSeconds(), timeoutSeconds),
          r.duplicateWork(), r.duplicateUnit(), r.exitedByItself() ? "yes" : "no"));
    }
    return b.toString();
  }

  /** Whether every stage meets the target and none exited by itself (a stage never killed counts too). */
  static boolean targetMet(List<StageResult> rows, int stages) {
    return rows.size() == stages && rows.stream().allMatch(StageResult::meetsTarget);
  }
}
