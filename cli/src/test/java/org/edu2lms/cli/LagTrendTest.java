package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bench live's judgment of whether the consumer lag stayed flat during a step, and the rate of its warm-up. */
class LagTrendTest {

  @Test
  void theSlopeIsTheLeastSquaresTrendOfTheSamples() {
    assertThat(BenchLiveCommand.lagSlope(List.of(100L, 110L, 120L, 130L))).isCloseTo(10.0, within(1e-9));
    assertThat(BenchLiveCommand.lagSlope(List.of(300L, 200L, 100L))).isCloseTo(-100.0, within(1e-9));
    assertThat(BenchLiveCommand.lagSlope(List.of(5L))).isZero();
    assertThat(BenchLiveCommand.lagSlope(List.of())).isZero();
  }

  @Test
  void aLagJitteringAroundALevelIsFlatEvenWhenItsLastSampleIsItsLargest() {
    List<Long> lags = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      lags.add(i % 2 == 0 ? 200L : 450L);
    }
    lags.set(29, 480L); // the last quarter holds the largest sample: the old max-based rule said "growing"
    double slope = BenchLiveCommand.lagSlope(lags);
    assertThat(BenchLiveCommand.lagFlat(slope, 1000)).isTrue();
  }

  @Test
  void aLagGrowingByMoreThanOnePercentOfTheRateIsNotFlat() {
    List<Long> lags = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      lags.add(100L + 15L * i); // +15 records/s at 1,000/s: 1.5 % of what arrives is not applied
    }
    assertThat(BenchLiveCommand.lagFlat(BenchLiveCommand.lagSlope(lags), 1000)).isFalse();
    assertThat(BenchLiveCommand.lagFlat(BenchLiveCommand.lagSlope(lags), 2000)).isTrue();
    // At low rates the threshold is at least one record per second.
    assertThat(BenchLiveCommand.lagFlat(0.9, 10)).isTrue();
    assertThat(BenchLiveCommand.lagFlat(1.1, 10)).isFalse();
  }

  @Test
  void theWarmUpRunsAtTheHighestNumericRateAndAtAThousandWhenOnlyMaxIsAsked() {
    assertThat(BenchLiveCommand.warmupRate(List.of("100", "1000", "max"))).isEqualTo("1000");
    assertThat(BenchLiveCommand.warmupRate(List.of("2000", "500"))).isEqualTo("2000");
    assertThat(BenchLiveCommand.warmupRate(List.of("max"))).isEqualTo("1000");
  }
}
