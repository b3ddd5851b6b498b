package org.edu2lms.transform;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.edu2lms.schemas.KafkaClientOverrides;

/**
 * Settings of the transform stage.
 *
 * @param kafkaBootstrap Kafka bootstrap servers
 * @param applicationId the Kafka Streams application id (consumer group and prefix of internal
 *     topics), {@code edu2lms-transform}
 * @param stateDir the folder of the local state stores (RocksDB)
 * @param commitIntervalMs how often a transaction is committed while the transform keeps up (live
 *     mode), in ms: each exactly-once hop waits about half of it (docs/benchmarks §Two commit
 *     intervals)
 * @param catchUpCommitIntervalMs the commit interval while a backlog of at least {@code catchUpLag}
 *     records is worked off (initial load, a stopped transform restarted), in ms; equal to {@code
 *     commitIntervalMs}: one interval, no switching ({@link CatchUpPolicy})
 * @param catchUpLag the transform's consumer lag on the EDU data topics, in records, from which it
 *     switches to the catch-up commit interval ({@link CatchUpPolicy})
 * @param streamThreads stream threads in this instance; tasks (one per sub-topology and
 *     partition) are spread over them
 * @param kafkaClient {@code kafka.*} pass-through: Kafka client properties (SASL, SSL, …) for every
 *     client of the Streams application, without the prefix ({@link KafkaClientOverrides})
 * @param streams {@code streams.*} pass-through: Kafka Streams properties (e.g. {@code
 *     rocksdb.config.setter}, {@code replication.factor}, {@code producer.linger.ms}), without the
 *     prefix; the keys of {@link #STREAMS_OWNED} are refused
 */
public record TransformConfig(
    String kafkaBootstrap,
    String applicationId,
    Path stateDir,
    long commitIntervalMs,
    long catchUpCommitIntervalMs,
    long catchUpLag,
    int streamThreads,
    Map<String, String> kafkaClient,
    Map<String, String> streams) {

  /**
   * Streams properties a {@code streams.*} pass-through may not set: the ones with {@code
   * transform.*} keys, the exactly-once guarantee, the serdes and timestamps the topology relies on.
   */
  public static final Set<String> STREAMS_OWNED =
      Set.of(
          "application.id", "bootstrap.servers", "processing.guarantee", "state.dir", "commit.interval.ms",
          "num.stream.threads", "default.key.serde", "default.value.serde", "default.timestamp.extractor",
          "topology.optimization", "main.consumer.interceptor.classes", "statestore.cache.max.bytes",
          "default.deserialization.exception.handler", "deserialization.exception.handler",
          "default.production.exception.handler", "production.exception.handler", "processing.exception.handler",
          "processor.wrapper.class");

  /** Settings without pass-through properties and with one commit interval (no catch-up mode). */
  public TransformConfig(String kafkaBootstrap, String applicationId, Path stateDir, long commitIntervalMs, int streamThreads) {
    this(kafkaBootstrap, applicationId, stateDir, commitIntervalMs, commitIntervalMs, DEFAULT_CATCH_UP_LAG, streamThreads, Map.of(), Map.of());
  }

  /**
   * Live commit interval by default, in ms (docs/benchmarks §The sink's round trips per batch):
   * at 1,000 changes/s, warm p50 / p99 27–34 / 65–99 ms against 41–48 / 87–96 ms with 50 ms
   * (three runs each), for ~0.15 more cores. It was 50 ms while each transform commit cost the
   * sink a staging cycle per table (20 and 30 ms were worse then, §Two commit intervals).
   */
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 20;

  /** Catch-up commit interval by default, in ms (docs/benchmarks §Two commit intervals). */
  public static final long DEFAULT_CATCH_UP_COMMIT_INTERVAL_MS = 500;

  /** Consumer lag (records) from which the transform catches up with the longer interval. */
  public static final long DEFAULT_CATCH_UP_LAG = 20_000;

  /** The smallest catch-up lag accepted, in records. */
  public static final long MIN_CATCH_UP_LAG = 100;

  /** Whether a backlog switches the transform to {@link #catchUpCommitIntervalMs()}. */
  public boolean catchUpEnabled() {
    return catchUpCommitIntervalMs != commitIntervalMs;
  }

  /** Stream threads by default: the 2 cores of the target machine. */
  public static final int DEFAULT_STREAM_THREADS = 2;

  /** The most stream threads one instance may run. */
  public static final int MAX_STREAM_THREADS = 64;

  /** The shortest commit interval accepted, in milliseconds. */
  public static final long MIN_COMMIT_INTERVAL_MS = 10;

  /** Default application id. */
  public static final String DEFAULT_APPLICATION_ID = "edu2lms-transform";

  /**
   * @throws IllegalArgumentException naming the setting that is missing or out of range
   */
  public TransformConfig {
    if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
      throw new IllegalArgumentException("kafka.bootstrap.servers is required");
    }
    if (applicationId == null || !applicationId.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("transform.application.id must be [A-Za-z0-9._-]+, got " + applicationId);
    }
    Objects.requireNonNull(stateDir, "transform.state.dir");
    if (streamThreads < 1 || streamThreads > MAX_STREAM_THREADS) {
      throw new IllegalArgumentException("transform.stream.threads must be 1.." + MAX_STREAM_THREADS + ", got " + streamThreads);
    }
    if (commitIntervalMs < MIN_COMMIT_INTERVAL_MS) {
      throw new IllegalArgumentException(
          "transform.commit.interval must be at least " + MIN_COMMIT_INTERVAL_MS + " ms, got " + commitIntervalMs + " ms");
    }
    if (catchUpCommitIntervalMs < commitIntervalMs) {
      throw new IllegalArgumentException(
          "transform.catchup.commit.interval must be at least transform.commit.interval (" + commitIntervalMs + " ms), got "
              + catchUpCommitIntervalMs + " ms");
    }
    if (catchUpLag < MIN_CATCH_UP_LAG) {
      throw new IllegalArgumentException("transform.catchup.lag must be at least " + MIN_CATCH_UP_LAG + " records, got " + catchUpLag);
    }
    kafkaClient = KafkaClientOverrides.check(kafkaClient);
    for (String key : kafkaClient.keySet()) {
      // kafka.* reaches the Streams properties too: it may not change what streams.* may not.
      if (STREAMS_OWNED.contains(key)) {
        throw new IllegalArgumentException("kafka." + key + " is set by edu2lms and cannot be overridden (see the transform.* keys)");
      }
    }
    streams = Map.copyOf(streams);
    for (String key : streams.keySet()) {
      if (STREAMS_OWNED.contains(key)) {
        throw new IllegalArgumentException(
            "streams." + key + " is set by edu2lms and cannot be overridden (see the transform.* keys)");
      }
    }
  }

  /** Pass-through values are not printed (they may hold SASL or SSL secrets), only their keys. */
  @Override
  public String toString() {
    return "TransformConfig[kafka.bootstrap.servers=" + kafkaBootstrap + ", transform.application.id=" + applicationId
        + ", transform.state.dir=" + stateDir + ", transform.commit.interval=" + commitIntervalMs
        + " ms, transform.catchup.commit.interval=" + catchUpCommitIntervalMs + " ms, transform.catchup.lag=" + catchUpLag
        + ", transform.stream.threads=" + streamThreads + ", kafka.*=" + kafkaClient.keySet() + ", streams.*="
        + streams.keySet() + "]";
  }
}
