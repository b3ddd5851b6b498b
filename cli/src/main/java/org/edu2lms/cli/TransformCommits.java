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
 * and, from the same registry, {@value #RECORDS_SENT}: the records the stream threads' producers
 * sent (LMS outputs, changelogs, repartition and subscription topics; the registry holds no other
 * producer), which every exactly-once commit then marks on each partition it wrote to.
 *
 * <p>A record waits for its thread's next commit (on average half the commit interval) and then for
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

  /** Micrometer's name for the Kafka producer's {@code record-send-total}, per producer. */
  static final String RECORDS_SENT = "kafka.producer.record.send.total";

  /**
   * The counters at the start of a window.
   *
   * @param commits {@link #total}
   * @param recordsSent {@link #recordsSent}
   */
  record Mark(double commits, double recordsSent) {}

  /**
   * A window's commits.
   *
   * @param perSecond commits per second, all stream threads together; NaN when unknown (no
   *     meters, or the instance restarted in the window: a commit-interval switch)
   * @param latencyAvgMs the mean of the threads' average commit latencies, ms; NaN when no thread
   *     committed in Kafka's metric window
   * @param latencyMaxMs the longest commit of any thread in Kafka's metric window, ms; NaN as above
   * @param recordsSentPerSecond records the stream threads' producers sent per second; NaN when
   *     unknown, as {@code perSecond}
   */
  record Window(double perSecond, double latencyAvgMs, double latencyMaxMs, double recordsSentPerSecond) {}

  private TransformCommits() {}

  /**
   * Commits so far, all stream threads together.
   *
   * @param registry the pipeline's registry ({@link Pipeline#registry()})
   * @return the sum of the threads' {@value #TOTAL}; NaN when no stream thread is bound
   */
  static double total(MeterRegistry registry) {
    return sum(registry, TOTAL);
  }

  /**
   * Records the stream threads' producers sent so far, all together.
   *
   * @param registry the pipeline's registry
   * @return the sum of the producers' {@value #RECORDS_SENT}; NaN when no producer is bound
   */
  static double recordsSent(MeterRegistry registry) {
    return sum(registry, RECORDS_SENT);
  }

  /** The counters now, to start a window ({@link #since}). */
  static Mark mark(MeterRegistry registry) {
    return new Mark(total(registry), recordsSent(registry));
  }

  /**
   * The commits and records sent of a window that started at {@code start}.
   *
   * @param registry the pipeline's registry
   * @param start {@link #mark} at the start of the window
   * @param seconds the window's length, seconds (positive)
   */
  static Window since(MeterRegistry registry, Mark start, double seconds) {
    return new Window(
        rate(total(registry) - start.commits(), seconds),
        values(registry, LATENCY_AVG).average().orElse(Double.NaN),
        values(registry, LATENCY_MAX).max().orElse(Double.NaN),
        rate(recordsSent(registry) - start.recordsSent(), seconds));
  }

  /**
   * A counter's growth per second; NaN when it shrank (a restarted instance counts from 0) or is
   * unknown.
   */
  private static double rate(double growth, double seconds) {
    return growth >= 0 ? growth / seconds : Double.NaN;
  }

  /** The sum of the meters named {@code name}; NaN when there is none. */
  private static double sum(MeterRegistry registry, String name) {
    Collection<Meter> meters = registry.find(name).meters();
    return meters.isEmpty() ? Double.NaN : meters.stream().mapToDouble(TransformCommits::value).sum();
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
