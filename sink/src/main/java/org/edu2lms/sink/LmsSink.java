package org.edu2lms.sink;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.lms.QuarantineRecord;
import org.edu2lms.sink.ParkedRows.Parked;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink stage: makes LMS equal to the lms.* topics and {@code edu2lms.quarantine} equal to its
 * topic, with every LMS constraint on.
 *
 * <p>Each poll is one batch and one database transaction: records are reduced per table by key
 * (last write wins), deletes applied children first, upserts parents first ({@link LmsCatalog}
 * order), rows whose parent has not landed yet parked in {@code edu2lms.parked} and retried when
 * a later batch writes to a parent table. Kafka offsets are committed only after the database
 * commit ({@code read_committed} consumer): a crash between the two replays the batch, which the
 * idempotent, position-guarded upserts absorb.
 */
public final class LmsSink implements Runnable, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LmsSink.class);

  private final SinkConfig config;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, TableWriter> writersByTopic = new LinkedHashMap<>();
  private final List<TableWriter> writers = new ArrayList<>();
  private final QuarantineWriter quarantine = new QuarantineWriter();
  private final NotesWriter notes = new NotesWriter();
  private final ParkedRows parked = new ParkedRows();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong upserted = new AtomicLong();
  private final AtomicLong deleted = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private volatile boolean running = true;
  private Thread thread;

  /**
   * @param config the sink settings
   */
  public LmsSink(SinkConfig config) {
    this.config = config;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxPollRecords()));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "edu2lms-sink");
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    for (LmsTable t : LmsCatalog.TABLES) {
      TableWriter w = new TableWriter(t);
      writers.add(w);
      writersByTopic.put(t.topic().name(), w);
    }
  }

  /** Starts the sink loop on its own thread. */
  public void start() {
    thread = new Thread(this, "edu2lms-sink");
    thread.start();
  }

  @Override
  public void run() {
    try (Connection c = DriverManager.getConnection(config.lmsJdbcUrl(), config.lmsUser(), config.lmsPassword())) {
      c.setAutoCommit(false);
      List<String> topics = new ArrayList<>(writersByTopic.keySet());
      topics.add(LmsTopics.QUARANTINE.name());
      topics.add(LmsTopics.NOTES.name());
      consumer.subscribe(topics);
      LOG.info("sink started: {} → {}", topics, config.lmsJdbcUrl());
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          applyBatch(c, records);
          c.commit();
          batches.incrementAndGet();
        }
        commitPositions();
      }
    } catch (WakeupException e) {
      if (running) {
        failure.compareAndSet(null, e);
      }
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
      LOG.error("sink stopped: {}", e.getMessage(), e);
    } finally {
      consumer.close();
    }
  }

  /**
   * Commits the consumer's position on every assigned partition that moved: after a batch (only
   * after its database commit), and after an empty poll that stepped over a transaction marker,
   * so an idle sink reports a consumer lag of exactly 0.
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
      consumer.commitSync(moved);
      moved.forEach((tp, o) -> committed.put(tp, o.offset()));
    }
  }

  private void applyBatch(Connection c, ConsumerRecords<String, byte[]> records) throws SQLException {
    Map<String, LinkedHashMap<String, byte[]>> byTopic = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      byTopic.computeIfAbsent(r.topic(), k -> new LinkedHashMap<>()).put(r.key(), r.value());
    }
    // Deletes, children first.
    for (int i = writers.size() - 1; i >= 0; i--) {
      TableWriter w = writers.get(i);
      Map<String, byte[]> rows = byTopic.getOrDefault(w.table().topic().name(), new LinkedHashMap<>());
      List<String> gone = new ArrayList<>();
      rows.forEach((k, v) -> {
        if (v == null) {
          gone.add(k);
        }
      });
      deleted.addAndGet(w.delete(c, gone));
      parked.remove(c, w.table().name(), gone);
    }
    // Upserts, parents first.
    Set<String> written = new HashSet<>();
    for (TableWriter w : writers) {
      Map<String, byte[]> rows = byTopic.getOrDefault(w.table().topic().name(), new LinkedHashMap<>());
      Map<String, byte[]> present = new LinkedHashMap<>();
      rows.forEach((k, v) -> {
        if (v != null) {
          present.put(k, v);
        }
      });
      if (!present.isEmpty() && write(c, w, present) > 0) {
        written.add(w.table().name());
      }
    }
    // Quarantine.
    LinkedHashMap<String, byte[]> q = byTopic.getOrDefault(LmsTopics.QUARANTINE.name(), new LinkedHashMap<>());
    List<String> released = new ArrayList<>();
    List<QuarantineRecord> held = new ArrayList<>();
    q.forEach((k, v) -> {
      if (v == null) {
        released.add(k);
      } else {
        held.add(LmsTopics.QUARANTINE.valueSerde().deserializer().deserialize(LmsTopics.QUARANTINE.name(), v));
      }
    });
    quarantine.delete(c, released);
    quarantine.upsert(c, held);
    // Data-quality notes.
    List<String> clean = new ArrayList<>();
    Map<String, String> noted = new LinkedHashMap<>();
    byTopic.getOrDefault(LmsTopics.NOTES.name(), new LinkedHashMap<>()).forEach((k, v) -> {
      if (v == null) {
        clean.add(k);
      } else {
        noted.put(k, LmsTopics.NOTES.valueSerde().deserializer().deserialize(LmsTopics.NOTES.name(), v));
      }
    });
    notes.delete(c, clean);
    notes.upsert(c, noted);
    retryParked(c, written);
  }

  /** Writes decoded rows; parks the ones that cannot land yet. Returns the number applied. */
  private int write(Connection c, TableWriter w, Map<String, byte[]> payloads) throws SQLException {
    String topic = w.table().topic().name();
    Map<String, SpecificRecord> rows = new LinkedHashMap<>();
    payloads.forEach((k, v) -> rows.put(k, w.table().topic().valueSerde().deserializer().deserialize(topic, v)));
    Map<String, String> stuck = w.upsert(c, rows.values());
    List<Parked> toPark = new ArrayList<>(stuck.size());
    List<String> applied = new ArrayList<>(rows.size());
    for (Map.Entry<String, SpecificRecord> e : rows.entrySet()) {
      String reason = stuck.get(e.getKey());
      if (reason == null) {
        applied.add(e.getKey());
      } else {
        toPark.add(new Parked(w.table().name(), e.getKey(), payloads.get(e.getKey()), w.lsnOf(e.getValue()), reason));
      }
    }
    parked.save(c, toPark);
    parked.remove(c, w.table().name(), applied);
    upserted.addAndGet(applied.size());
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
        if (!eligible) {
          continue;
        }
        List<Parked> waiting = parked.load(c, w.table().name());
        if (waiting.isEmpty()) {
          continue;
        }
        Map<String, byte[]> payloads = new LinkedHashMap<>();
        waiting.forEach(p -> payloads.put(p.id(), p.payload()));
        if (write(c, w, payloads) > 0) {
          touched.add(w.table().name());
          progress = true;
        }
      }
    }
  }

  /** Rows upserted (applied or discarded as older by the position guard) since start. */
  public long rowsUpserted() {
    return upserted.get();
  }

  /** Rows deleted by tombstones since start. */
  public long rowsDeleted() {
    return deleted.get();
  }

  /** Batches committed since start. */
  public long batches() {
    return batches.get();
  }

  /** The error that stopped the sink, or {@code null}. */
  public Throwable failure() {
    return failure.get();
  }

  /** Stops the loop after the current batch and waits for it. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    if (thread != null) {
      thread.join(60_000);
    }
  }
}
