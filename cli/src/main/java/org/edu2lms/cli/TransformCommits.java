package org.edu2lms.cli;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.stream.DoubleStream;

/**
 * The transform's exactly-once commits in a window of {@code edu2lms bench live}, from Kafka
 * Streams' own thread-level metrics (group {@code stream-thread-metrics}) as Micrometer's
 * KafkaStreamsMetrics binds them in the pipeline's registry, one meter per stream thread:
 *
 * <ul>
 *   <li>{@value #TOTAL}: commits since the Kafka Streams instance started (each one a
 *       transaction per thread: producer flush, consumer offsets into the transaction, EndTxn);
 *   <li>{@value #LATENCY_AVG} and {@value #LATENCY_MAX}: how long a commit took, in ms, over
 *       Kafka's metric window ({@code metrics.sample.window.ms} × {@code metrics.num.samples}: the
 *       last 30–60 s by default), so at the end of a 30 s step they describe that step.
 * </ul>
 *
 * A record waits for its thread's next commit (on average half the commit interval) and then for
 * the commit itself: these figures split the "transform read → sink transaction start" hop of
 * {@link HopTrace} into the two (docs/benchmarks §Where the transform's hop goes).
 */
final class TransformCommits {

  /** Micrometer's name for Kafka Streams' {@code commit-total}, per stream thread. */
  static final String TOTAL = "kafka.stream.thread.commit.total";

  /** Micrometer's name for Kafka Streams' {@code commit-latency-avg} (ms), per stream thread. */
  static final String LATENCY_AVG = "kafka.stream.thread.commit.latency.avg";

  /** Micrometer's name for Kafka Streams' {@code commit-latency-max} (ms), per stream thread. */
  static final String LATENCY_MAX = "kafka.stream.thread.commit.latency.max";

  /**
   * A window's commits.
   *
   * @param perSecond commits per second, all stream threads together; NaN when unknown (no
   *     meters, or the instance restarted in the window: a commit-interval switch)
   * @param latencyAvgMs the mean of the threads' average commit latencies, ms; NaN when no thread
   *     committed in Kafka's metric window
   * @param latencyMaxMs the longest commit of any thread in Kafka's metric window, ms; NaN as above
   */
  record Window(double perSecond, double latencyAvgMs, double latencyMaxMs) {}

  private TransformCommits() {}

  /**
   * Commits so far, all stream threads together.
   *
   * @param registry the pipeline's registry ({@link Pipeline#registry()})
   * @return the sum of the threads' {@value #TOTAL}; NaN when no stream thread is bound
   */
  static double total(MeterRegistry registry) {
    Collection<Meter> meters = registry.find(TOTAL).meters();
    return meters.isEmpty() ? Double.NaN : meters.stream().mapToDouble(TransformCommits::value).sum();
  }

  /**
   * The commits of a window that started when {@link #total} returned {@code totalAtStart}.
   *
   * @param registry the pipeline's registry
   * @param totalAtStart {@link #total} at the start of the window
   * @param seconds the window's length, seconds (positive)
   */
  static Window since(MeterRegistry registry, double totalAtStart, double seconds) {
    double commits = total(registry) - totalAtStart;
    return new Window(
        commits >= 0 ? commits / seconds : Double.NaN,
        values(registry, LATENCY_AVG).average().orElse(Double.NaN),
        values(registry, LATENCY_MAX).max().orElse(Double.NaN));
  }

  /** The finite values of the meters named {@code name}. */
  private static DoubleStream values(MeterRegistry registry, String name) {
    return registry.find(name).meters().stream().mapToDouble(TransformCommits::value).filter(Double::isFinite);
  }

  /** A gauge's or a function counter's value: its first measurement. */
  private static double value(Meter meter) {
    for (Measurement m : meter.measure()) {
      return m.getValue();
    }
    return Double.NaN;
  }
}
