package org.edu2lms.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.edu2lms.cli.verify.Verifier;
import org.junit.jupiter.api.Test;

class CutoverCheckTest {

  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static final CutoverCheck.Criteria CRITERIA = CutoverCheck.Criteria.DEFAULTS;

  private static LagReport lag(long transformUsers, long sinkUsers, long sinkHeartbeat, Double freshness, boolean slotActive) {
    return new LagReport(
        NOW,
        new LagReport.Capture("edu2lms", true, slotActive, 56L, 1024L, "reserved", 0.4, null),
        new LagReport.StageLag("edu2lms-transform", transformUsers + 3, transformUsers, Map.of("users", transformUsers, "edu2lms_heartbeat", 3L),
            Map.of("edu.public.users-0", transformUsers, "edu.public.edu2lms_heartbeat-0", 3L), null),
        new LagReport.StageLag("edu2lms-sink", sinkUsers + sinkHeartbeat, sinkUsers, Map.of("users", sinkUsers, "heartbeat", sinkHeartbeat),
            Map.of("lms.users-0", sinkUsers, "edu2lms.heartbeat-0", sinkHeartbeat), null),
        new LagReport.Freshness(freshness, 0.3, NOW, NOW, null));
  }

  private static CutoverCheck.Facts facts(Verifier.LastRun verify, long parked, long mappingErrors, Map<String, Long> unacked) {
    return new CutoverCheck.Facts(verify, parked, mappingErrors, unacked, null);
  }

  private static final Verifier.LastRun PASSED_10_MIN_AGO = new Verifier.LastRun(NOW.minus(Duration.ofMinutes(10)), true, List.of());

  @Test
  void readyWhenCaughtUpVerifiedAndEveryReasonAcknowledged_heartbeatLagDoesNotCount() {
    CutoverCheck c = CutoverCheck.evaluate(lag(0, 0, 2, 0.8, true), facts(PASSED_10_MIN_AGO, 0, 0, Map.of()), CRITERIA, NOW);
    assertThat(c.ready()).isTrue();
    assertThat(c.verdict()).isEqualTo("READY");
    assertThat(c.blockers()).isEmpty();
    assertThat(c.format()).isEqualTo("READY\n");
  }

  @Test
  void everyUnmetConditionIsOneBlocker() {
    Verifier.LastRun old = new Verifier.LastRun(NOW.minus(Duration.ofMinutes(61)), true, List.of());
    CutoverCheck c = CutoverCheck.evaluate(lag(7, 12, 0, 9.25, false), facts(old, 4, 2, Map.of("missing_parent:students", 567L)), CRITERIA, NOW);
    assertThat(c.ready()).isFalse();
    assertThat(c.blockers())
        .containsExactly(
            "capture: replication slot edu2lms is not active (no capture connected)",
            "transform: consumer lag 7 records (group edu2lms-transform)",
            "sink: consumer lag 12 records (group edu2lms-sink)",
            "freshness 9.3 s is not under 5.0 s: LMS is behind EDU",
            "the last passed verify (2026-11-25T08:59:00Z) is older than PT1H: run edu2lms verify",
            "4 rows parked longer than PT2M (edu2lms.parked)",
            "2 mapping_error rows in edu2lms.quarantine (a bug in the mapping)",
            "quarantine reason missing_parent:students (567 rows) not acknowledged: review it, then edu2lms quarantine ack missing_parent:students");
    assertThat(c.format()).startsWith("NOT READY\n  - capture: ");
  }

  @Test
  void aFailedOrMissingVerifyBlocks() {
    Verifier.LastRun failed = new Verifier.LastRun(NOW.minusSeconds(30), false, List.of("lms grades: 1 missing, 0 extra, 0 differing of 10 expected"));
    assertThat(CutoverCheck.evaluate(lag(0, 0, 0, 0.5, true), facts(failed, 0, 0, Map.of()), CRITERIA, NOW).blockers())
        .containsExactly("the last verify (2026-11-25T09:59:30Z) failed: lms grades: 1 missing, 0 extra, 0 differing of 10 expected");
    assertThat(CutoverCheck.evaluate(lag(0, 0, 0, 0.5, true), facts(null, 0, 0, Map.of()), CRITERIA, NOW).blockers())
        .containsExactly("no verify run recorded: run edu2lms verify");
  }

  @Test
  void unknownLagOrFreshnessBlocks() {
    LagReport noHeartbeat = lag(0, 0, 0, null, true);
    assertThat(CutoverCheck.evaluate(noHeartbeat, facts(PASSED_10_MIN_AGO, 0, 0, Map.of()), CRITERIA, NOW).blockers())
        .containsExactly("freshness unknown: no heartbeat has reached LMS yet");
    LagReport kafkaDown =
        new LagReport(
            NOW,
            new LagReport.Capture("edu2lms", true, true, 0L, 0L, "reserved", null, null),
            new LagReport.StageLag("edu2lms-transform", null, null, Map.of(), Map.of(), "Kafka: timed out"),
            new LagReport.StageLag("edu2lms-sink", null, null, Map.of(), Map.of(), null),
            new LagReport.Freshness(0.5, 0.3, NOW, NOW, null));
    assertThat(CutoverCheck.evaluate(kafkaDown, facts(PASSED_10_MIN_AGO, 0, 0, Map.of()), CRITERIA, NOW).blockers())
        .containsExactly("transform: consumer lag unknown: Kafka: timed out", "sink: consumer group edu2lms-sink has committed nothing yet");
  }

  @Test
  void thresholdsMustBePositive() {
    assertThatThrownBy(() -> new CutoverCheck.Criteria(Duration.ZERO, Duration.ofHours(1), Duration.ofMinutes(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max freshness must be positive, got PT0S");
  }
}
