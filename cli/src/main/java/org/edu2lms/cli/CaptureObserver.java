package org.edu2lms.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.edu2lms.schemas.EduTables;

/**
 * Reads what the capture produces to the {@code edu.public.*} data topics (heartbeats not
 * counted), from their ends at {@link #start()} on: the EDU commit time of the newest change event
 * (its {@code source.ts_ms}) tells whether the capture has caught up, and an event whose table, key
 * and {@code source.lsn} were produced before is one produced twice. The capture is at least once:
 * after a kill, Debezium resumes from the last position it stored (every second), and the events
 * since then are produced again.
 */
final class CaptureObserver implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The change events seen, by identity; tells a second copy from a first. */
  static final class Ledger {
    private final Set<String> seen = new HashSet<>();

    /**
     * Records one change event.
     *
     * @param topic its topic (the EDU table)
     * @param key its record key (the row's primary key)
     * @param lsn its {@code source.lsn}: one per row change here, each change being a transaction of one row
     * @return true when the same event was recorded before
     */
    boolean again(String topic, String key, long lsn) {
      return !seen.add(topic + '\u0000' + key + '\u0000' + lsn);
    }
  }

  private final KafkaConsumer<String, String> consumer;
  private final Ledger ledger = new Ledger();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong events = new AtomicLong();
  private final Thread thread;
  private volatile long newestCommitMs;
  private volatile boolean stop;
  private volatile Throwable failure;

  /**
   * @param bootstrapServers the cluster the capture writes to (its topics must exist)
   */
  CaptureObserver(String bootstrapServers) {
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20",
                ConsumerConfig.CLIENT_ID_CONFIG, "edu2lms-bench-capture-observer"),
            new StringDeserializer(),
            new StringDeserializer());
    this.thread = new Thread(this::run, "bench-capture-observer");
    this.thread.setDaemon(true);
  }

  /** Assigns every partition of the data topics at its current end, then reads on a thread of its own. */
  void start() {
    List<TopicPartition> partitions =
        EduTables.ALL.stream()
            .map(EduTables::topic)
            .flatMap(t -> consumer.partitionsFor(t).stream().map(p -> new TopicPartition(t, p.partition())))
            .toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    thread.start();
  }

  private void run() {
    try {
      while (!stop) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
          if (r.value() == null) {
            continue; // the tombstone after a delete: the delete event itself is counted
          }
          JsonNode source = JSON.readTree(r.value()).path("source");
          events.incrementAndGet();
          if (ledger.again(r.topic(), String.valueOf(r.key()), source.path("lsn").asLong(-1))) {
            duplicates.incrementAndGet();
          }
          newestCommitMs = Math.max(newestCommitMs, source.path("ts_ms").asLong(0));
        }
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      // closing
    } catch (Throwable e) {
      failure = e;
    }
  }

  /** The EDU commit time of the newest change event read, epoch ms; 0 before the first. */
  long newestCommitMs() {
    return newestCommitMs;
  }

  /** Change events read that had been produced before (same table, key and LSN). */
  long duplicates() {
    return duplicates.get();
  }

  /** Change events read, duplicates included. */
  long events() {
    return events.get();
  }

  /** The error that stopped the reader, or null while it reads. */
  Throwable failure() {
    return failure;
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    consumer.wakeup();
    thread.join(10_000);
    consumer.close();
  }
}
