package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link TransformCommits}: commits per second over all stream threads, their latency figures. */
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

    double start = TransformCommits.total(registry);
    assertThat(start).isEqualTo(140.0);
    thread1.addAndGet(1_500);
    thread2.addAndGet(1_500);

    assertThat(TransformCommits.since(registry, start, 30.0)).isEqualTo(new TransformCommits.Window(100.0, 6.0, 35.0));
  }

  @Test
  void noMetersOrARestartedInstanceAreUnknownNotZero() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    assertThat(TransformCommits.total(registry)).isNaN();
    TransformCommits.Window none = TransformCommits.since(registry, 10.0, 30.0);
    assertThat(none.perSecond()).isNaN();
    assertThat(none.latencyAvgMs()).isNaN();
    assertThat(none.latencyMaxMs()).isNaN();

    AtomicLong restarted = new AtomicLong(5); // a new Kafka Streams instance counts from 0 again
    FunctionCounter.builder(TransformCommits.TOTAL, restarted, AtomicLong::get).register(registry);
    assertThat(TransformCommits.since(registry, 900.0, 30.0).perSecond()).isNaN();
  }
}
