package org.edu2lms.capture;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.edu2lms.schemas.EduTables;

/**
 * Settings of the capture stage: where EDU is, where Kafka is, and the names of the replication
 * objects the capture owns (edu.md §Replication settings).
 *
 * @param eduHost EDU PostgreSQL host
 * @param eduPort EDU PostgreSQL port
 * @param eduDatabase EDU database name ({@code edu})
 * @param eduUser a user with REPLICATION and SELECT on the EDU tables
 * @param eduPassword its password
 * @param kafkaBootstrap Kafka bootstrap servers, {@code host:port[,host:port]}
 * @param slotName the logical replication slot the capture reads ({@code edu2lms})
 * @param publicationName the publication over exactly the EDU tables ({@code edu2lms})
 * @param offsetFile the file the Debezium offsets (the last LSN handed to Kafka) are stored in
 * @param heartbeatInterval how often the capture writes its heartbeat row into EDU {@link
 *     EduTables#HEARTBEAT} and Debezium emits a heartbeat (at least 100 ms; default {@link
 *     #DEFAULT_HEARTBEAT_INTERVAL}); freshness is measured with this resolution
 * @param eduSslMode {@code capture.edu.sslmode}: TLS to EDU, one of PostgreSQL's {@code sslmode}
 *     values ({@link #SSL_MODES}); used by Debezium ({@code database.sslmode}) and by the capture's
 *     own JDBC connections
 * @param kafkaClient {@code kafka.*} pass-through: extra Kafka client properties (SASL, SSL, …)
 *     for the capture's producer and consumers, without the {@code kafka.} prefix
 * @param debezium {@code debezium.*} pass-through: extra Debezium connector or engine properties,
 *     without the {@code debezium.} prefix; keys edu2lms sets itself for correctness are refused
 *     ({@link #DEBEZIUM_OWNED})
 * @param snapshotHeldTables {@code capture.snapshot.held.tables}: EDU tables whose
 *     initial snapshot comes last, in this order, each one's rows sent only once the transform has
 *     consumed everything captured before it ({@link SnapshotGate}), so their parents are derived
 *     first; empty: every table in {@link EduTables#ALL} order, nothing held (default {@link
 *     #DEFAULT_SNAPSHOT_HELD_TABLES})
 */
public record CaptureConfig(
    String eduHost,
    int eduPort,
    String eduDatabase,
    String eduUser,
    String eduPassword,
    String kafkaBootstrap,
    String slotName,
    String publicationName,
    Path offsetFile,
    Duration heartbeatInterval,
    String eduSslMode,
    Map<String, String> kafkaClient,
    Map<String, String> debezium,
    List<String> snapshotHeldTables) {

  /**
   * Default {@code capture.snapshot.held.tables}: the child tables whose parents are derived
   * through the longest chains (exam_result: exam and students; journal: students and offerings;
   * journal_details: journal), journal_details (83 % of EDU) last.
   */
  public static final List<String> DEFAULT_SNAPSHOT_HELD_TABLES = List.of("exam_result", "journal", "journal_details");

  /** PostgreSQL's {@code sslmode} values (libpq, pgjdbc, Debezium {@code database.sslmode}). */
  public static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  /** Default {@code capture.edu.sslmode}: PostgreSQL's own default. */
  public static final String DEFAULT_SSL_MODE = "prefer";

  /**
   * Debezium properties a {@code debezium.*} pass-through may not change: they carry the capture's
   * contract (which tables, which slot and publication, the event format the transform reads, the
   * offsets and the retry rule {@link EduCapture} relies on). The connection, slot and heartbeat
   * ones have keys of their own ({@code capture.*}).
   */
  public static final Set<String> DEBEZIUM_OWNED =
      Set.of(
          "name", "connector.class", "offset.storage", "offset.storage.file.filename", "database.hostname",
          "database.port", "database.user", "database.password", "database.dbname", "database.sslmode",
          "topic.prefix", "plugin.name", "slot.name", "publication.name", "publication.autocreate.mode",
          "table.include.list", "table.exclude.list", "schema.include.list", "schema.exclude.list",
          "column.include.list", "column.exclude.list", "heartbeat.interval.ms", "heartbeat.action.query",
          "snapshot.mode", "signal.enabled.channels", "signal.data.collection", "decimal.handling.mode",
          "tombstones.on.delete", "skipped.operations", "converter.schemas.enable", "key.converter.schemas.enable",
          "value.converter.schemas.enable", "errors.max.retries", "transforms", "predicates", "key.converter",
          "value.converter", "time.precision.mode", "binary.handling.mode", "interval.handling.mode",
          "event.processing.failure.handling.mode", "message.key.columns", "snapshot.select.statement.overrides",
          "converters", "post.processors");

  /**
   * Default Debezium {@code poll.interval.ms} (a {@code debezium.poll.interval.ms} pass-through
   * overrides it): 5 ms, in milliseconds. Why 5 and not 10: see {@link #debeziumProperties()}'s
   * comment and docs/benchmarks §Debezium's poll interval 5 ms.
   */
  public static final long DEFAULT_POLL_INTERVAL_MS = 5;

  /** Default replication slot and publication name. */
  public static final String DEFAULT_REPLICATION_NAME = "edu2lms";

  /** Default {@code capture.heartbeat.interval}: 1 s. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

  /**
   * The statement Debezium runs on EDU every heartbeat interval: the transaction time of the
   * heartbeat row, which the transform forwards and the sink records in LMS.
   */
  public static final String HEARTBEAT_ACTION_QUERY =
      "INSERT INTO public." + EduTables.HEARTBEAT + " (id, ts) VALUES (1, now())"
          + " ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts";

  /** Settings with the default heartbeat interval. */
  public CaptureConfig(
      String eduHost,
      int eduPort,
      String eduDatabase,
      String eduUser,
      String eduPassword,
      String kafkaBootstrap,
      String slotName,
      String publicationName,
      Path offsetFile) {
    this(eduHost, eduPort, eduDatabase, eduUser, eduPassword, kafkaBootstrap, slotName, publicationName, offsetFile, DEFAULT_HEARTBEAT_INTERVAL);
  }

  /** Settings without TLS options or pass-through properties. */
  public CaptureConfig(
      String eduHost,
      int eduPort,
      String eduDatabase,
      String eduUser,
      String eduPassword,
      String kafkaBootstrap,
      String slotName,
      String publicationName,
      Path offsetFile,
      Duration heartbeatInterval) {
    this(eduHost, eduPort, eduDatabase, eduUser, eduPassword, kafkaBootstrap, slotName, publicationName, offsetFile,
        heartbeatInterval, DEFAULT_SSL_MODE, Map.of(), Map.of(), DEFAULT_SNAPSHOT_HELD_TABLES);
  }

  /**
   * @throws IllegalArgumentException naming the setting that is missing or out of range
   */
  public CaptureConfig {
    require(eduHost, "capture.edu.host");
    require(eduDatabase, "capture.edu.database");
    require(eduUser, "capture.edu.user");
    Objects.requireNonNull(eduPassword, "capture.edu.password");
    require(kafkaBootstrap, "kafka.bootstrap.servers");
    require(slotName, "capture.slot.name");
    require(publicationName, "capture.publication.name");
    Objects.requireNonNull(offsetFile, "capture.offset.file");
    Objects.requireNonNull(heartbeatInterval, "capture.heartbeat.interval");
    if (heartbeatInterval.toMillis() < 100) {
      throw new IllegalArgumentException("capture.heartbeat.interval must be at least 100 ms, got " + heartbeatInterval);
    }
    if (eduPort < 1 || eduPort > 65535) {
      throw new IllegalArgumentException("capture.edu.port must be 1..65535, got " + eduPort);
    }
    if (!slotName.matches("[a-z0-9_]{1,63}")) {
      throw new IllegalArgumentException(
          "capture.slot.name must be lower-case letters, digits and _ (PostgreSQL slot rules), got " + slotName);
    }
    if (!publicationName.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "capture.publication.name must be a plain SQL identifier (letters, digits, _), got " + publicationName);
    }
    if (!SSL_MODES.contains(eduSslMode)) {
      throw new IllegalArgumentException("capture.edu.sslmode must be one of " + new java.util.TreeSet<>(SSL_MODES) + ", got " + eduSslMode);
    }
    kafkaClient = org.edu2lms.schemas.KafkaClientOverrides.check(kafkaClient);
    snapshotHeldTables = List.copyOf(Objects.requireNonNull(snapshotHeldTables, "capture.snapshot.held.tables"));
    for (String table : snapshotHeldTables) {
      if (!EduTables.ALL.contains(table)) {
        throw new IllegalArgumentException(
            "capture.snapshot.held.tables names '" + table + "', which is not an EDU table; the tables are: " + String.join(", ", EduTables.ALL));
      }
    }
    if (new java.util.HashSet<>(snapshotHeldTables).size() != snapshotHeldTables.size()) {
      throw new IllegalArgumentException("capture.snapshot.held.tables names a table twice: " + snapshotHeldTables);
    }
    debezium = Map.copyOf(debezium);
    for (String key : debezium.keySet()) {
      if (DEBEZIUM_OWNED.contains(key)) {
        throw new IllegalArgumentException(
            "debezium." + key + " is set by edu2lms and cannot be overridden"
                + " (connection, slot, publication and heartbeat have capture.* keys)");
      }
    }
  }

  /**
   * The JDBC URL of EDU for the capture's own connections (slot checks, the heartbeat and signal
   * tables) and the status page, with {@link #eduSslMode} and the certificate files of {@code
   * debezium.database.sslrootcert}, {@code .sslcert}, {@code .sslkey}.
   *
   * @return e.g. {@code jdbc:postgresql://edu:5432/edu?sslmode=verify-full}
   */
  public String eduJdbcUrl() {
    StringBuilder url = new StringBuilder("jdbc:postgresql://" + eduHost + ":" + eduPort + "/" + eduDatabase + "?sslmode=" + eduSslMode);
    // The certificate files given to Debezium serve the capture's own connections too.
    for (String file : List.of("sslrootcert", "sslcert", "sslkey")) {
      String value = debezium.get("database." + file);
      if (value != null) {
        url.append('&').append(file).append('=').append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return url.toString();
  }

  /**
   * The EDU tables in initial-snapshot order: {@link EduTables#ALL} (parents before children)
   * without the {@link #snapshotHeldTables} tables, then those in their configured order.
   */
  public List<String> snapshotOrder() {
    List<String> order = new java.util.ArrayList<>(EduTables.ALL);
    order.removeAll(snapshotHeldTables);
    order.addAll(snapshotHeldTables);
    return List.copyOf(order);
  }

  /** The password is never printed. */
  @Override
  public String toString() {
    return "CaptureConfig[capture.edu.host=" + eduHost + ", capture.edu.port=" + eduPort + ", capture.edu.database="
        + eduDatabase + ", capture.edu.user=" + eduUser + ", capture.edu.password=****, capture.edu.sslmode="
        + eduSslMode + ", kafka.bootstrap.servers=" + kafkaBootstrap + ", capture.slot.name=" + slotName
        + ", capture.publication.name=" + publicationName + ", capture.offset.file=" + offsetFile
        + ", capture.heartbeat.interval=" + heartbeatInterval + ", kafka.*=" + kafkaClient.keySet()
        + ", debezium.*=" + debezium.keySet() + ", capture.snapshot.held.tables=" + snapshotHeldTables + "]";
  }

  private static void require(String value, String key) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " is required");
    }
  }

  /**
   * The Debezium PostgreSQL connector and engine properties: pgoutput, a filtered publication over
   * exactly {@link EduTables#ALL} and the heartbeat table, an initial snapshot then streaming, file
   * offsets, numerics as strings (no precision loss), JSON without inline schemas, a heartbeat
   * every {@link #heartbeatInterval} that also updates {@link EduTables#HEARTBEAT}.
   */
  public Properties debeziumProperties() {
    Properties p = new Properties();
    p.setProperty("name", "edu2lms-capture");
    p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
    p.setProperty("offset.storage.file.filename", offsetFile.toAbsolutePath().toString());
    p.setProperty("offset.flush.interval.ms", "1000");
    p.setProperty("database.hostname", eduHost);
    p.setProperty("database.port", Integer.toString(eduPort));
    p.setProperty("database.user", eduUser);
    p.setProperty("database.password", eduPassword);
    p.setProperty("database.dbname", eduDatabase);
    p.setProperty("topic.prefix", EduTables.TOPIC_PREFIX);
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("slot.name", slotName);
    p.setProperty("publication.name", publicationName);
    p.setProperty("publication.autocreate.mode", "filtered");
    // Debezium snapshots the tables in this list's order: the held ones last (snapshotOrder).
    p.setProperty(
        "table.include.list",
        Stream.concat(snapshotOrder().stream(), Stream.of(EduTables.HEARTBEAT, EduTables.SIGNAL))
            .map(t -> "public\\." + t)
            .collect(Collectors.joining(",")));
    p.setProperty("heartbeat.interval.ms", Long.toString(heartbeatInterval.toMillis()));
    p.setProperty("heartbeat.action.query", HEARTBEAT_ACTION_QUERY);
    p.setProperty("snapshot.mode", "initial");
    // edu2lms reload: incremental snapshots asked for through the signal table (source channel).
    p.setProperty("signal.enabled.channels", "source");
    p.setProperty("signal.data.collection", "public." + EduTables.SIGNAL);
    p.setProperty("decimal.handling.mode", "string");
    p.setProperty("tombstones.on.delete", "true");
    // TRUNCATE is emitted (op "t"), not skipped; EduCapture turns it into a delete per row.
    p.setProperty("skipped.operations", "none");
    p.setProperty("converter.schemas.enable", "false");
    p.setProperty("key.converter.schemas.enable", "false");
    p.setProperty("value.converter.schemas.enable", "false");
    p.setProperty("max.batch.size", "4096");
    p.setProperty("max.queue.size", "16384");
    // Debezium waits this long twice per change when streaming is idle: between empty reads of the
    // replication stream, and in the engine's queue poll, which returns a batch only once it is
    // full (max.batch.size) or this interval has passed. At 1,000 changes/s the batches of a 5 ms
    // interval also wake the transform's stream threads often enough that each commits close to
    // its 20 ms interval instead of at the third 10 ms batch (~30 ms): live p99 39-50 ms against
    // 47-70 at 10 ms, for the same CPU (docs/benchmarks §Debezium's poll interval 5 ms, session 20).
    p.setProperty("poll.interval.ms", Long.toString(DEFAULT_POLL_INTERVAL_MS));
    // No retry inside Debezium: after a lost connection it would re-create a dropped slot and
    // skip the changes in between. EduCapture starts a new engine after checking the slot.
    p.setProperty("errors.max.retries", "0");
    p.setProperty("database.sslmode", eduSslMode);
    debezium.forEach(p::setProperty);
    return p;
  }
}
