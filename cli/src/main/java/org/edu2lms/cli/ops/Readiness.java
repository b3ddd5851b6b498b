package org.edu2lms.cli.ops;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether the stages of this process do their work, as {@code GET /health/ready} answers it: 200
 * when every check is ready, 503 otherwise, with one check per stage. A stage is not ready when it
 * has failed, or when it has been unable to progress (retrying, rebalancing, without EDU) for
 * longer than the bound {@code health.not.ready.after}: short hiccups that it recovers from by
 * itself do not flap the answer (docs/operations.md §Health and readiness).
 *
 * @param checks one per stage run by this process, in the order capture, transform, sink
 */
public record Readiness(List<Check> checks) {

  /**
   * One stage's readiness.
   *
   * @param stage {@code capture}, {@code transform} or {@code sink}
   * @param ready whether it does its work
   * @param detail what it does, or why it is not ready
   */
  public record Check(String stage, boolean ready, String detail) {}

  /** Whether every check is ready (also when this process runs no stage); {@code "ready"} in JSON. */
  @JsonProperty("ready")
  public boolean ready() {
    return checks.stream().allMatch(Check::ready);
  }

  /**
   * The capture: not ready once failed or without EDU for {@code bound}.
   *
   * @param failure the error that stopped it, or {@code null}
   * @param disconnectedSinceNanos {@link System#nanoTime()} of the lost connection, 0 when connected
   * @param streaming whether Debezium streams from the replication slot now
   * @param nowNanos {@link System#nanoTime()} now
   */
  public static Check capture(Throwable failure, long disconnectedSinceNanos, boolean streaming, long nowNanos, Duration bound) {
    if (failure != null) {
      return new Check("capture", false, "failed: " + failure.getMessage());
    }
    if (disconnectedSinceNanos != 0) {
      long seconds = Duration.ofNanos(nowNanos - disconnectedSinceNanos).toSeconds();
      boolean over = nowNanos - disconnectedSinceNanos >= bound.toNanos();
      return new Check("capture", !over, "connection to EDU lost " + seconds + " s ago, reconnecting");
    }
    return new Check("capture", true, streaming ? "streaming" : "starting or taking the initial snapshot");
  }

  /**
   * The transform: ready while its Kafka Streams instance runs, or rebalances (or starts) for less
   * than {@code bound}; not ready once it has failed or stopped.
   *
   * @param failure the error of a stream thread that died, or {@code null}
   * @param state the instance's state
   * @param stateSinceNanos {@link System#nanoTime()} when it entered that state
   * @param nowNanos {@link System#nanoTime()} now
   */
  public static Check transform(Throwable failure, KafkaStreams.State state, long stateSinceNanos, long nowNanos, Duration bound) {
    if (failure != null) {
      return new Check("transform", false, "failed: " + failure.getMessage());
    }
    long seconds = Duration.ofNanos(nowNanos - stateSinceNanos).toSeconds();
    return switch (state) {
      case RUNNING -> new Check("transform", true, "Kafka Streams RUNNING");
      case CREATED, REBALANCING -> new Check(
          "transform", nowNanos - stateSinceNanos < bound.toNanos(), "Kafka Streams " + state + " for " + seconds + " s");
      default -> new Check("transform", false, "Kafka Streams " + state);
    };
  }

  /**
   * The sink: not ready once failed, when it has retried a transient LMS error for {@code bound},
   * or when its loop has not finished a round for {@code bound} (a batch that does not end).
   *
   * @param failure the error that stopped it, or {@code null}
   * @param roundAtNanos {@link System#nanoTime()} when its loop last finished a round
   * @param retryingSinceNanos {@link System#nanoTime()} of the first retry of the current attempt, 0 when not retrying
   * @param nowNanos {@link System#nanoTime()} now
   */
  public static Check sink(Throwable failure, long roundAtNanos, long retryingSinceNanos, long nowNanos, Duration bound) {
    if (failure != null) {
      return new Check("sink", false, "failed: " + failure.getMessage());
    }
    if (retryingSinceNanos != 0) {
      long seconds = Duration.ofNanos(nowNanos - retryingSinceNanos).toSeconds();
      return new Check("sink", nowNanos - retryingSinceNanos < bound.toNanos(), "LMS unavailable, retrying for " + seconds + " s");
    }
    if (nowNanos - roundAtNanos >= bound.toNanos()) {
      return new Check("sink", false, "no batch finished for " + Duration.ofNanos(nowNanos - roundAtNanos).toSeconds() + " s");
    }
    return new Check("sink", true, "writing LMS");
  }
}
