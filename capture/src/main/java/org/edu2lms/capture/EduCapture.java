package org.edu2lms.capture;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.io.IOException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.edu2lms.schemas.EduTables;
import org.edu2lms.schemas.KafkaClientOverrides;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture stage: a Debezium Embedded PostgreSQL engine that reads EDU through the logical
 * replication slot ({@code pgoutput}) and produces every change event, unchanged, to
 * {@code edu.public.<table>} (JSON key {@code {"id":…}}, JSON envelope value with {@code before},
 * {@code after}, {@code source.lsn}, {@code op}; a tombstone after each delete).
 *
 * <p>Delivery is at-least-once: a batch is produced and flushed (idempotent producer,
 * {@code acks=all}) before Debezium is told it is processed, so its offset is stored only after
 * Kafka has the events. After a crash the last batch may be produced again; every later stage is
 * idempotent.
 */
public final class EduCapture implements AutoCloseable {

  /**
   * {@code compression.type} of the capture's producer unless {@code kafka.compression.type} says
   * otherwise: the snapshot topics stay small, and at 1,000 changes/s an uncompressed capture was
   * no faster end to end (docs/benchmarks §Warm-up and garbage collectors).
   */
  public static final String COMPRESSION_TYPE = "lz4";

  private static final Logger LOG = LoggerFactory.getLogger(EduCapture.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Prefix of Debezium's heartbeat topic ({@code heartbeat.topics.prefix} default): the topic is
   * {@code __debezium-heartbeat.edu}.
   */
  public static final String HEARTBEAT_TOPIC_PREFIX = "__debezium-heartbeat";

  /** The signal table's topic: Debezium's signals and incremental-snapshot watermarks, not forwarded. */
  private static final String SIGNAL_TOPIC = EduTables.topic(EduTables.SIGNAL);

  private final CaptureConfig config;
  private final KafkaProducer<byte[], byte[]> producer;
  private final ExecutorService executor;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong eventsProduced = new AtomicLong();
  private final AtomicLong heartbeatsProduced = new AtomicLong();
  /** The highest {@code source.lsn} of the change events seen so far (the stream's position). */
  private long streamPosition;
  private final MeterRegistry registry;
  private final Map<String, Counter> eventsByTopic = new ConcurrentHashMap<>();
  private volatile boolean stopped;
  /**
   * Keys read by the current engine's snapshot per topic, kept only when the EDU topics already
   * held records when the engine started (an initial snapshot taken again over a partial one);
   * null otherwise. See
   * {@link #deleteKeysTheSnapshotDidNotRead}.
   */
  private volatile Map<String, Set<String>> resnapshotKeys;
  /** The position of the snapshot's last record once seen in a batch, until its keys are reconciled. */
  private volatile Long snapshotEndLsn;
  /** A fresh start whose first offsets are not stored yet (see {@link #initialSnapshotMarker()}). */
  private volatile boolean initialSnapshotPending;
  /** What a held table's initial snapshot waits for; null: nothing is held. */
  private final SnapshotGate snapshotGate;
  /**
   * Per engine: the topics of {@link CaptureConfig#snapshotHeldTables} whose first snapshot
   * read has not passed the gate yet. A topic leaves it at the gate, or at its first event that is
   * not an initial-snapshot read (this engine streams: it took no snapshot of the table).
   */
  private final Set<String> heldTopics = new java.util.HashSet<>();
  /**
   * Set while a batch that waited at the {@link #snapshotGate} is in the capture (from the wait to
   * the batch's end): Debezium reports its snapshot complete once it has read every table, while
   * the held rows are still here, and the capture sends nothing meanwhile.
   */
  private volatile boolean snapshotHeld;
  /** Set while the engine's batch is in {@link #handleBatch}: its events are not in Kafka yet. */
  private volatile boolean inBatch;
  private DebeziumEngine<ChangeEvent<String, String>> engine;
  private volatile long disconnectedSinceNanos;
  /** Counted down by {@link #close()}: ends the wait before an engine restart. */
  private final java.util.concurrent.CountDownLatch restartSignal = new java.util.concurrent.CountDownLatch(1);

  /**
   * @param config the capture settings
   */
  public EduCapture(CaptureConfig config) {
    this(config, new SimpleMeterRegistry());
  }

  /**
   * @param config the capture settings
   * @param registry where the counter {@code edu2lms.capture.events{table}} (change events produced
   *     per EDU table, heartbeats under their own table) is registered
   */
  public EduCapture(CaptureConfig config, MeterRegistry registry) {
    this(config, registry, null);
  }

  /**
   * @param config the capture settings
   * @param registry as {@link #EduCapture(CaptureConfig, MeterRegistry)}
   * @param snapshotGate what the initial snapshot of each {@link
   *     CaptureConfig#snapshotHeldTables} table waits for before its first row is sent (the
   *     transform's consumer lag); null: nothing waits, the tables are only snapshotted last
   */
  public EduCapture(CaptureConfig config, MeterRegistry registry, SnapshotGate snapshotGate) {
    this.config = config;
    this.registry = registry;
    this.snapshotGate = snapshotGate;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION_TYPE);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "edu2lms-capture");
    KafkaClientOverrides.apply(p, config.kafkaClient());
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "edu2lms-capture"));
  }

  /**
   * Starts the engine on its own thread: an initial snapshot of every EDU table, then streaming.
   *
   * @throws IOException when the offset file's folder cannot be created
   * @throws SQLException when EDU cannot be reached
   * @throws IllegalStateException when the capture's role lacks a right ({@link EduRights}; the
   *     message lists them) or the slot and offsets disagree
   */
  public void start() throws IOException, SQLException {
    Files.createDirectories(config.offsetFile().toAbsolutePath().getParent());
    prepareEdu();
    checkSlotMatchesOffsets();
    executor.execute(this::runEngines);
    LOG.info(
        "capture started: slot {}, publication {}, offsets in {}",
        config.slotName(),
        config.publicationName(),
        config.offsetFile());
  }

  /**
   * Runs Debezium engines one after the other until {@link #close()}: when an engine stops because
   * the connection to EDU was lost (a restart, a network cut, an operator ending the replication
   * connection), a new one is started with a growing delay (1 s doubling to 30 s), after the
   * slot-and-offsets check has passed again. Debezium's own retry is off
   * ({@code errors.max.retries=0}, CaptureConfig) because it would re-create a dropped slot and
   * stream from the new slot's position, skipping every change in between. Any other error, or a
   * failed check, stops the capture ({@link #failure()}).
   */
  private void runEngines() {
    long delayMillis = 1000;
    while (true) {
      AtomicReference<Throwable> engineError = new AtomicReference<>();
      // Per engine: one that lost EDU during the initial snapshot snapshots again over the first
      // one's records, and only the keys the new snapshot reads count.
      snapshotEndLsn = null;
      resnapshotKeys = trackSnapshotKeys() ? new java.util.HashMap<>() : null;
      heldTopics.clear();
      snapshotHeld = false;
      if (snapshotGate != null) {
        config.snapshotHeldTables().forEach(t -> heldTopics.add(EduTables.topic(t)));
      }
      DebeziumEngine<ChangeEvent<String, String>> current;
      synchronized (this) {
        if (stopped) {
          return;
        }
        current = newEngine(engineError);
        engine = current;
      }
      current.run();
      if (stopped) {
        return;
      }
      Throwable error = engineError.get();
      if (!lostConnection(error)) {
        LOG.error("capture engine stopped", error);
        try {
          // Debezium's "replication slot ... does not exist" after an operator dropped the slot:
          // report it with the recovery instead.
          checkSlotMatchesOffsets();
        } catch (IllegalStateException e) {
          error = e;
        } catch (SQLException | IOException e) {
          // EDU unreachable: the engine's own error stands
        }
        failure.compareAndSet(null, error != null ? error : new IllegalStateException("capture engine stopped unexpectedly"));
        return;
      }
      disconnectedSinceNanos = System.nanoTime();
      while (!stopped) {
        LOG.warn("capture: connection to EDU lost ({}); starting again in {} ms", rootMessage(error), delayMillis);
        try {
          if (restartSignal.await(delayMillis, TimeUnit.MILLISECONDS)) {
            return; // closed while waiting
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        delayMillis = Math.min(delayMillis * 2, 30_000);
        try {
          checkSlotMatchesOffsets();
          disconnectedSinceNanos = 0;
          break;
        } catch (SQLException e) {
          error = e; // EDU still unreachable
        } catch (IllegalStateException | IOException e) {
          failure.compareAndSet(null, e);
          LOG.error("{}", e.getMessage());
          return;
        }
      }
    }
  }

  /**
   * {@link CaptureConfig#debeziumProperties()}, with {@code publication.autocreate.mode=disabled}
   * when the publication already publishes every table (so Debezium neither alters nor needs to
   * own it: the least-privilege setup); {@code filtered} otherwise (it creates or completes it).
   */
  private java.util.Properties engineProperties() {
    java.util.Properties p = config.debeziumProperties();
    if (publicationCoversAll) {
      p.setProperty("publication.autocreate.mode", "disabled");
    }
    return p;
  }

  private DebeziumEngine<ChangeEvent<String, String>> newEngine(AtomicReference<Throwable> engineError) {
    return DebeziumEngine.create(Json.class)
        .using(engineProperties())
        .notifying(this::handleBatch)
        .using(
            (success, message, error) -> {
              if (!success && !stopped) {
                engineError.set(error != null ? error : new IllegalStateException(message));
              } else {
                LOG.info("capture engine stopped: {}", message);
              }
            })
        .build();
  }

  /**
   * Whether an engine's error is a lost or refused connection to EDU (worth a new engine after the
   * slot check) rather than a fault of the data or the configuration: Kafka Connect's
   * {@code RetriableException}, or an SQL state of class 08 (connection exception) or 57P
   * (operator intervention: shutdown, terminated backend) anywhere in the causes.
   */
  static boolean lostConnection(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.apache.kafka.connect.errors.RetriableException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable error) {
    Throwable t = error;
    while (t != null && t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == null ? "no error" : t.toString();
  }

  /**
   * Prepares EDU for the capture and checks the capture's role ({@link EduRights}). With a role
   * allowed to (a superuser or the owner of the EDU tables, as in the embedded demo), creates
   * {@link EduTables#HEARTBEAT} (with its one row) and {@link EduTables#SIGNAL} when missing and
   * adds the signal table to an existing publication that lacks it; a least-privilege role finds
   * them made by {@code edu2lms setup edu} and changes nothing but the heartbeat row.
   *
   * @throws IllegalStateException listing every right the role lacks, and how to grant them
   * @throws SQLException when EDU cannot be reached or a statement fails
   */
  private void prepareEdu() throws SQLException {
    String url = config.eduJdbcUrl();
    try (Connection c = DriverManager.getConnection(url, config.eduUser(), config.eduPassword());
        Statement st = c.createStatement()) {
      boolean mayCreate;
      try (ResultSet rs = st.executeQuery("SELECT has_schema_privilege('public', 'CREATE')")) {
        rs.next();
        mayCreate = rs.getBoolean(1);
      }
      if (mayCreate && !exists(c, EduTables.HEARTBEAT)) {
        st.execute("CREATE TABLE IF NOT EXISTS public." + EduTables.HEARTBEAT + " (id bigint PRIMARY KEY, ts timestamptz NOT NULL)");
      }
      if (mayCreate && !exists(c, EduTables.SIGNAL)) {
        st.execute(
            "CREATE TABLE IF NOT EXISTS public." + EduTables.SIGNAL
                + " (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048) NULL)");
      }
      addSignalTableToPublication(c, st);
      publicationCoversAll = EduRights.publication(c, config.publicationName()).coversAll();
      List<String> missing = EduRights.missing(c, config.publicationName());
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "capture: the EDU role " + config.eduUser() + " (capture.edu.user, " + url + ") lacks: " + String.join("; ", missing)
                + ". Run `edu2lms setup edu` (the SQL " + EduRights.SETUP_SQL + " in the capture jar) as the owner of the EDU"
                + " tables; it grants exactly these rights to role " + EduRights.CAPTURE_ROLE + ".");
      }
      st.execute(CaptureConfig.HEARTBEAT_ACTION_QUERY);
    }
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass('public.' || quote_ident(?)) IS NOT NULL")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Adds {@link EduTables#SIGNAL} to an existing publication created before the signal table
   * existed, when the role owns the publication (else {@link EduRights#missing} reports it).
   */
  private void addSignalTableToPublication(Connection c, Statement st) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM pg_publication p JOIN pg_roles r ON r.oid = p.pubowner"
                + "   WHERE p.pubname = ? AND (r.rolname = current_user OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user))),"
                + " EXISTS (SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND schemaname = 'public' AND tablename = ?),"
                + " to_regclass('public." + EduTables.SIGNAL + "') IS NOT NULL")) {
      ps.setString(1, config.publicationName());
      ps.setString(2, config.publicationName());
      ps.setString(3, EduTables.SIGNAL);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1) && !rs.getBoolean(2) && rs.getBoolean(3)) {
          LOG.info("adding public.{} to the existing publication {}", EduTables.SIGNAL, config.publicationName());
          st.execute("ALTER PUBLICATION " + quoteIdentifier(config.publicationName()) + " ADD TABLE public." + EduTables.SIGNAL);
        }
      }
    }
  }

  /**
   * Gives an incremental-snapshot read event (edu2lms reload) a source position. Debezium leaves
   * {@code source.lsn} null on them (DBZ-4329), which the sink's position guard would treat as the
   * oldest position of all, and Kafka Streams' record cache may collapse a streamed update and the
   * read of the same row that follows it into the read alone: the row then never reached LMS
   * (found by FaultInjectionIT). Debezium emits a chunk's reads when it sees the chunk's
   * close-window watermark in the stream, so they get the highest LSN streamed so far: at least the
   * watermark's, so newer than every change of those rows streamed before them. Known limit: a
   * transaction that changed the row before the chunk was read and commits after it keeps its
   * older change LSN and loses against the read (a commit-ordered position would fix it; see the
   * README's reliability section). Other events only advance the position.
   */
  String positioned(String value) {
    if (value == null) {
      return null;
    }
    int at = value.lastIndexOf("\"lsn\":");
    if (at < 0) {
      return value;
    }
    int start = at + 6;
    if (value.startsWith("null", start)) {
      if (value.contains("\"snapshot\":\"incremental\"") && streamPosition > 0) {
        return value.substring(0, start) + streamPosition + value.substring(start + 4);
      }
      return value;
    }
    int end = start;
    while (end < value.length() && Character.isDigit(value.charAt(end))) {
      end++;
    }
    if (end > start) {
      streamPosition = Math.max(streamPosition, Long.parseLong(value, start, end, 10));
    }
    return value;
  }

  private static String quoteIdentifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /**
   * Refuses to start when the replication slot and the stored offsets disagree, instead of letting
   * Debezium silently create a new slot or snapshot again (the WAL since the stored position is
   * gone with a dropped slot; without offsets the position reached is unknown). Offsets and no
   * slot: the slot was dropped. A slot and no offsets: the offsets were wiped (or the data folder
   * is new while an old slot remains), unless this data folder's initial snapshot was killed
   * before its first offsets were stored ({@link #initialSnapshotMarker()}).
   *
   * @throws IllegalStateException naming the recovery (a re-snapshot into an empty pipeline)
   */
  private void checkSlotMatchesOffsets() throws SQLException, IOException {
    boolean offsets = Files.exists(config.offsetFile()) && Files.size(config.offsetFile()) > 0;
    boolean slot;
    try (Connection c = DriverManager.getConnection(config.eduJdbcUrl(), config.eduUser(), config.eduPassword());
        PreparedStatement ps =
            c.prepareStatement("SELECT coalesce(confirmed_flush_lsn - '0/0', 0)::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, config.slotName());
      try (ResultSet rs = ps.executeQuery()) {
        slot = rs.next();
        if (slot) {
          // Everything streamed from here on committed after the slot's confirmed position.
          streamPosition = Math.max(streamPosition, rs.getLong(1));
        }
      }
    }
    String reSnapshot =
        " Recover with a re-snapshot into an empty pipeline: stop every stage, drop the slot if it exists"
            + " (SELECT pg_drop_replication_slot('" + config.slotName() + "')), delete " + config.offsetFile()
            + ", delete the edu.public.*, lms.* and edu2lms.* topics and the transform's state, empty LMS, then start again.";
    if (offsets && !slot) {
      throw new IllegalStateException(
          "capture: the offsets in " + config.offsetFile() + " hold a position in EDU's WAL, but replication slot "
              + config.slotName() + " does not exist (dropped by an operator?): the changes since that position cannot be"
              + " streamed any more, and starting would skip them." + reSnapshot);
    }
    Path marker = initialSnapshotMarker();
    if (offsets) {
      Files.deleteIfExists(marker);
    } else if (!slot) {
      // A fresh start: the slot Debezium is about to create belongs to this data folder until the
      // first offsets are stored (see initialSnapshotMarker).
      Files.writeString(marker, "initial snapshot started " + java.time.Instant.now() + " with slot " + config.slotName() + "\n");
      initialSnapshotPending = true;
    } else if (Files.exists(marker)) {
      LOG.warn(
          "capture: the initial snapshot was interrupted before its first offsets were stored ({} exists);"
              + " it starts again, streaming from replication slot {} where it was created",
          marker,
          config.slotName());
      initialSnapshotPending = true;
    }
    if (!offsets && slot && !initialSnapshotPending) {
      throw new IllegalStateException(
          "capture: replication slot " + config.slotName() + " exists but " + config.offsetFile() + " holds no offsets"
              + " (wiped, or a new data folder beside an old slot): the position the pipeline had reached is lost."
              + " Restore the offset file if you have it." + reSnapshot);
    }
  }

  /**
   * {@code <offset file>.initial-snapshot}: written before a fresh start (no offsets, no slot)
   * and deleted once Debezium has stored offsets. A slot without offsets is normally a wiped
   * offset store (refused); with this file beside it, it is an initial snapshot killed before its
   * first offset flush (offsets are flushed every second, the snapshot's first batch can take
   * longer), which may safely start again: the slot keeps every change since its creation, and a
   * new snapshot re-reads every row.
   */
  private Path initialSnapshotMarker() {
    return config.offsetFile().resolveSibling(config.offsetFile().getFileName() + ".initial-snapshot");
  }

  /** Deletes the initial-snapshot marker once Debezium has stored offsets (checked after each batch until then). */
  private void forgetInitialSnapshotOnceOffsetsStored() {
    try {
      if (Files.exists(config.offsetFile()) && Files.size(config.offsetFile()) > 0) {
        Files.deleteIfExists(initialSnapshotMarker());
        initialSnapshotPending = false;
      }
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", initialSnapshotMarker(), e.toString());
    }
  }

  /** Set at start: the publication publishes every table the capture reads ({@link EduRights.Publication#coversAll}). */
  private volatile boolean publicationCoversAll;

  private void handleBatch(
      List<ChangeEvent<String, String>> events, DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
      throws InterruptedException {
    inBatch = true;
    try {
      sendBatch(events, committer);
    } finally {
      inBatch = false;
    }
  }

  private void sendBatch(
      List<ChangeEvent<String, String>> events, DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
      throws InterruptedException {
    List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
    List<String> destinations = new ArrayList<>(events.size());
    for (ChangeEvent<String, String> e : events) {
      if (e.destination().equals(SIGNAL_TOPIC)) {
        positioned(e.value()); // a close-window watermark's position is that of the reads that follow
        continue; // signals and incremental-snapshot watermarks are Debezium's own bookkeeping
      }
      Long truncatedAt = truncateLsn(e);
      if (truncatedAt != null) {
        // Everything before the TRUNCATE must be in the topic before its rows are listed.
        awaitSent(sent, destinations);
        deleteEveryRow(e.destination(), truncatedAt);
        continue;
      }
      if (!heldTopics.isEmpty() && heldTopics.remove(e.destination()) && isInitialSnapshotRead(e.value())) {
        // Everything before the table's first row must be in Kafka, and consumed, first.
        awaitSent(sent, destinations);
        snapshotHeld = true;
        awaitSnapshotGate(e.destination());
      }
      String v = positioned(e.value());
      if (resnapshotKeys != null && e.key() != null && v != null) {
        noteSnapshotKey(e.destination(), e.key(), v);
      }
      byte[] key = e.key() == null ? null : e.key().getBytes(StandardCharsets.UTF_8);
      byte[] value = v == null ? null : v.getBytes(StandardCharsets.UTF_8);
      sent.add(producer.send(new ProducerRecord<>(e.destination(), key, value)));
      destinations.add(e.destination());
      if (snapshotEndLsn != null) {
        // Right after the snapshot's last record, before any streamed event of the same batch (a
        // held snapshot hands its last rows over together with the changes streamed meanwhile),
        // and before the batch is marked processed: after a crash in between, the snapshot is
        // taken again and this runs again.
        awaitSent(sent, destinations);
        deleteKeysTheSnapshotDidNotRead(snapshotEndLsn);
        snapshotEndLsn = null;
        resnapshotKeys = null;
      }
    }
    awaitSent(sent, destinations);
    for (ChangeEvent<String, String> e : events) {
      committer.markProcessed(e);
    }
    committer.markBatchFinished();
    if (initialSnapshotPending) {
      forgetInitialSnapshotOnceOffsetsStored();
    }
    long skipped = 0;
    for (ChangeEvent<String, String> e : events) {
      if (e.destination().equals(SIGNAL_TOPIC)) {
        skipped++;
      } else {
        eventsByTopic.computeIfAbsent(e.destination(), this::eventCounter).increment();
      }
    }
    long heartbeats = events.stream().filter(e -> isHeartbeat(e.destination())).count();
    eventsProduced.addAndGet(events.size() - heartbeats - skipped);
    heartbeatsProduced.addAndGet(heartbeats);
    snapshotHeld = false;
  }

  private Counter eventCounter(String topic) {
    String prefix = EduTables.TOPIC_PREFIX + ".public.";
    return Counter.builder("edu2lms.capture.events")
        .description("change events produced to Kafka per EDU table")
        .tag("table", topic.startsWith(prefix) ? topic.substring(prefix.length()) : topic)
        .register(registry);
  }

  /** Flushes the producer and waits for every record sent so far; clears the lists. */
  private void awaitSent(List<Future<RecordMetadata>> sent, List<String> destinations) {
    producer.flush();
    for (int i = 0; i < sent.size(); i++) {
      try {
        sent.get(i).get();
      } catch (ExecutionException | InterruptedException ex) {
        // Not marking the batch processed keeps its offset uncommitted: it is read again on restart.
        throw new IllegalStateException(
            "failed to produce change event to " + destinations.get(i) + "; the batch will be re-read on restart",
            ex instanceof ExecutionException ? ex.getCause() : ex);
      }
    }
    sent.clear();
    destinations.clear();
  }

  /**
   * An initial-snapshot read: {@code source.snapshot} "first", "true", "last", … ; not a streamed
   * event ("false") nor an incremental snapshot's read (reload, "incremental").
   */
  static boolean isInitialSnapshotRead(String value) {
    String kind = snapshotKind(value);
    return kind != null && !kind.equals("false") && !kind.equals("incremental");
  }

  /** The event's {@code source.snapshot} value, or null when it has none (or no value). */
  private static String snapshotKind(String value) {
    int at = value == null ? -1 : value.indexOf("\"snapshot\":\"");
    if (at < 0) {
      return null;
    }
    int start = at + 12;
    return value.substring(start, value.indexOf('"', start));
  }

  /**
   * Holds the initial snapshot of a {@link CaptureConfig#snapshotHeldTables} table (its
   * first row is in hand, everything before it is in Kafka) until {@link #snapshotGate} reads 0
   * twice in a row, asking every 250 ms and logging the pending records every 10 s. Debezium's
   * snapshot transaction on EDU stays open meanwhile (README §Initial load).
   *
   * @throws InterruptedException when the capture is closed while waiting (the batch is not marked
   *     processed: the next start snapshots again)
   */
  private void awaitSnapshotGate(String topic) throws InterruptedException {
    long start = System.nanoTime();
    long nextLog = start;
    int zeros = 0;
    while (zeros < 2) {
      if (stopped) {
        throw new InterruptedException("capture closed while the snapshot of " + topic + " waited for the transform");
      }
      long pending;
      try {
        pending = snapshotGate.pendingRecords();
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        LOG.warn("capture: cannot read the transform's consumer lag ({}); asking again", e.toString());
        pending = -1;
      }
      zeros = pending == 0 ? zeros + 1 : 0;
      if (zeros < 2) {
        if (System.nanoTime() >= nextLog) {
          LOG.info(
              "capture: initial snapshot of {} held until the transform has consumed everything captured before it: {} records to go",
              topic, pending < 0 ? "?" : Long.toString(pending));
          nextLog = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        }
        if (restartSignal.await(250, TimeUnit.MILLISECONDS)) {
          throw new InterruptedException("capture closed while the snapshot of " + topic + " waited for the transform");
        }
      }
    }
    LOG.info("capture: initial snapshot of {} released after {} ms", topic, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  /** The LSN of a TRUNCATE event ({@code "op":"t"}), or null for any other event. */
  private static Long truncateLsn(ChangeEvent<String, String> e) {
    if (e.key() != null || e.value() == null || !e.value().contains("\"op\":\"t\"")) {
      return null;
    }
    try {
      JsonNode v = JSON.readTree(e.value());
      return "t".equals(v.path("op").asText()) ? v.path("source").path("lsn").asLong(0) : null;
    } catch (IOException ex) {
      return null;
    }
  }

  /**
   * A TRUNCATE of an EDU table: a delete event and a tombstone for every row the table's topic
   * holds (the keys whose latest record is not a delete), so the transform and the sink remove
   * them and quarantine their dependents as for any delete (mapping.md §The invariant). The rows
   * are read from the compacted topic up to its end; events after the TRUNCATE follow.
   */
  private void deleteEveryRow(String topic, long lsn) {
    Set<String> live = liveKeys(topic);
    deleteKeys(topic, live, lsn, true);
    LOG.warn("TRUNCATE of {} at LSN {}: {} rows deleted downstream", topic, lsn, live.size());
  }

  /** A delete event ({@code "op":"d"} at {@code lsn}) and a tombstone for each key; flushed. */
  private void deleteKeys(String topic, Set<String> keys, long lsn, boolean truncate) {
    for (String key : keys) {
      String before = "{\"op\":\"d\",\"before\":" + key + ",\"after\":null,\"source\":{\"lsn\":" + lsn + ",\"truncate\":" + truncate + "}}";
      producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), before.getBytes(StandardCharsets.UTF_8)));
      producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), null));
    }
    producer.flush();
  }

  /**
   * Notes the key of an initial-snapshot read ({@code source.snapshot} "first", "true", "last", …)
   * for {@link #deleteKeysTheSnapshotDidNotRead}, and the snapshot's position at its last record.
   * The first streamed event ("false") ends the snapshot: nothing more is noted by this engine.
   * Incremental-snapshot reads (reload) are not the initial snapshot.
   */
  private void noteSnapshotKey(String topic, String key, String value) {
    String kind = snapshotKind(value);
    if (kind == null) {
      return;
    }
    switch (kind) {
      case "false" -> resnapshotKeys = null;
      case "incremental" -> { }
      default -> {
        resnapshotKeys.computeIfAbsent(topic, t -> new java.util.HashSet<>()).add(key);
        if (kind.equals("last")) {
          snapshotEndLsn = lsnOf(value);
        }
      }
    }
  }

  /**
   * An initial snapshot taken again over a partial one (the capture killed during its snapshot):
   * Debezium reads every row again but streams only from the new snapshot's position, so a row
   * the partial snapshot had published and that was deleted before the new snapshot would stay in
   * its topic forever. Every key of an EDU topic that this snapshot did not read gets a delete
   * event and a tombstone at the snapshot's position (newer than the partial snapshot's reads,
   * older than anything streamed next), as for a TRUNCATE.
   *
   * @param lsn the snapshot's position ({@code source.lsn} of its last record)
   */
  private void deleteKeysTheSnapshotDidNotRead(long lsn) {
    long deleted = 0;
    for (String table : EduTables.ALL) {
      String topic = EduTables.topic(table);
      Set<String> read = resnapshotKeys.getOrDefault(topic, Set.of());
      Set<String> stale = liveKeys(topic);
      stale.removeAll(read);
      deleted += stale.size();
      deleteKeys(topic, stale, lsn, false);
    }
    LOG.warn("initial snapshot taken again over a partial one: {} rows it no longer found deleted downstream", deleted);
  }

  /**
   * Whether this engine must note the keys its snapshot reads (if it takes one): when the EDU
   * topics already hold records, or when that cannot be told (Kafka unreachable).
   */
  private boolean trackSnapshotKeys() {
    try {
      return eduTopicsHoldRecords();
    } catch (RuntimeException e) {
      LOG.warn("cannot tell whether the EDU topics hold records ({}); noting the keys of any snapshot", e.toString());
      return true;
    }
  }

  /** Whether any EDU table's topic exists and holds records (end offset above 0 on a partition). */
  private boolean eduTopicsHoldRecords() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "edu2lms-capture-probe");
    KafkaClientOverrides.apply(p, config.kafkaClient());
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      Map<String, List<org.apache.kafka.common.PartitionInfo>> topics = c.listTopics();
      List<TopicPartition> parts = new ArrayList<>();
      for (String table : EduTables.ALL) {
        for (org.apache.kafka.common.PartitionInfo i : topics.getOrDefault(EduTables.topic(table), List.of())) {
          parts.add(new TopicPartition(i.topic(), i.partition()));
        }
      }
      return c.endOffsets(parts).values().stream().anyMatch(o -> o > 0);
    }
  }

  private static Long lsnOf(String value) {
    try {
      JsonNode lsn = JSON.readTree(value).path("source").path("lsn");
      return lsn.isNumber() ? lsn.asLong() : null;
    } catch (IOException ex) {
      return null;
    }
  }

  /** The keys of a compacted topic whose latest record is a value, read from the beginning to the end. */
  private Set<String> liveKeys(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "edu2lms-capture-truncate");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    KafkaClientOverrides.apply(p, config.kafkaClient());
    Set<String> live = new java.util.LinkedHashSet<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(java.time.Duration.ofMillis(500))) {
          if (r.key() == null) {
            continue;
          }
          String key = new String(r.key(), StandardCharsets.UTF_8);
          if (r.value() == null || new String(r.value(), StandardCharsets.UTF_8).contains("\"op\":\"d\"")) {
            live.remove(key);
          } else {
            live.add(key);
          }
        }
      }
    }
    return live;
  }

  /** Debezium's own heartbeat topic or the heartbeat table's change topic. */
  private static boolean isHeartbeat(String topic) {
    return topic.startsWith(HEARTBEAT_TOPIC_PREFIX) || topic.equals(EduTables.topic(EduTables.HEARTBEAT));
  }

  /**
   * Whether Debezium reports the initial snapshot complete (its JMX snapshot metrics,
   * {@code debezium.postgres:type=connector-metrics,context=snapshot,…}) and no snapshot row is
   * held back in the capture ({@link CaptureConfig#snapshotHeldTables}): Debezium counts the
   * snapshot complete once it has read every table, even while the capture still holds rows of
   * a held table.
   */
  public boolean snapshotCompleted() {
    if (snapshotHeld) {
      return false;
    }
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      Set<ObjectName> names =
          server.queryNames(new ObjectName("debezium.postgres:type=connector-metrics,context=snapshot,*"), null);
      for (ObjectName n : names) {
        if (Boolean.TRUE.equals(server.getAttribute(n, "SnapshotCompleted"))) {
          return true;
        }
      }
      return false;
    } catch (JMException e) {
      return false;
    }
  }

  /**
   * Change events Debezium has read from EDU that are not in Kafka yet: those in its queue (its
   * JMX queue metrics, {@code QueueTotalCapacity − QueueRemainingCapacity}), plus one when a batch
   * is being sent ({@link #handleBatch}). Debezium reports its snapshot complete once it has read
   * every table into that queue, while up to {@code max.queue.size} rows still wait there, so
   * "snapshot complete" alone does not mean "snapshot in Kafka".
   *
   * @return 0 when nothing read is waiting; -1 when Debezium's metrics are not registered (no
   *     engine running)
   */
  public long pendingInCapture() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      Set<ObjectName> names =
          server.queryNames(new ObjectName("debezium.postgres:type=connector-metrics,context=streaming,*"), null);
      if (names.isEmpty()) {
        names = server.queryNames(new ObjectName("debezium.postgres:type=connector-metrics,context=snapshot,*"), null);
      }
      if (names.isEmpty()) {
        return -1;
      }
      ObjectName n = names.iterator().next();
      long queued = ((Number) server.getAttribute(n, "QueueTotalCapacity")).longValue()
          - ((Number) server.getAttribute(n, "QueueRemainingCapacity")).longValue();
      return Math.max(0, queued) + (inBatch ? 1 : 0);
    } catch (JMException e) {
      return -1;
    }
  }

  /**
   * Whether the capture is holding rows of a {@link CaptureConfig#snapshotHeldTables} table until
   * the transform has consumed everything captured before it (or is sending the batch that waited).
   */
  public boolean snapshotHeld() {
    return snapshotHeld;
  }

  /** Heartbeat events (Debezium's and the heartbeat table's) produced to Kafka since start. */
  public long heartbeatsProduced() {
    return heartbeatsProduced.get();
  }

  /** Change events of the EDU tables (including tombstones) produced to Kafka since start; heartbeats not included. */
  public long eventsProduced() {
    return eventsProduced.get();
  }

  /**
   * Whether Debezium streams from the replication slot now: its streaming metrics ({@code
   * debezium.postgres:type=connector-metrics,context=streaming,…}) say {@code Connected}. False
   * during the initial snapshot, before the engine started and while it reconnects.
   */
  public boolean streaming() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      for (ObjectName n : server.queryNames(new ObjectName("debezium.postgres:type=connector-metrics,context=streaming,*"), null)) {
        if (Boolean.TRUE.equals(server.getAttribute(n, "Connected"))) {
          return true;
        }
      }
      return false;
    } catch (JMException e) {
      return false;
    }
  }

  /**
   * Since when the capture has been without EDU: {@link System#nanoTime()} of the lost
   * connection, or 0 while connected (or starting). Reset once EDU answers again and a new engine
   * starts.
   */
  public long disconnectedSinceNanos() {
    return disconnectedSinceNanos;
  }

  /** The error that stopped the engine, or {@code null} while it runs or after a clean stop. */
  public Throwable failure() {
    return failure.get();
  }

  /** Stops the engine (its offsets are flushed), then the producer. Never interrupts the engine. */
  @Override
  public void close() throws IOException {
    DebeziumEngine<ChangeEvent<String, String>> current;
    synchronized (this) {
      stopped = true;
      current = engine;
    }
    restartSignal.countDown();
    if (current != null) {
      try {
        current.close();
      } catch (IllegalStateException e) {
        // the engine had already stopped by itself (its failure is reported by failure())
        LOG.debug("capture engine already stopped: {}", e.getMessage());
      }
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.warn("capture engine did not stop within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close();
  }
}
