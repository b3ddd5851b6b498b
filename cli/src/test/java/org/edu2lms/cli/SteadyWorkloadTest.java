package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import org.edu2lms.cli.LiveWorkload.Target;
import org.edu2lms.cli.SteadyWorkload.Pending;
import org.junit.jupiter.api.Test;

/** {@link SteadyWorkload}'s freshness: when a change counts as in LMS, and the age of the oldest one waiting. */
class SteadyWorkloadTest {

  private static final Target GRADE = new Target("grades", "00000000-0000-0000-0000-000000000001", "journal_details", 1);

  @Test
  void aChangeIsInLmsOnceItsRowWasCommittedAtOrAfterTheChangeWasIssued() {
    Pending p = new Pending(GRADE, 1_000);
    assertThat(SteadyWorkload.inLms(p, Map.of("grades/" + GRADE.lmsId(), 999.0))).isFalse();
    assertThat(SteadyWorkload.inLms(p, Map.of("grades/" + GRADE.lmsId(), 1_000.0))).isTrue();
    assertThat(SteadyWorkload.inLms(p, Map.of("grades/" + GRADE.lmsId(), 1_250.5))).isTrue();
    assertThat(SteadyWorkload.inLms(p, Map.of())).as("row not in LMS").isFalse();
    assertThat(SteadyWorkload.inLms(p, Map.of("users/" + GRADE.lmsId(), 2_000.0))).as("another table's row").isFalse();
  }

  @Test
  void freshnessIsTheAgeOfTheOldestChangeWaitingAndZeroWhenNoneWaits() {
    ArrayDeque<Pending> waiting = new ArrayDeque<>(List.of(new Pending(GRADE, 10_000), new Pending(GRADE, 10_500)));
    assertThat(SteadyWorkload.age(waiting, 12_250)).isEqualTo(2.25);
    assertThat(SteadyWorkload.age(waiting, 9_000)).as("clock read before the issue").isZero();
    assertThat(SteadyWorkload.age(new ArrayDeque<>(), 12_250)).isZero();
  }
}
