package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The matching of bench live's hop trace. */
class HopTraceTest {

  @Test
  void eachHopTakesTheFirstRecordAtOrAfterThePreviousOne() {
    assertThat(HopTrace.firstAtOrAfter(List.of(100L, 250L, 400L), 200)).isEqualTo(250L);
    assertThat(HopTrace.firstAtOrAfter(List.of(100L, 250L), 250)).isEqualTo(250L);
    assertThat(HopTrace.firstAtOrAfter(List.of(100L), 101)).isNull();
    assertThat(HopTrace.firstAtOrAfter(null, 0)).isNull();
  }

  @Test
  void theSlowestTracedChangesAreListedSlowestFirstHopByHop() {
    long step = 1_000_000L;
    List<HopTrace.Traced> traced = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      double edu = step + 1_000.0 * i;
      traced.add(new HopTrace.Traced(i, new double[] {edu, edu + 8, edu + 11, edu + 30 + i, edu + 35 + i}));
    }
    traced.add(new HopTrace.Traced(42, new double[] {step + 2_500.0, step + 2_509, step + 2_760, step + 2_780, step + 2_786}));

    assertThat(HopTrace.slowest(traced, step))
        .containsExactly(
            "42 at 2.5 s: 286 ms = 9 + 251 + 20 + 6",
            "6 at 6.0 s: 41 ms = 8 + 3 + 25 + 5",
            "5 at 5.0 s: 40 ms = 8 + 3 + 24 + 5",
            "4 at 4.0 s: 39 ms = 8 + 3 + 23 + 5",
            "3 at 3.0 s: 38 ms = 8 + 3 + 22 + 5");
  }
}
