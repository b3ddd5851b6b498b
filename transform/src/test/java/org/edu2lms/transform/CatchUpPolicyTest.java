package org.edu2lms.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.edu2lms.transform.CatchUpPolicy.Mode;
import org.junit.jupiter.api.Test;

class CatchUpPolicyTest {

  private static final long S = 1_000_000_000L;

  @Test
  void aSustainedBacklogSwitchesToCatchUpAndADrainedOneBackToLive() {
    CatchUpPolicy policy = new CatchUpPolicy(20_000);
    assertThat(policy.mode()).isEqualTo(Mode.LIVE);
    assertThat(policy.leaveLag()).isEqualTo(2_000);

    assertThat(policy.observe(19_999, 0)).isEmpty();
    assertThat(policy.observe(20_000, 1 * S)).isEmpty(); // the backlog starts here
    assertThat(policy.observe(50_000, 2 * S)).isEmpty(); // held for 1 s
    assertThat(policy.observe(80_000, 3 * S)).contains(Mode.CATCH_UP); // held for 2 s
    assertThat(policy.mode()).isEqualTo(Mode.CATCH_UP);

    assertThat(policy.observe(2_001, 4 * S)).isEmpty();
    assertThat(policy.observe(2_000, 5 * S)).isEmpty(); // drained to a tenth here
    assertThat(policy.observe(0, 10 * S)).isEmpty(); // held for 5 s
    assertThat(policy.observe(150, 11 * S)).contains(Mode.LIVE); // held for 6 s
    assertThat(policy.mode()).isEqualTo(Mode.LIVE);
    assertThat(policy.observe(0, 30 * S)).isEmpty();
  }

  @Test
  void aLagThatDipsOrIsUnknownStartsTheWaitOver() {
    CatchUpPolicy policy = new CatchUpPolicy(1_000);
    assertThat(policy.observe(5_000, 0)).isEmpty();
    assertThat(policy.observe(999, 1 * S)).isEmpty(); // a dip below: the wait starts over
    assertThat(policy.observe(5_000, 2 * S)).isEmpty();
    assertThat(policy.observe(5_000, 3 * S)).isEmpty();
    assertThat(policy.observe(-1, 4 * S)).isEmpty(); // unknown: no evidence, starts over
    assertThat(policy.observe(5_000, 5 * S)).isEmpty();
    assertThat(policy.observe(5_000, 6 * S)).isEmpty();
    assertThat(policy.mode()).isEqualTo(Mode.LIVE);
    assertThat(policy.observe(5_000, 7 * S)).contains(Mode.CATCH_UP);

    // In catch-up, the parents-first hold of the snapshot drains the lag for moments only.
    assertThat(policy.observe(0, 8 * S)).isEmpty();
    assertThat(policy.observe(0, 12 * S)).isEmpty();
    assertThat(policy.observe(30_000, 13 * S)).isEmpty();
    assertThat(policy.observe(0, 14 * S)).isEmpty();
    assertThat(policy.observe(-1, 19 * S)).isEmpty();
    assertThat(policy.observe(0, 20 * S)).isEmpty();
    assertThat(policy.mode()).isEqualTo(Mode.CATCH_UP);
    assertThat(policy.observe(100, 26 * S)).contains(Mode.LIVE);
  }

  @Test
  void aCatchUpLagBelowTheMinimumIsRefused() {
    assertThatThrownBy(() -> new CatchUpPolicy(99)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 100");
  }

  @Test
  void theConfigurationEnablesCatchUpOnlyWithALongerIntervalAndRefusesAShorterOne() {
    Path dir = Path.of("state");
    TransformConfig one = new TransformConfig("k:9092", "app", dir, 50, 2);
    assertThat(one.catchUpEnabled()).isFalse();
    assertThat(one.catchUpCommitIntervalMs()).isEqualTo(50);
    TransformConfig two = new TransformConfig("k:9092", "app", dir, 50, 500, 20_000, 2, Map.of(), Map.of());
    assertThat(two.catchUpEnabled()).isTrue();
    assertThat(two.toString()).contains("transform.catchup.commit.interval=500 ms", "transform.catchup.lag=20000");
    assertThat(EduToLmsTopology.streamsConfig(two, 500).getProperty("commit.interval.ms")).isEqualTo("500");
    assertThat(EduToLmsTopology.streamsConfig(two).getProperty("commit.interval.ms")).isEqualTo("50");
    assertThatThrownBy(() -> new TransformConfig("k:9092", "app", dir, 100, 50, 20_000, 2, Map.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("transform.catchup.commit.interval must be at least transform.commit.interval (100 ms), got 50 ms");
    assertThatThrownBy(() -> new TransformConfig("k:9092", "app", dir, 50, 500, 10, 2, Map.of(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("transform.catchup.lag must be at least 100 records, got 10");
  }
}
