package org.edu2lms.sink;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.lms.QuarantineRecord;
import org.edu2lms.sink.ParkedRows.Parked;
import org.edu2lms.sink.TableWriter.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink stage: makes LMS equal to the lms.* topics and {@code edu2lms.quarantine} equal to its
 * topic, with every LMS constraint on.
 *
 * <p>Each poll is one batch and one database transaction: records are decoded first (an
 * undecodable one goes to the dead-letter topic {@link LmsTopics#DEAD_LETTER} with the error in
 * headers), reduced per table by key (last write wins), deletes applied children first, upserts
 * parents first ({@link LmsCatalog} order), rows whose parent has not landed yet parked in {@code
 * edu2lms.parked} and retried when a later batch writes to a parent table and every {@link
 * SinkConfig#parkedRetryInterval()}. Rows parked longer than {@link SinkConfig#parkedGrace()} are
 * also quarantined (origin {@code sink}) until they land. Kafka offsets are committed only after
 * the database commit ({@code read_committed} consumer): a crash between the two replays the
 * batch, which the idempotent, position-guarded upserts absorb.
 *
 * <p>A table with {@link SinkConfig#PARALLEL_MIN_ROWS} rows or more in one batch (the initial
 * load's grades, mostly) is upserted on {@code sink.upsert.connections} LMS connections at once
 * ({@link UpsertHelpers}): the batch then commits what it wrote before that table, each helper
 * commits its part, and the rest of the batch commits last, before the offsets. Live sync's small
 * batches stay one transaction.
 *
 * <p>Transient database errors (connection lost, LMS restarting) retry the whole batch on a new
 * connection with exponential backoff ({@link SinkConfig#retryMaxAttempts()}); other errors stop
 * the sink with {@link SinkErrors#explain} as the message.
 *
 * <p>Metrics (Micrometer, Prometheus names in brackets): {@code edu2lms.sink.rows.upserted}
 * [{@code edu2lms_sink_rows_upserted_total}] and {@code .deleted}, {@code .parked}, {@code
 * .rejected} per table; {@code edu2lms.sink.dead.letters} per topic; {@code
 * edu2lms.sink.retries}; gauges {@code edu2lms.sink.parked.rows}, {@code
 * edu2lms.sink.pending.deletes} ({@link PendingDeletes}) and {@code
 * edu2lms.sink.quarantined.rows} (rows quarantined by the sink); counters {@code
 * edu2lms.sink.upsert.parts} (parts written on a helper connection) and {@code
 * edu2lms.sink.upsert.part.fallbacks} (parts written again on the main connection); timers {@code
 * edu2lms.sink.batch} (poll to database commit) and {@code edu2lms.sink.upsert} per table.
 */
public final class LmsSink implements Runnable, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LmsSink.class);

  private final SinkConfig config;
  private final MeterRegistry registry;
  private final Counter heartbeats;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> deadLetters;
  private final Map<String, TableWriter> writersByTopic = new LinkedHashMap<>();
  private final List<TableWriter> writers = new ArrayList<>();
  private final QuarantineWriter quarantine = new QuarantineWriter();
  private final NotesWriter notes = new NotesWriter();
  private final ParkedRows parked = new ParkedRows();
  private final Retry retry;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong parkedNow = new AtomicLong();
  private final AtomicLong quarantinedBySink = new AtomicLong();
  private final Timer batchTimer;
  private final Counter retries;
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  /** Concurrent: the parts of a shared upsert ({@link #writeShared}) add to both. */
  private final Set<String> conflicted = ConcurrentHashMap.newKeySet();
  private final Set<String> parkedTables = ConcurrentHashMap.newKeySet();
  private final UpsertHelpers helpers;
  private final Counter sharedParts;
  private final Counter partFallbacks;
  private final PendingDeletes pendingDeletes = new PendingDeletes(LmsCatalog.TABLES);
  /** Tables with parent deletes waiting for their references to go (refreshed per transaction). */
  private final Set<String> pendingTables = new HashSet<>();
  private final AtomicLong pendingNow = new AtomicLong();
  private Connection connection;
  private long lastSweep = System.nanoTime();
  private volatile boolean running = true;
  /** {@link System#nanoTime()} when the loop last finished a round (polled, applied, committed). */
  private volatile long roundAtNanos = System.nanoTime();
  /** {@link System#nanoTime()} of the first retry of the current attempt, or 0 when not retrying. */
  private volatile long retryingSinceNanos;
  private Thread thread;

  /**
   * @param config the sink settings
   */
  public LmsSink(SinkConfig config) {
    this(config, new SimpleMeterRegistry());
  }

  /**
   * @param config the sink settings
   * @param registry where the sink's meters are registered
   */
  public LmsSink(SinkConfig config, MeterRegistry registry) {
    this(config, registry, null);
  }

  /**
   * @param config the sink settings
   * @param registry where the sink's meters are registered
   * @param groupInstanceId the consumer's {@code group.instance.id} (static membership: a process
   *     restarted with the same id after a crash takes its partitions back at once, without a
   *     rebalance), or {@code null} for a dynamic member; a clean {@link #close()} leaves the group
   *     either way
   */
  public LmsSink(SinkConfig config, MeterRegistry registry, String groupInstanceId) {
    this.config = config;
    this.registry = registry;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxPollRecords()));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "edu2lms-sink");
    // A crashed instance's partitions move to the others after 10 s (Kafka's default is 45 s).
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    if (groupInstanceId != null) {
      p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId);
    }
    org.edu2lms.schemas.KafkaClientOverrides.apply(p, config.kafkaClient());
    this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    Properties q = new Properties();
    q.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    q.put(ProducerConfig.ACKS_CONFIG, "all");
    q.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    q.put(ProducerConfig.CLIENT_ID_CONFIG, "edu2lms-sink-dead-letters");
    org.edu2lms.schemas.KafkaClientOverrides.apply(q, config.kafkaClient());
    this.deadLetters = new KafkaProducer<>(q, new ByteArraySerializer(), new ByteArraySerializer());
    for (LmsTable t : LmsCatalog.TABLES) {
      TableWriter w = new TableWriter(t, config.stageMethod());
      writers.add(w);
      writersByTopic.put(t.topic().name(), w);
    }
    this.retry =
        Retry.of(
            "edu2lms-sink-lms",
            RetryConfig.custom()
                .maxAttempts(config.retryMaxAttempts())
                .intervalFunction(
                    IntervalFunction.ofExponentialBackoff(Duration.ofMillis(200), 2.0, config.retryMaxBackoff()))
                .retryOnException(SinkErrors::isTransient)
                .failAfterMaxAttempts(false)
                .build());
    this.heartbeats =
        Counter.builder("edu2lms.sink.heartbeats").description("capture heartbeats recorded in LMS edu2lms.heartbeat").register(registry);
    this.helpers = new UpsertHelpers(config);
    this.sharedParts =
        Counter.builder("edu2lms.sink.upsert.parts")
            .description("parts of big upserts written on a helper LMS connection (sink.upsert.connections)")
            .register(registry);
    this.partFallbacks =
        Counter.builder("edu2lms.sink.upsert.part.fallbacks")
            .description("parts a helper connection could not write (lock timeout, deadlock, error), written on the main connection instead")
            .register(registry);
    this.retries = Counter.builder("edu2lms.sink.retries").description("batches retried after a transient LMS error").register(registry);
    this.retry
        .getEventPublisher()
        .onRetry(
            e -> {
              retries.increment();
              if (retryingSinceNanos == 0) {
                retryingSinceNanos = System.nanoTime();
              }
              LOG.warn(
                  "LMS unavailable (attempt {} of {}), retrying in {} ms: {}",
                  e.getNumberOfRetryAttempts(),
                  config.retryMaxAttempts(),
                  e.getWaitInterval().toMillis(),
                  e.getLastThrowable() == null ? "" : e.getLastThrowable().getMessage());
            });
    this.batchTimer =
        Timer.builder("edu2lms.sink.batch")
            .description("one poll's batch, from decoding to the database commit")
            .publishPercentileHistogram()
            .register(registry);
    Gauge.builder("edu2lms.sink.parked.rows", parkedNow, AtomicLong::get)
        .description("rows waiting in edu2lms.parked for a parent or a unique value in flight")
        .register(registry);
    Gauge.builder("edu2lms.sink.pending.deletes", pendingNow, AtomicLong::get)
        .description("parent deletes waiting in edu2lms.pending_deletes until no LMS row references the parent")
        .register(registry);
    Gauge.builder("edu2lms.sink.quarantined.rows", quarantinedBySink, AtomicLong::get)
        .description("rows the sink quarantined: parked past the grace period, or rejected by the LMS")
        .register(registry);
  }

  /** Starts the sink loop on its own thread. */
  public void start() {
    thread = new Thread(this, "edu2lms-sink");
    thread.start();
  }

  @Override
  public void run() {
    try {
      List<String> topics = new ArrayList<>(writersByTopic.keySet());
      topics.add(LmsTopics.QUARANTINE.name());
      topics.add(LmsTopics.NOTES.name());
      topics.add(LmsTopics.HEARTBEAT.name());
      retry.executeCheckedSupplier(this::connection);
      consumer.subscribe(topics);
      LOG.info("sink started: {} → {} ({})", topics, config.lmsJdbcUrl(), config);
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          long start = System.nanoTime();
          Batch batch = decode(records);
          List<Rejected> rejected = new ArrayList<>();
          retry.executeCheckedSupplier(
              () -> {
                rejected.clear();
                return inTransaction(c -> applyBatch(c, batch, rejected));
              });
          sendToDeadLetters(rejected.stream().map(Rejected::asDeadLetter).toList());
          batchTimer.record(Duration.ofNanos(System.nanoTime() - start));
        }
        if (System.nanoTime() - lastSweep > config.parkedRetryInterval().toNanos()) {
          retry.executeCheckedSupplier(() -> inTransaction(this::sweep));
          lastSweep = System.nanoTime();
        }
        commitPositions();
        retryingSinceNanos = 0;
        roundAtNanos = System.nanoTime();
      }
      commitPositionsOnStop();
    } catch (WakeupException e) {
      if (running) {
        failure.compareAndSet(null, e);
      } else {
        // close() woke a consumer call: poll (its records not returned) or the position reads of
        // commitPositions (after the database commit). Either way LMS holds every polled record.
        commitPositionsOnStop();
      }
    } catch (Throwable e) {
      String why = SinkErrors.explain(e, config);
      failure.compareAndSet(null, new IllegalStateException(why, e));
      LOG.error("sink stopped: {}", why, e);
    } finally {
      closeConnection();
      helpers.close();
      // A clean stop leaves the group, a static member too: its partitions go to the other sinks
      // at once, and tools that wait for an empty group (replay) need not wait for its session.
      consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
      deadLetters.close(Duration.ofSeconds(10));
    }
  }

  /** The open connection, or a new one (schema verified, staging tables to be created again). */
  private Connection connection() throws SQLException {
    if (connection == null) {
      Connection c = open(config, "edu2lms-sink");
      try {
        c.setAutoCommit(false);
        LmsSchema.verify(c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.close();
        throw e;
      }
      writers.forEach(TableWriter::newSession);
      connection = c;
    }
    return connection;
  }

  /**
   * A new connection to LMS as {@code sink.lms.user}, named in {@code pg_stat_activity}.
   *
   * @param applicationName the session's {@code application_name}
   * @throws SQLException when LMS refuses or cannot be reached
   */
  static Connection open(SinkConfig config, String applicationName) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", config.lmsUser());
    p.setProperty("password", config.lmsPassword() == null ? "" : config.lmsPassword());
    p.setProperty("ApplicationName", applicationName);
    return DriverManager.getConnection(config.lmsJdbcUrl(), p);
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.debug("closing the LMS connection: {}", e.getMessage());
      }
      connection = null;
    }
  }

  @FunctionalInterface
  private interface Work {
    void run(Connection c) throws SQLException;
  }

  /**
   * Runs one unit of work in one transaction; on failure rolls back, and drops the connection when
   * the error may have broken it, so the next attempt starts on a new one.
   */
  private boolean inTransaction(Work work) throws SQLException {
    Connection c = connection();
    try {
      work.run(c);
      c.commit();
      return true;
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the connection is gone; it is replaced below
      }
      if (SinkErrors.isTransient(e)) {
        closeConnection();
      }
      throw e;
    } catch (AssertionError e) {
      // With assertions on (-ea, as in tests), pgjdbc's BatchResultHandler.isAutoCommit asserts
      // when the connection died during executeBatch; without them it carries on to the
      // connection error. Treat the driver's assertion as that connection error.
      closeConnection();
      StackTraceElement[] at = e.getStackTrace();
      if (at.length > 0 && at[0].getClassName().startsWith("org.postgresql.")) {
        throw new SQLException("the LMS connection failed: " + e.getMessage(), "08006", e);
      }
      throw e;
    }
  }

  /**
   * Commits the consumer's position on every assigned partition that moved: after a batch (only
   * after its database commit), and after an empty poll that stepped over a transaction marker,
   * so an idle sink reports a consumer lag of exactly 0. The commit is asynchronous: the next
   * poll does not wait for the broker's answer (a synchronous commit held up every batch by one
   * broker round trip: docs/benchmarks §Restarts, offset commits and round trips). A commit that fails
   * (refused because the group rebalanced, or the coordinator moved) forgets its partitions so
   * the next call sends them again; until then a restart or the partitions' new owner replays
   * from the last committed offset, and the position guard absorbs the replay.
   */
  private void commitPositions() {
    Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      long position = consumer.position(tp);
      Long last = committed.get(tp);
      if (last == null || last != position) {
        moved.put(tp, new OffsetAndMetadata(position));
      }
    }
    if (!moved.isEmpty()) {
      moved.forEach((tp, o) -> committed.put(tp, o.offset()));
      consumer.commitAsync(
          moved,
          (offsets, e) -> {
            if (e != null) {
              offsets.forEach((tp, o) -> committed.remove(tp, o.offset()));
              LOG.warn("offset commit failed ({}); it is sent again after the next poll, and a replay meanwhile is absorbed", e.toString());
            }
          });
    }
  }

  /**
   * At a clean stop: commits every assigned partition's position synchronously, which also waits
   * for the asynchronous commits still in flight, so a restart resumes exactly here. Only called
   * when every polled record is in LMS (the loop stopped between batches).
   */
  private void commitPositionsOnStop() {
    // Two attempts: the wake-up close() asked for may still be pending and end the first.
    for (int attempt = 1; attempt <= 2; attempt++) {
      try {
        Map<TopicPartition, OffsetAndMetadata> all = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
          all.put(tp, new OffsetAndMetadata(consumer.position(tp)));
        }
        consumer.commitSync(all, Duration.ofSeconds(10));
        return;
      } catch (WakeupException e) {
        LOG.debug("last offset commit woken up (attempt {})", attempt);
      } catch (RuntimeException e) {
        LOG.warn("last offset commit at stop failed; the next start replays from the previous commit and absorbs it: {}", e.toString());
        return;
      }
    }
  }

  // ---------------------------------------------------------------- decoding

  /** A record of an lms.* topic: decoded value, or {@code null} for a tombstone. */
  private record Row(byte[] payload, SpecificRecord value) {}

  /** One poll, decoded and reduced by key (last write wins, in offset order). */
  private record Batch(
      Map<String, LinkedHashMap<String, Row>> rows,
      LinkedHashMap<String, QuarantineRecord> quarantine,
      LinkedHashMap<String, String> notes,
      Map<Long, OffsetDateTime> heartbeats) {}

  /** A row the LMS rejected: it is quarantined as mapping_error and copied to the dead letters. */
  private record Rejected(String topic, String key, byte[] payload, String reason) {
    ProducerRecord<byte[], byte[]> asDeadLetter() {
      RecordHeaders h = new RecordHeaders();
      header(h, "error.class", "LmsRejected");
      header(h, "error.message", reason);
      header(h, "source.topic", topic);
      return new ProducerRecord<>(LmsTopics.DEAD_LETTER, null, key.getBytes(StandardCharsets.UTF_8), payload, h);
    }
  }

  private static void header(RecordHeaders h, String name, String value) {
    h.add(LmsTopics.DLT_HEADER_PREFIX + name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  private Batch decode(ConsumerRecords<byte[], byte[]> records) throws ExecutionException, InterruptedException {
    Map<String, LinkedHashMap<String, Row>> rows = new HashMap<>();
    LinkedHashMap<String, QuarantineRecord> q = new LinkedHashMap<>();
    LinkedHashMap<String, String> n = new LinkedHashMap<>();
    Map<Long, OffsetDateTime> beats = new HashMap<>();
    List<ProducerRecord<byte[], byte[]>> dead = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      try {
        if (r.key() == null) {
          throw new IllegalArgumentException("record has no key");
        }
        String key = new String(r.key(), StandardCharsets.UTF_8);
        TableWriter w = writersByTopic.get(r.topic());
        if (w != null) {
          UUID.fromString(key);
          SpecificRecord value = null;
          if (r.value() != null) {
            value = w.table().topic().valueSerde().deserializer().deserialize(r.topic(), r.value());
            if (!w.idOf(value).equals(key)) {
              throw new IllegalArgumentException("key " + key + " differs from the record's id " + w.idOf(value));
            }
          }
          rows.computeIfAbsent(r.topic(), k -> new LinkedHashMap<>()).put(key, new Row(r.value(), value));
        } else if (r.topic().equals(LmsTopics.QUARANTINE.name())) {
          QuarantineWriter.parseKey(key);
          q.put(
              key,
              r.value() == null
                  ? null
                  : LmsTopics.QUARANTINE.valueSerde().deserializer().deserialize(r.topic(), r.value()));
        } else if (r.topic().equals(LmsTopics.HEARTBEAT.name())) {
          if (r.value() != null) {
            beats.put(Long.parseLong(key), OffsetDateTime.parse(new String(r.value(), StandardCharsets.UTF_8)));
          }
        } else {
          QuarantineWriter.parseKey(key);
          n.put(key, r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
        }
      } catch (RuntimeException e) {
        dead.add(deadLetter(r, e));
      }
    }
    sendToDeadLetters(dead);
    return new Batch(rows, q, n, beats);
  }

  private static ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> r, Exception e) {
    RecordHeaders h = new RecordHeaders();
    header(h, "error.class", e.getClass().getName());
    header(h, "error.message", String.valueOf(e.getMessage()));
    header(h, "source.topic", r.topic());
    header(h, "source.partition", Integer.toString(r.partition()));
    header(h, "source.offset", Long.toString(r.offset()));
    LOG.warn("record {}-{}@{} cannot be decoded, sent to {}: {}", r.topic(), r.partition(), r.offset(), LmsTopics.DEAD_LETTER, e.toString());
    return new ProducerRecord<>(LmsTopics.DEAD_LETTER, null, r.key(), r.value(), h);
  }

  /**
   * Writes dead letters and waits for Kafka's acknowledgement, before the offsets of their source
   * records are committed: a dead letter is never lost (it may be written twice after a crash).
   */
  private void sendToDeadLetters(List<ProducerRecord<byte[], byte[]>> dead)
      throws ExecutionException, InterruptedException {
    if (dead.isEmpty()) {
      return;
    }
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> d : dead) {
      sent.add(deadLetters.send(d));
      String source = new String(d.headers().lastHeader(LmsTopics.DLT_HEADER_PREFIX + "source.topic").value(), StandardCharsets.UTF_8);
      registry.counter("edu2lms.sink.dead.letters", "topic", source).increment();
    }
    deadLetters.flush();
    for (Future<RecordMetadata> f : sent) {
      f.get();
    }
  }

  // ---------------------------------------------------------------- applying

  private void applyBatch(Connection c, Batch batch, List<Rejected> rejected) throws SQLException {
    conflicted.clear();
    refreshWaitingTables(c);
    // Deletes, children first.
    for (int i = writers.size() - 1; i >= 0; i--) {
      TableWriter w = writers.get(i);
      List<String> gone = new ArrayList<>();
      batch.rows().getOrDefault(w.table().topic().name(), new LinkedHashMap<>()).forEach((k, v) -> {
        if (v.value() == null) {
          gone.add(k);
        }
      });
      if (!gone.isEmpty()) {
        // A parent still referenced by LMS rows waits (PendingDeletes): its children's own
        // records, not the cascade, decide what happens to them.
        int n = pendingDeletes.deleteOrHold(c, w, gone, pendingTables);
        registry.counter("edu2lms.sink.rows.deleted", "table", w.table().name()).increment(n);
        if (parkedTables.contains(w.table().name())) {
          parked.remove(c, w.table().name(), gone);
        }
      }
    }
    // Upserts, parents first.
    Set<String> written = new HashSet<>();
    for (TableWriter w : writers) {
      Map<String, Row> present = new LinkedHashMap<>();
      batch.rows().getOrDefault(w.table().topic().name(), new LinkedHashMap<>()).forEach((k, v) -> {
        if (v.value() != null) {
          present.put(k, v);
        }
      });
      if (!present.isEmpty() && (writeOrShare(c, w, present, rejected) > 0 || conflicted.contains(w.table().name()))) {
        // A row parked on a unique conflict may form a cycle with rows parked earlier: retry them together.
        written.add(w.table().name());
      }
    }
    // Quarantine decided by the transform.
    List<String> released = new ArrayList<>();
    List<QuarantineRecord> held = new ArrayList<>();
    batch.quarantine().forEach((k, v) -> {
      if (v == null) {
        released.add(k);
      } else {
        held.add(v);
      }
    });
    quarantine.delete(c, released);
    quarantine.upsert(c, held);
    // Data-quality notes.
    List<String> clean = new ArrayList<>();
    Map<String, String> noted = new LinkedHashMap<>();
    batch.notes().forEach((k, v) -> {
      if (v == null) {
        clean.add(k);
      } else {
        noted.put(k, v);
      }
    });
    notes.delete(c, clean);
    notes.upsert(c, noted);
    retryParked(c, written);
    retryPendingDeletes(c);
    recordHeartbeats(c, batch.heartbeats());
  }

  /**
   * Records the capture's heartbeats in {@code edu2lms.heartbeat} (Flyway V6) in the batch's
   * transaction, with the LMS clock at the write; an older heartbeat replayed never replaces a newer one.
   */
  private void recordHeartbeats(Connection c, Map<Long, OffsetDateTime> beats) throws SQLException {
    if (beats.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO edu2lms.heartbeat (id, edu_committed_at, lms_committed_at) VALUES (?, ?, clock_timestamp())"
                + " ON CONFLICT (id) DO UPDATE SET edu_committed_at = EXCLUDED.edu_committed_at, lms_committed_at = EXCLUDED.lms_committed_at"
                + " WHERE edu2lms.heartbeat.edu_committed_at <= EXCLUDED.edu_committed_at")) {
      for (Map.Entry<Long, OffsetDateTime> b : beats.entrySet()) {
        ps.setLong(1, b.getKey());
        ps.setObject(2, b.getValue());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    heartbeats.increment(beats.size());
  }

  private void retryPendingDeletes(Connection c) throws SQLException {
    if (!pendingTables.isEmpty()) {
      pendingDeletes
          .retry(c, writers, pendingTables)
          .forEach((table, n) -> registry.counter("edu2lms.sink.rows.deleted", "table", table).increment(n));
    }
  }

  /** One part of a shared upsert, written on a helper connection. */
  private record PartResult(int applied, List<Rejected> rejected) {}

  /**
   * Writes a batch's rows of one table: on the main connection, or, for a big write ({@link
   * SinkConfig#PARALLEL_MIN_ROWS} rows or more, a table without a reference to itself, {@code
   * sink.upsert.connections} > 1), shared with the helper connections ({@link #writeShared}).
   */
  private int writeOrShare(Connection c, TableWriter w, Map<String, Row> rows, List<Rejected> rejected) throws SQLException {
    if (helpers.size() == 0 || rows.size() < SinkConfig.PARALLEL_MIN_ROWS || w.table().selfReference().isPresent()) {
      return write(c, w, rows, rejected);
    }
    return writeShared(c, w, rows, rejected);
  }

  /**
   * Writes one table's rows in {@code sink.upsert.connections} parts at once, split by the hash of
   * the id (so no two parts hold the same row; grades' other unique key, (legacy_detail_id,
   * component), is a function of the id). First commits what the batch has written so far, so the
   * helpers see this batch's deletes and parent rows. Each helper commits its part when done; the
   * main connection's part stays in the batch's transaction. A part a helper cannot write (it
   * waited {@value UpsertHelpers#LOCK_TIMEOUT} for a lock, e.g. a unique value held by the main
   * part, or any error) is written again on the main connection: nothing is skipped. Kafka offsets
   * are still committed only after the batch's last transaction; a crash in between replays the
   * batch, which the position guard absorbs (as for a crash between the database commit and the
   * offset commit).
   *
   * @return rows applied, all parts together
   * @throws SQLException an error of the main connection (the batch is then retried whole)
   */
  private int writeShared(Connection c, TableWriter w, Map<String, Row> rows, List<Rejected> rejected) throws SQLException {
    c.commit();
    int parts = helpers.size() + 1;
    List<Map<String, Row>> split = new ArrayList<>(parts);
    for (int i = 0; i < parts; i++) {
      split.add(new LinkedHashMap<>());
    }
    rows.forEach((k, v) -> split.get(Math.floorMod(k.hashCode(), parts)).put(k, v));
    List<Future<PartResult>> running = new ArrayList<>(parts - 1);
    for (int i = 1; i < parts; i++) {
      Map<String, Row> part = split.get(i);
      running.add(
          helpers.submit(
              i - 1,
              w.table(),
              (hc, hw) -> {
                List<Rejected> r = new ArrayList<>();
                return new PartResult(write(hc, hw, part, r), r);
              }));
    }
    int applied = 0;
    try {
      applied += write(c, w, split.get(0), rejected);
    } finally {
      // A helper must be done before its slot takes another part, also when the main part failed.
      for (Future<PartResult> f : running) {
        try {
          f.get();
        } catch (ExecutionException | java.util.concurrent.CancellationException collectedBelow) {
          // its part is written on the main connection below
        } catch (InterruptedException e) {
          // the sink is being stopped: keep the flag, the loop below throws
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    for (int i = 1; i < parts; i++) {
      try {
        PartResult p = running.get(i - 1).get();
        applied += p.applied();
        rejected.addAll(p.rejected());
        sharedParts.increment();
      } catch (ExecutionException e) {
        partFallbacks.increment();
        LOG.info(
            "{} rows of {} could not be written on helper connection {} ({}); writing them on the main connection",
            split.get(i).size(), w.table().name(), i, e.getCause() == null ? e.toString() : e.getCause().getMessage());
        applied += write(c, w, split.get(i), rejected);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while a helper LMS connection wrote " + w.table().name(), e);
      }
    }
    return applied;
  }

  /**
   * Writes decoded rows; parks the ones that cannot land yet. Returns the number applied.
   *
   * @param rejected where rows the LMS rejects are collected for the dead-letter topic; {@code
   *     null} when retrying parked rows (they were counted and sent when they first arrived)
   */
  private int write(Connection c, TableWriter w, Map<String, Row> rows, List<Rejected> rejected) throws SQLException {
    String table = w.table().name();
    Map<String, SpecificRecord> values = new LinkedHashMap<>();
    rows.forEach((k, v) -> values.put(k, v.value()));
    long start = System.nanoTime();
    Map<String, Outcome> notWritten = w.upsert(c, values);
    registry.timer("edu2lms.sink.upsert", "table", table).record(Duration.ofNanos(System.nanoTime() - start));
    List<Parked> toPark = new ArrayList<>(notWritten.size());
    List<QuarantineRecord> rejectedNow = new ArrayList<>();
    List<String> applied = new ArrayList<>(rows.size());
    for (Map.Entry<String, Row> e : rows.entrySet()) {
      Outcome o = notWritten.get(e.getKey());
      if (o == null) {
        applied.add(e.getKey());
        continue;
      }
      SpecificRecord value = e.getValue().value();
      SourceIdentity source = SourceIdentity.of(table, value);
      toPark.add(
          new Parked(
              table, e.getKey(), e.getValue().payload(), w.lsnOf(value), o.reason(), o.detail(), source, o.waitingTable(),
              o.waitingFor()));
      if (o.kind() == Outcome.Kind.REJECTED) {
        rejectedNow.add(new QuarantineRecord(source.sourceTable(), source.sourceId(), source.component(), o.reason(), o.detail(), w.lsnOf(value)));
        if (rejected != null) {
          rejected.add(new Rejected(w.table().topic().name(), e.getKey(), e.getValue().payload(), o.detail()));
          registry.counter("edu2lms.sink.rows.rejected", "table", table).increment();
        }
      } else if (rejected != null) {
        registry.counter("edu2lms.sink.rows.parked", "table", table).increment();
        if (o.reason().startsWith("conflict:")) {
          conflicted.add(table);
        }
      }
    }
    parked.save(c, toPark);
    if (!toPark.isEmpty()) {
      parkedTables.add(table);
    }
    if (parkedTables.contains(table)) {
      parked.remove(c, table, applied);
    }
    if (pendingTables.contains(table)) {
      pendingDeletes.cancel(c, table, applied);
    }
    quarantine.upsertFromSink(c, rejectedNow);
    registry.counter("edu2lms.sink.rows.upserted", "table", table).increment(applied.size());
    return applied.size();
  }

  /**
   * Retries parked rows of every table that references a table written in this batch (or itself),
   * in dependency order, until a pass writes nothing more.
   */
  private void retryParked(Connection c, Set<String> written) throws SQLException {
    Set<String> touched = new HashSet<>(written);
    boolean progress = !touched.isEmpty();
    while (progress) {
      progress = false;
      for (TableWriter w : writers) {
        // A table's own writes can free a unique value one of its parked rows waits for.
        boolean eligible =
            touched.contains(w.table().name()) || w.references().stream().anyMatch(r -> touched.contains(r.parent()));
        if (eligible && retryTable(c, w) > 0) {
          touched.add(w.table().name());
          progress = true;
        }
      }
    }
  }

  private int retryTable(Connection c, TableWriter w) throws SQLException {
    if (!parkedTables.contains(w.table().name())) {
      return 0;
    }
    List<Parked> waiting = parked.loadReady(c, w.table());
    if (waiting.isEmpty()) {
      return 0;
    }
    String topic = w.table().topic().name();
    Map<String, Row> rows = new LinkedHashMap<>();
    for (Parked p : waiting) {
      rows.put(p.id(), new Row(p.payload(), w.table().topic().valueSerde().deserializer().deserialize(topic, p.payload())));
    }
    return write(c, w, rows, null);
  }

  /**
   * The timer's work: retries every table's parked rows, quarantines those parked past the grace
   * period, and refreshes the gauges.
   */
  private void sweep(Connection c) throws SQLException {
    refreshWaitingTables(c);
    retryPendingDeletes(c);
    if (!parkedTables.isEmpty()) {
      boolean progress = true;
      while (progress) {
        progress = false;
        for (TableWriter w : writers) {
          progress |= retryTable(c, w) > 0;
        }
      }
      int quarantined = parked.quarantineExpired(c, config.parkedGrace());
      if (quarantined > 0) {
        LOG.warn("{} rows parked longer than sink.parked.grace={} are quarantined until they land", quarantined, config.parkedGrace());
      }
    }
    parkedNow.set(ParkedRows.count(c));
    PendingDeletes.Waiting pending = PendingDeletes.count(c, config.parkedGrace());
    pendingNow.set(pending.count());
    if (pending.overdue() > 0) {
      LOG.warn("{} deletes have waited longer than sink.parked.grace={} for LMS rows that still reference them (edu2lms.pending_deletes)",
          pending.overdue(), config.parkedGrace());
    }
    quarantinedBySink.set(QuarantineWriter.countFromSink(c));
  }

  /**
   * Reads which tables have parked rows and which have waiting deletes, once per transaction: most
   * batches have neither, and then their removal, cancellation and retry cost no statement. A row
   * parked meanwhile by another sink instance is found by the next sweep.
   */
  private void refreshWaitingTables(Connection c) throws SQLException {
    parkedTables.clear();
    parkedTables.addAll(ParkedRows.tables(c));
    pendingTables.clear();
    pendingTables.addAll(PendingDeletes.tables(c));
  }

  // ---------------------------------------------------------------- figures

  /** Rows upserted (applied or discarded as older by the position guard) since start. */
  public long rowsUpserted() {
    return (long) registry.find("edu2lms.sink.rows.upserted").counters().stream().mapToDouble(Counter::count).sum();
  }

  /** Rows deleted by tombstones since start. */
  public long rowsDeleted() {
    return (long) registry.find("edu2lms.sink.rows.deleted").counters().stream().mapToDouble(Counter::count).sum();
  }

  /** Records sent to the dead-letter topic since start. */
  public long deadLetters() {
    return (long) registry.find("edu2lms.sink.dead.letters").counters().stream().mapToDouble(Counter::count).sum();
  }

  /** Batches committed since start. */
  public long batches() {
    return batchTimer.count();
  }

  /** Batches retried after a transient database error since start. */
  public long retries() {
    return (long) retries.count();
  }

  /** Rows in edu2lms.parked at the last sweep. */
  public long parkedRows() {
    return parkedNow.get();
  }

  /** The registry holding the sink's meters. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The error that stopped the sink, or {@code null}. */
  public Throwable failure() {
    return failure.get();
  }

  /**
   * What the sink's readiness is judged on ({@code /health/ready}): when its loop last finished a
   * round and since when it retries a transient LMS error.
   *
   * @return {@link System#nanoTime()} of the last finished round, and of the first retry of the
   *     current attempt or 0 when not retrying
   */
  public Progress progress() {
    return new Progress(roundAtNanos, retryingSinceNanos);
  }

  /**
   * See {@link #progress()}.
   *
   * @param roundAtNanos {@link System#nanoTime()} when the loop last finished a round
   * @param retryingSinceNanos {@link System#nanoTime()} of the first retry of the current attempt,
   *     0 when not retrying
   */
  public record Progress(long roundAtNanos, long retryingSinceNanos) {}

  /** Stops the loop after the current batch and waits for it. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    if (thread != null) {
      thread.join(60_000);
      if (thread.isAlive()) {
        // Still waiting out a retry backoff: stop it; the uncommitted batch is redelivered.
        thread.interrupt();
        thread.join(10_000);
      }
    }
  }
}
