package org.edu2lms.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplacementBudgetTest {

  private static long min(long minutes) {
    return Duration.ofMinutes(minutes).toNanos();
  }

  @Test
  void atMostMaxWithinTheWindowThenAgainOnceTheOldestHaveLeftIt() {
    ReplacementBudget budget = new ReplacementBudget(3, Duration.ofMinutes(10));
    assertThat(budget.tryTake(min(0))).isTrue();
    assertThat(budget.tryTake(min(1))).isTrue();
    assertThat(budget.tryTake(min(2))).isTrue();
    assertThat(budget.tryTake(min(3))).isFalse();
    assertThat(budget.tryTake(min(9))).isFalse();
    // The first one leaves the window at minute 10: one more.
    assertThat(budget.tryTake(min(10))).isTrue();
    assertThat(budget.tryTake(min(10))).isFalse();
    assertThat(budget.tryTake(min(12))).isTrue();
  }

  @Test
  void aRefusalTakesNothing() {
    ReplacementBudget budget = new ReplacementBudget(1, Duration.ofMinutes(10));
    assertThat(budget.tryTake(min(0))).isTrue();
    for (int m = 1; m < 10; m++) {
      assertThat(budget.tryTake(min(m))).as("minute %d", m).isFalse();
    }
    assertThat(budget.tryTake(min(10))).isTrue();
  }

  @Test
  void noBudgetNeverReplaces() {
    assertThat(new ReplacementBudget(0, Duration.ofMinutes(1)).tryTake(0)).isFalse();
  }

  @Test
  void aNegativeMaxOrAnEmptyWindowIsRefused() {
    assertThatThrownBy(() -> new ReplacementBudget(-1, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ReplacementBudget(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
