package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link TransformCommits}: commits per second over all stream threads, their latency figures, records sent. */
class TransformCommitsTest {

  @Test
  void commitsAreSummedOverThreadsAndLatenciesAveragedOrMaxedSkippingThreadsWithoutCommits() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicLong thread1 = new AtomicLong(100);
    AtomicLong thread2 = new AtomicLong(40);
    FunctionCounter.builder(TransformCommits.TOTAL, thread1, AtomicLong::get).tag("thread.id", "t1").register(registry);
    FunctionCounter.builder(TransformCommits.TOTAL, thread2, AtomicLong::get).tag("thread.id", "t2").register(registry);
    Gauge.builder(TransformCommits.LATENCY_AVG, () -> 4.0).tag("thread.id", "t1").register(registry);
    Gauge.builder(TransformCommits.LATENCY_AVG, () -> 8.0).tag("thread.id", "t2").register(registry);
    Gauge.builder(TransformCommits.LATENCY_AVG, () -> Double.NaN).tag("thread.id", "t3").register(registry);
    Gauge.builder(TransformCommits.LATENCY_MAX, () -> 21.0).tag("thread.id", "t1").register(registry);
    Gauge.builder(TransformCommits.LATENCY_MAX, () -> 35.0).tag("thread.id", "t2").register(registry);
    AtomicLong sent1 = new AtomicLong(7_000);
    AtomicLong sent2 = new AtomicLong(3_000);
    FunctionCounter.builder(TransformCommits.RECORDS_SENT, sent1, AtomicLong::get).tag("client.id", "t1-producer").register(registry);
    FunctionCounter.builder(TransformCommits.RECORDS_SENT, sent2, AtomicLong::get).tag("client.id", "t2-producer").register(registry);

    TransformCommits.Mark start = TransformCommits.mark(registry);
    assertThat(start).isEqualTo(new TransformCommits.Mark(140.0, 10_000.0));
    thread1.addAndGet(1_500);
    thread2.addAndGet(1_500);
    sent1.addAndGet(60_000);
    sent2.addAndGet(30_000);

    assertThat(TransformCommits.since(registry, start, 30.0)).isEqualTo(new TransformCommits.Window(100.0, 6.0, 35.0, 3_000.0));
  }

  @Test
  void noMetersOrARestartedInstanceAreUnknownNotZero() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    assertThat(TransformCommits.total(registry)).isNaN();
    assertThat(TransformCommits.recordsSent(registry)).isNaN();
    TransformCommits.Window none = TransformCommits.since(registry, new TransformCommits.Mark(10.0, 500.0), 30.0);
    assertThat(none.perSecond()).isNaN();
    assertThat(none.latencyAvgMs()).isNaN();
    assertThat(none.latencyMaxMs()).isNaN();
    assertThat(none.recordsSentPerSecond()).isNaN();

    AtomicLong restarted = new AtomicLong(5); // a new Kafka Streams instance counts from 0 again
    FunctionCounter.builder(TransformCommits.TOTAL, restarted, AtomicLong::get).register(registry);
    FunctionCounter.builder(TransformCommits.RECORDS_SENT, restarted, AtomicLong::get).register(registry);
    TransformCommits.Window afterRestart = TransformCommits.since(registry, new TransformCommits.Mark(900.0, 80_000.0), 30.0);
    assertThat(afterRestart.perSecond()).isNaN();
    assertThat(afterRestart.recordsSentPerSecond()).isNaN();
  }
}
