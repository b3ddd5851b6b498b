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
}
