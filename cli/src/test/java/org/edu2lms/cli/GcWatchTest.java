package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link GcWatch}: pauses per window, concurrent cycles apart, the largest heap kept. */
class GcWatchTest {

  @Test
  void pausesAreSummedPerWindowAndConcurrentCyclesAreNotPauses() {
    try (GcWatch watch = new GcWatch(false)) {
      watch.record("end of minor GC", 12, 300);
      watch.record("end of GC cycle", 250, 900); // ZGC or Shenandoah: concurrent, not a pause
      watch.record("end of major GC", 30, 200);

      assertThat(watch.takePauses()).isEqualTo(new GcWatch.Pauses(2, 42, 30));
      assertThat(watch.takePauses()).isEqualTo(new GcWatch.Pauses(0, 0, 0));
      watch.record("end of GC pause", 3, 100);
      assertThat(watch.takePauses()).isEqualTo(new GcWatch.Pauses(1, 3, 3));
      assertThat(watch.collections()).isEqualTo(4);
      assertThat(watch.maxBytes()).isEqualTo(900);
    }
  }

  @Test
  void thisJvmsCollectionsAreSeen() {
    try (GcWatch watch = new GcWatch()) {
      System.gc(); // G1: a full, stop-the-world collection; the notification arrives asynchronously
      await().atMost(Duration.ofSeconds(30)).until(() -> watch.collections() >= 1);
      assertThat(watch.maxBytes()).isPositive();
    }
  }
}
