package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link BenchSupport}'s shares of the machine's CPU between two {@code /proc/stat} readings. */
class BenchSupportTest {

  @Test
  void busyStealAndIowaitAreSharesOfAllTheTicksBetweenTwoReadings() {
    // [busy, idle + iowait, steal, iowait], clock ticks
    long[] before = {1_000, 5_000, 100, 40};
    long[] after = {1_600, 5_300, 200, 70};
    // 600 busy, 300 idle (30 of it iowait), 100 steal: 1,000 ticks in all
    Map<String, Double> shares = BenchSupport.machineCpuBetween(before, after);
    assertThat(shares.get("busyPercent")).isCloseTo(60.0, within(1e-9));
    assertThat(shares.get("stealPercent")).isCloseTo(10.0, within(1e-9));
    assertThat(shares.get("iowaitPercent")).isCloseTo(3.0, within(1e-9));
  }

  @Test
  void noReadingOrNoTicksGiveNoShares() {
    long[] reading = {1, 2, 3, 4};
    assertThat(BenchSupport.machineCpuBetween(null, reading)).isEmpty();
    assertThat(BenchSupport.machineCpuBetween(reading, null)).isEmpty();
    assertThat(BenchSupport.machineCpuBetween(reading, reading.clone())).isEmpty();
  }

  @Test
  void thisMachinesCountersAreReadWithIowaitInsideIdle() {
    long[] ticks = BenchSupport.machineCpuTicks();
    assumeTrue(ticks != null, "no /proc/stat: not Linux");
    assertThat(ticks).hasSize(4);
    assertThat(ticks[3]).isBetween(0L, ticks[1]);
  }
}
