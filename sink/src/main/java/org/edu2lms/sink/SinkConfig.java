package org.edu2lms.sink;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.edu2lms.schemas.KafkaClientOverrides;

/**
 * Settings of the sink stage. Every value is checked here, at start-up, and a bad one is reported
 * with its configuration key.
 *
 * @param lmsJdbcUrl {@code sink.lms.url}: the LMS database, e.g. {@code
 *     jdbc:postgresql://localhost:5432/lms}
 * @param lmsUser {@code sink.lms.user}: a user with DML on the LMS tables and the edu2lms schema
 * @param lmsPassword {@code sink.lms.password}
 * @param kafkaBootstrap {@code kafka.bootstrap.servers}
 * @param groupId {@code sink.group.id}: the sink's consumer group ({@value #DEFAULT_GROUP_ID}); its
 *     committed offsets are the position of LMS in the lms.* topics
 * @param maxPollRecords {@code sink.max.poll.records}: the most records one batch (one database
 *     transaction) takes, 1..100,000
 * @param stageMethod {@code sink.stage.method}: how batches reach the staging table
 * @param upsertConnections {@code sink.upsert.connections}: LMS connections that share the upsert
 *     of a table with at least {@link #PARALLEL_MIN_ROWS} rows in one batch, 1..8 ({@value
 *     #DEFAULT_UPSERT_CONNECTIONS}); 1 writes every batch on one connection. See {@link
 *     LmsSink} for how the rows are split and what happens when a part cannot be written
 * @param parkedGrace {@code sink.parked.grace}: how long a row may stay parked (waiting for its
 *     parent or a unique value held by a row in flight) before it is also quarantined as {@code
 *     missing_parent:<table>} / {@code conflict:<constraint>}; at least 1 s
 * @param parkedRetryInterval {@code sink.parked.retry.interval}: how often parked rows are retried
 *     when no new data arrives (they are also retried after every batch that writes a parent);
 *     100 ms..1 h
 * @param retryMaxAttempts {@code sink.retry.max.attempts}: attempts of a batch on transient
 *     database errors (connection lost, LMS restarting) before the sink stops, at least 1
 * @param retryMaxBackoff {@code sink.retry.max.backoff}: the longest wait between two attempts
 *     (exponential from 200 ms)
 * @param kafkaClient {@code kafka.*} pass-through: Kafka client properties (SASL, SSL, …) for the
 *     sink's consumer and dead-letter producer, without the prefix ({@link KafkaClientOverrides})
 */
public record SinkConfig(
    String lmsJdbcUrl,
    String lmsUser,
    String lmsPassword,
    String kafkaBootstrap,
    String groupId,
    int maxPollRecords,
    StageMethod stageMethod,
    int upsertConnections,
    Duration parkedGrace,
    Duration parkedRetryInterval,
    int retryMaxAttempts,
    Duration retryMaxBackoff,
    Map<String, String> kafkaClient) {

  /** Default consumer group. */
  public static final String DEFAULT_GROUP_ID = "edu2lms-sink";

  /** Default batch size. */
  public static final int DEFAULT_MAX_POLL_RECORDS = 10_000;

  /**
   * Default staging method: INSERT. COPY measured 8–10 % faster over a whole replay (docs/benchmarks),
   * but when the LMS server shut down while a COPY stream was being written, the client stayed
   * blocked in the socket write for minutes (seen in LmsSinkIT's restart scenario); a batched
   * INSERT reads the server's replies as it goes and fails at once, so the retry takes over.
   * COPY stays available with {@code sink.stage.method=copy}.
   */
  public static final StageMethod DEFAULT_STAGE_METHOD = StageMethod.INSERT;

  /**
   * Default LMS connections of one sink: 2. When the transform has caught up at the end of an
   * initial load, the sink drains its backlog alone and one LMS backend was the limit (~80 % of a
   * core, the sink's own thread 6 %: docs/benchmarks §Two commit intervals); a second connection
   * lets PostgreSQL use the other core for the big tables.
   */
  public static final int DEFAULT_UPSERT_CONNECTIONS = 2;

  /** The most LMS connections {@code sink.upsert.connections} may name. */
  public static final int MAX_UPSERT_CONNECTIONS = 8;

  /**
   * Rows of one table in one batch from which its upsert is shared by {@code
   * sink.upsert.connections}: smaller writes (live sync) stay on one connection and one transaction.
   */
  public static final int PARALLEL_MIN_ROWS = 2_000;

  /** Default grace period of parked rows. */
  public static final Duration DEFAULT_PARKED_GRACE = Duration.ofMinutes(2);

  /** Default retry interval of parked rows. */
  public static final Duration DEFAULT_PARKED_RETRY_INTERVAL = Duration.ofSeconds(5);

  /** Default attempts on transient errors: with the default backoff, about 20 minutes. */
  public static final int DEFAULT_RETRY_MAX_ATTEMPTS = 120;

  /** Default longest backoff. */
  public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(10);

  /**
   * @throws IllegalArgumentException naming the setting that is missing or out of range
   */
  public SinkConfig {
    if (lmsJdbcUrl == null || !lmsJdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("sink.lms.url must be a jdbc:postgresql: URL, got " + lmsJdbcUrl);
    }
    if (lmsUser == null || lmsUser.isBlank()) {
      throw new IllegalArgumentException("sink.lms.user is required");
    }
    if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
      throw new IllegalArgumentException("kafka.bootstrap.servers is required");
    }
    if (groupId == null || groupId.isBlank()) {
      throw new IllegalArgumentException("sink.group.id is required");
    }
    if (maxPollRecords < 1 || maxPollRecords > 100_000) {
      throw new IllegalArgumentException("sink.max.poll.records must be 1..100000, got " + maxPollRecords);
    }
    Objects.requireNonNull(stageMethod, "sink.stage.method is required (copy or insert)");
    if (upsertConnections < 1 || upsertConnections > MAX_UPSERT_CONNECTIONS) {
      throw new IllegalArgumentException("sink.upsert.connections must be 1.." + MAX_UPSERT_CONNECTIONS + ", got " + upsertConnections);
    }
    if (parkedGrace == null || parkedGrace.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("sink.parked.grace must be at least PT1S, got " + parkedGrace);
    }
    if (parkedRetryInterval == null
        || parkedRetryInterval.compareTo(Duration.ofMillis(100)) < 0
        || parkedRetryInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("sink.parked.retry.interval must be PT0.1S..PT1H, got " + parkedRetryInterval);
    }
    if (retryMaxAttempts < 1) {
      throw new IllegalArgumentException("sink.retry.max.attempts must be at least 1, got " + retryMaxAttempts);
    }
    if (retryMaxBackoff == null || retryMaxBackoff.compareTo(Duration.ofMillis(200)) < 0) {
      throw new IllegalArgumentException("sink.retry.max.backoff must be at least PT0.2S, got " + retryMaxBackoff);
    }
    kafkaClient = KafkaClientOverrides.check(kafkaClient);
  }

  /** Settings without pass-through Kafka client properties, with the default upsert connections. */
  public SinkConfig(
      String lmsJdbcUrl,
      String lmsUser,
      String lmsPassword,
      String kafkaBootstrap,
      String groupId,
      int maxPollRecords,
      StageMethod stageMethod,
      Duration parkedGrace,
      Duration parkedRetryInterval,
      int retryMaxAttempts,
      Duration retryMaxBackoff) {
    this(lmsJdbcUrl, lmsUser, lmsPassword, kafkaBootstrap, groupId, maxPollRecords, stageMethod, DEFAULT_UPSERT_CONNECTIONS, parkedGrace,
        parkedRetryInterval, retryMaxAttempts, retryMaxBackoff, Map.of());
  }

  /** Settings with the defaults for everything but where LMS and Kafka are. */
  public SinkConfig(String lmsJdbcUrl, String lmsUser, String lmsPassword, String kafkaBootstrap, String groupId) {
    this(
        lmsJdbcUrl,
        lmsUser,
        lmsPassword,
        kafkaBootstrap,
        groupId,
        DEFAULT_MAX_POLL_RECORDS,
        DEFAULT_STAGE_METHOD,
        DEFAULT_PARKED_GRACE,
        DEFAULT_PARKED_RETRY_INTERVAL,
        DEFAULT_RETRY_MAX_ATTEMPTS,
        DEFAULT_RETRY_MAX_BACKOFF);
  }

  /** A copy with another consumer group. */
  public SinkConfig withGroupId(String id) {
    return new SinkConfig(
        lmsJdbcUrl, lmsUser, lmsPassword, kafkaBootstrap, id, maxPollRecords, stageMethod, upsertConnections, parkedGrace,
        parkedRetryInterval, retryMaxAttempts, retryMaxBackoff, kafkaClient);
  }

  /** A copy with another LMS database. */
  public SinkConfig withLmsJdbcUrl(String url) {
    return new SinkConfig(
        url, lmsUser, lmsPassword, kafkaBootstrap, groupId, maxPollRecords, stageMethod, upsertConnections, parkedGrace,
        parkedRetryInterval, retryMaxAttempts, retryMaxBackoff, kafkaClient);
  }

  /** A copy with another staging method. */
  public SinkConfig withStageMethod(StageMethod method) {
    return new SinkConfig(
        lmsJdbcUrl, lmsUser, lmsPassword, kafkaBootstrap, groupId, maxPollRecords, method, upsertConnections, parkedGrace,
        parkedRetryInterval, retryMaxAttempts, retryMaxBackoff, kafkaClient);
  }

  /** A copy with another grace period and retry interval for parked rows. */
  public SinkConfig withParking(Duration grace, Duration retryInterval) {
    return new SinkConfig(
        lmsJdbcUrl, lmsUser, lmsPassword, kafkaBootstrap, groupId, maxPollRecords, stageMethod, upsertConnections, grace, retryInterval, retryMaxAttempts, retryMaxBackoff, kafkaClient);
  }

  /** A copy with another batch size. */
  public SinkConfig withMaxPollRecords(int records) {
    return new SinkConfig(
        lmsJdbcUrl, lmsUser, lmsPassword, kafkaBootstrap, groupId, records, stageMethod, upsertConnections, parkedGrace,
        parkedRetryInterval, retryMaxAttempts, retryMaxBackoff, kafkaClient);
  }

  /** A copy with another number of upsert connections. */
  public SinkConfig withUpsertConnections(int connections) {
    return new SinkConfig(
        lmsJdbcUrl, lmsUser, lmsPassword, kafkaBootstrap, groupId, maxPollRecords, stageMethod, connections, parkedGrace,
        parkedRetryInterval, retryMaxAttempts, retryMaxBackoff, kafkaClient);
  }

  /** The password is never printed. */
  @Override
  public String toString() {
    return "SinkConfig[sink.lms.url=" + org.edu2lms.schemas.UrlPasswords.mask(lmsJdbcUrl) + ", sink.lms.user=" + lmsUser + ", sink.lms.password=****"
        + ", kafka.bootstrap.servers=" + kafkaBootstrap + ", sink.group.id=" + groupId + ", sink.max.poll.records="
        + maxPollRecords + ", sink.stage.method=" + stageMethod + ", sink.upsert.connections=" + upsertConnections + ", sink.parked.grace=" + parkedGrace
        + ", sink.parked.retry.interval=" + parkedRetryInterval + ", sink.retry.max.attempts=" + retryMaxAttempts
        + ", sink.retry.max.backoff=" + retryMaxBackoff + ", kafka.*=" + kafkaClient.keySet() + "]";
  }
}
