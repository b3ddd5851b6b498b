package org.edu2lms.cli.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.edu2lms.capture.CaptureConfig;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.transform.TransformConfig;

/**
 * Every key of the edu2lms configuration (README §Configuration): its name, its kind of value,
 * its default and whether it is a secret. A file, an environment variable {@code EDU2LMS_<KEY>}
 * (the key upper-cased, dots as underscores) or {@code EDU2LMS_<KEY>_FILE} (the value read from
 * that file) sets it; {@link Edu2LmsConfiguration} checks and combines them. Besides these keys,
 * the prefixes {@link #PASS_THROUGH} pass properties to Kafka clients, Kafka Streams and Debezium.
 */
public enum ConfigKey {
  /** Kafka bootstrap servers of every stage, {@code host:port[,host:port]}. */
  KAFKA_BOOTSTRAP_SERVERS("kafka.bootstrap.servers", Kind.TEXT, "localhost:9092", "Kafka bootstrap servers, host:port[,host:port]"),
  /** Folder of the capture's offsets and the transform's state stores. */
  DATA_DIR("data.dir", Kind.PATH, "edu2lms-data", "folder of the capture's offset file, the transform's state stores and the stages' group.instance.id files"),
  /** Partitions of the topics the pipeline creates when missing. */
  TOPICS_PARTITIONS("topics.partitions", Kind.INTEGER, "1", "partitions of each topic the pipeline creates when missing"),
  /** Replication factor of the topics the pipeline creates when missing. */
  TOPICS_REPLICATION_FACTOR("topics.replication.factor", Kind.INTEGER, "1", "replication factor of each topic the pipeline creates when missing (3 on a production cluster)"),
  /** Address the status page and /metrics bind. */
  HTTP_HOST("http.host", Kind.TEXT, "127.0.0.1", "address the status page and /metrics bind (0.0.0.0 in a container)"),
  /** Port of the status page and /metrics. */
  HTTP_PORT("http.port", Kind.INTEGER, "8080", "port of the status page and /metrics, 0 = any free port"),
  /** How long a stage may be unable to progress before {@code /health/ready} answers 503. */
  HEALTH_NOT_READY_AFTER(
      "health.not.ready.after",
      Kind.DURATION,
      "60s",
      "how long a stage may retry LMS, rebalance or be without EDU before /health/ready answers 503, at least 1s"),
  /** Format of a stage's log on standard output (and in {@link #LOG_FILE}). */
  LOG_FORMAT("log.format", Kind.TEXT, "text", "format of the stage's log on standard output: text (ISO-8601 date-times) or json (one object per line)"),
  /** Log file of a stage besides standard output; empty = none. */
  LOG_FILE("log.file", Kind.PATH, "", "file the stage also logs to, appended and rolled daily and at 100MB, 14 days kept (empty: none)"),

  /** EDU host. */
  CAPTURE_EDU_HOST("capture.edu.host", Kind.TEXT, "localhost", "EDU PostgreSQL host"),
  /** EDU port. */
  CAPTURE_EDU_PORT("capture.edu.port", Kind.INTEGER, "5432", "EDU PostgreSQL port"),
  /** EDU database. */
  CAPTURE_EDU_DATABASE("capture.edu.database", Kind.TEXT, "edu", "EDU database name"),
  /** EDU role of the capture. */
  CAPTURE_EDU_USER("capture.edu.user", Kind.TEXT, "postgres", "EDU role of the capture: REPLICATION and SELECT on the EDU tables (edu2lms setup edu)"),
  /** Its password. */
  CAPTURE_EDU_PASSWORD("capture.edu.password", Kind.SECRET, "", "password of capture.edu.user"),
  /** TLS to EDU. */
  CAPTURE_EDU_SSLMODE("capture.edu.sslmode", Kind.TEXT, CaptureConfig.DEFAULT_SSL_MODE, "TLS to EDU: disable, allow, prefer, require, verify-ca, verify-full (certificates: debezium.database.sslrootcert …)"),
  /** Replication slot. */
  CAPTURE_SLOT_NAME("capture.slot.name", Kind.TEXT, CaptureConfig.DEFAULT_REPLICATION_NAME, "logical replication slot of the capture"),
  /** Publication. */
  CAPTURE_PUBLICATION_NAME("capture.publication.name", Kind.TEXT, CaptureConfig.DEFAULT_REPLICATION_NAME, "publication over the EDU tables"),
  /** Offset file; empty = {@code <data.dir>/capture-offsets.dat}. */
  CAPTURE_OFFSET_FILE("capture.offset.file", Kind.PATH, "", "file of the capture's offsets (empty: <data.dir>/capture-offsets.dat)"),
  /** Heartbeat interval. */
  CAPTURE_HEARTBEAT_INTERVAL("capture.heartbeat.interval", Kind.DURATION, "1s", "how often the capture writes its heartbeat row into EDU (freshness resolution), at least 100ms"),
  /** Tables snapshotted last, each once the transform has consumed everything before it. */
  CAPTURE_SNAPSHOT_HELD_TABLES(
      "capture.snapshot.held.tables",
      Kind.TEXT,
      String.join(",", CaptureConfig.DEFAULT_SNAPSHOT_HELD_TABLES),
      "EDU tables (comma-separated) the initial snapshot reads last, each only once the transform has consumed everything captured before it, so their parents are derived first; empty: no waiting"),

  /** Streams application id. */
  TRANSFORM_APPLICATION_ID("transform.application.id", Kind.TEXT, TransformConfig.DEFAULT_APPLICATION_ID, "Kafka Streams application id: the transform's consumer group and internal-topic prefix"),
  /** State folder; empty = {@code <data.dir>/streams}. */
  TRANSFORM_STATE_DIR("transform.state.dir", Kind.PATH, "", "folder of the transform's state stores (empty: <data.dir>/streams)"),
  /** Commit interval. */
  TRANSFORM_COMMIT_INTERVAL(
      "transform.commit.interval",
      Kind.DURATION,
      TransformConfig.DEFAULT_COMMIT_INTERVAL_MS + "ms",
      "the transform's commit interval while it keeps up: each exactly-once hop waits about half of it; at least 10ms"),
  /** Commit interval while a backlog is worked off. */
  TRANSFORM_CATCHUP_COMMIT_INTERVAL(
      "transform.catchup.commit.interval",
      Kind.DURATION,
      TransformConfig.DEFAULT_CATCH_UP_COMMIT_INTERVAL_MS + "ms",
      "the transform's commit interval while its consumer lag is at least transform.catchup.lag (initial load, restart after a stop); at least transform.commit.interval, equal: no switching"),
  /** Lag that starts catch-up mode. */
  TRANSFORM_CATCHUP_LAG(
      "transform.catchup.lag",
      Kind.INTEGER,
      Long.toString(TransformConfig.DEFAULT_CATCH_UP_LAG),
      "consumer lag (records) held for 2 s that switches the transform to its catch-up commit interval; a tenth of it held for 6 s switches back (each switch restarts Kafka Streams)"),
  /** Stream threads. */
  TRANSFORM_STREAM_THREADS("transform.stream.threads", Kind.INTEGER, Integer.toString(TransformConfig.DEFAULT_STREAM_THREADS), "stream threads of one transform instance"),

  /** LMS JDBC URL. */
  SINK_LMS_URL("sink.lms.url", Kind.TEXT, "jdbc:postgresql://localhost:5432/lms", "JDBC URL of LMS; TLS as URL parameters (?sslmode=verify-full&sslrootcert=…)"),
  /** LMS role of the sink. */
  SINK_LMS_USER("sink.lms.user", Kind.TEXT, "postgres", "LMS role of the sink: DML on the LMS tables and the edu2lms schema (edu2lms setup lms)"),
  /** Its password. */
  SINK_LMS_PASSWORD("sink.lms.password", Kind.SECRET, "", "password of sink.lms.user"),
  /** Sink consumer group. */
  SINK_GROUP_ID("sink.group.id", Kind.TEXT, SinkConfig.DEFAULT_GROUP_ID, "the sink's consumer group"),
  /** Batch size. */
  SINK_MAX_POLL_RECORDS("sink.max.poll.records", Kind.INTEGER, Integer.toString(SinkConfig.DEFAULT_MAX_POLL_RECORDS), "most records of one batch (one LMS transaction), 1..100000"),
  /** Staging method. */
  SINK_STAGE_METHOD("sink.stage.method", Kind.TEXT, SinkConfig.DEFAULT_STAGE_METHOD.name().toLowerCase(Locale.ROOT), "how batches reach the staging table: insert or copy"),
  /** LMS connections sharing the upsert of a big table. */
  SINK_UPSERT_CONNECTIONS(
      "sink.upsert.connections",
      Kind.INTEGER,
      Integer.toString(SinkConfig.DEFAULT_UPSERT_CONNECTIONS),
      "LMS connections that share the upsert of a table with at least " + SinkConfig.PARALLEL_MIN_ROWS + " rows in one batch, 1.." + SinkConfig.MAX_UPSERT_CONNECTIONS),
  /** Parked grace period. */
  SINK_PARKED_GRACE("sink.parked.grace", Kind.DURATION, "2m", "how long a row may stay parked before it is also quarantined, at least 1s"),
  /** Parked retry interval. */
  SINK_PARKED_RETRY_INTERVAL("sink.parked.retry.interval", Kind.DURATION, "5s", "how often parked rows are retried when no data arrives, 100ms..1h"),
  /** Retry attempts. */
  SINK_RETRY_MAX_ATTEMPTS("sink.retry.max.attempts", Kind.INTEGER, Integer.toString(SinkConfig.DEFAULT_RETRY_MAX_ATTEMPTS), "attempts of a batch on transient LMS errors before the sink stops"),
  /** Longest backoff. */
  SINK_RETRY_MAX_BACKOFF("sink.retry.max.backoff", Kind.DURATION, "10s", "longest wait between two attempts (exponential from 200ms)");

  /** What a key's value is. */
  public enum Kind {
    /** Any text. */
    TEXT,
    /** A text never printed nor logged. */
    SECRET,
    /** A decimal integer. */
    INTEGER,
    /** {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT0.5S}). */
    DURATION,
    /** A file-system path. */
    PATH
  }

  /**
   * Prefixes passed through to the libraries, with the prefix removed: {@code kafka.} to every
   * Kafka client (producers, consumers, admin, Streams), {@code streams.} to Kafka Streams, {@code
   * debezium.} to the Debezium engine and connector. ({@code kafka.bootstrap.servers} is the key
   * {@link #KAFKA_BOOTSTRAP_SERVERS}.)
   */
  public static final java.util.List<String> PASS_THROUGH = java.util.List.of("kafka.", "streams.", "debezium.");

  /** The prefix of every edu2lms environment variable. */
  public static final String ENV_PREFIX = "EDU2LMS_";

  private static final Map<String, ConfigKey> BY_NAME =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(ConfigKey::key, Function.identity()));

  private static final Map<String, ConfigKey> BY_VARIABLE =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(ConfigKey::environmentVariable, Function.identity()));

  private final String key;
  private final Kind kind;
  private final String defaultValue;
  private final String description;

  ConfigKey(String key, Kind kind, String defaultValue, String description) {
    this.key = key;
    this.kind = kind;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** The key as written in a file, e.g. {@code sink.lms.url}. */
  public String key() {
    return key;
  }

  /** The kind of value. */
  public Kind kind() {
    return kind;
  }

  /** The default, as text ({@code ""} for an empty password or a path derived from {@code data.dir}). */
  public String defaultValue() {
    return defaultValue;
  }

  /** One line describing the key, for messages and documentation (README §Configuration). */
  public String description() {
    return description;
  }

  /** Whether the value is a secret: masked in every output. */
  public boolean secret() {
    return kind == Kind.SECRET;
  }

  /**
   * The environment variable that sets this key.
   *
   * @return e.g. {@code EDU2LMS_SINK_LMS_URL}; {@code _FILE} appended, it names a file holding the value
   */
  public String environmentVariable() {
    return environmentVariable(key);
  }

  /** {@code EDU2LMS_} and the key upper-cased with dots as underscores. */
  public static String environmentVariable(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** The key named so in a file, if it is one of edu2lms' own. */
  public static Optional<ConfigKey> byName(String key) {
    return Optional.ofNullable(BY_NAME.get(key));
  }

  /** The key whose own environment variable this is ({@code EDU2LMS_SINK_LMS_URL} → {@code sink.lms.url}). */
  public static Optional<ConfigKey> byEnvironmentVariable(String variable) {
    return Optional.ofNullable(BY_VARIABLE.get(variable));
  }

  /** Whether the key belongs to a pass-through prefix (and is not one of edu2lms' own keys). */
  public static boolean passThrough(String key) {
    return !BY_NAME.containsKey(key) && PASS_THROUGH.stream().anyMatch(p -> key.startsWith(p) && key.length() > p.length());
  }

  /**
   * Whether a pass-through key holds a secret, by the conventions of Kafka and Debezium ({@code
   * sasl.jaas.config}, {@code ssl.keystore.password}, {@code database.sslpassword}, …): masked like
   * the secret keys.
   */
  public static boolean secretPassThrough(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("jaas") || k.contains("token")
        || k.contains("credential") || k.endsWith(".key");
  }
}
