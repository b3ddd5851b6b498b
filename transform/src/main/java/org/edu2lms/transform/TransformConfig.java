package org.edu2lms.transform;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the transform stage.
 *
 * @param kafkaBootstrap Kafka bootstrap servers
 * @param applicationId the Kafka Streams application id (consumer group and prefix of internal
 *     topics), {@code edu2lms-transform}
 * @param stateDir the folder of the local state stores (RocksDB)
 * @param commitIntervalMs how often a transaction is committed, in ms (latency vs. throughput)
 * @param streamThreads stream threads in this instance; tasks (one per sub-topology and
 *     partition) are spread over them
 */
public record TransformConfig(
    String kafkaBootstrap, String applicationId, Path stateDir, long commitIntervalMs, int streamThreads) {

  /** Stream threads by default: the 2 cores of the target machine. */
  public static final int DEFAULT_STREAM_THREADS = 2;

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
    if (streamThreads < 1 || streamThreads > 64) {
      throw new IllegalArgumentException("transform.stream.threads must be 1..64, got " + streamThreads);
    }
    if (commitIntervalMs < 10) {
      throw new IllegalArgumentException("transform.commit.interval.ms must be >= 10, got " + commitIntervalMs);
    }
  }
}
