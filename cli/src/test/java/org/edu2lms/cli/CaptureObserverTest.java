package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link CaptureObserver.Ledger}: which change events the capture produced a second time. */
class CaptureObserverTest {

  @Test
  void anEventIsProducedAgainWhenItsTopicKeyAndLsnWereSeenBefore() {
    CaptureObserver.Ledger ledger = new CaptureObserver.Ledger();
    assertThat(ledger.again("edu.public.users", "{\"id\":7}", 100)).isFalse();
    assertThat(ledger.again("edu.public.users", "{\"id\":7}", 100)).isTrue();
    assertThat(ledger.again("edu.public.users", "{\"id\":7}", 100)).isTrue();
    assertThat(ledger.again("edu.public.users", "{\"id\":7}", 101)).as("a later change of the row").isFalse();
    assertThat(ledger.again("edu.public.users", "{\"id\":8}", 100)).as("another row").isFalse();
    assertThat(ledger.again("edu.public.journal", "{\"id\":7}", 100)).as("another table").isFalse();
  }
}
