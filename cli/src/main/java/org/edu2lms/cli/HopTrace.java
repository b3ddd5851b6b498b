package org.edu2lms.cli;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.edu2lms.schemas.EduTables;
import org.edu2lms.schemas.LegacyIds;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.transform.serde.EduKeySerde;

/**
 * Where the time of a live journal_details change goes, hop by hop, from the record timestamps
 * the pipeline leaves on its topics (for {@code edu2lms bench live}).
 *
 * <p>The capture's records carry the time the capture sent them; the transform reads every topic
 * with the wall-clock timestamp extractor, so each record it writes carries the time its own
 * task read the record that caused it. For a journal_details row X:
 *
 * <ol>
 *   <li>{@code edu.public.journal_details}, key X: the capture sent the change;
 *   <li>{@code lms.grades}, key uuid(X, 1): the transform read the change (the journal and the
 *       points are looked up in the grades task's own copies, BroadcastLookup and PointsLookup).
 * </ol>
 *
 * With the EDU and LMS commit times (PostgreSQL's {@code pg_xact_commit_timestamp}, the same
 * clock) and the start of the sink transaction that wrote the grade ({@code updated_at}, its
 * {@code now()}) that makes four hops: EDU commit → capture sent, → transform read, → sink
 * transaction start (the transform's exactly-once commit: a record is visible only once its
 * transaction commits; then the sink's fetch), → LMS commit (the sink's write and commit). For
 * each change, the first record at or after the previous hop's time is taken.
 */
final class HopTrace {

  /**
   * A timed journal_details change: its id, EDU commit, sink transaction start and LMS commit
   * times (epoch ms).
   */
  record Change(long detailId, double eduCommitMs, double sinkStartMs, double lmsCommitMs) {}

  /**
   * A change traced through every hop.
   *
   * @param detailId the journal_details id
   * @param times epoch ms at each end of the hops: EDU commit, capture sent, transform read, sink
   *     transaction start, LMS commit ({@link #HOPS} has one entry fewer)
   */
  record Traced(long detailId, double[] times) {

    /** EDU commit to LMS commit, ms. */
    double totalMs() {
      return times[times.length - 1] - times[0];
    }
  }

  /** How many of the slowest traced changes a step lists, each hop by hop. */
  static final int SLOWEST = 5;

  /** The hops, in order. */
  static final List<String> HOPS =
      List.of("EDU commit -> capture sent", "capture sent -> transform read", "transform read -> sink transaction start", "sink transaction start -> LMS commit");

  private static final Deserializer<Long> KEY = new EduKeySerde().deserializer();

  private HopTrace() {}

  /**
   * @param bootstrapServers the cluster
   * @param stepStartMs epoch ms when the step began (records from a second before are read)
   * @param changes the timed journal_details changes
   * @return per hop, p50/p95/p99 in ms; the number of changes traced through every hop; and
   *     ({@code slowest}) the {@value #SLOWEST} slowest traced changes, hop by hop
   */
  static Map<String, Object> measure(String bootstrapServers, long stepStartMs, List<Change> changes) {
    long sinceMs = stepStartMs - 1000;
    Map<Long, List<Long>> sent = read(bootstrapServers, EduTables.topic("journal_details"), sinceMs, r -> KEY.deserialize(null, r.key()));
    Map<String, List<Long>> graded =
        read(bootstrapServers, LmsTopics.GRADES.name(), sinceMs, r -> new String(r.key(), StandardCharsets.UTF_8));
    List<Traced> traced = new ArrayList<>();
    int[] lostAt = new int[HOPS.size()];
    for (Change c : changes) {
      double[] t = new double[HOPS.size() + 1];
      t[0] = c.eduCommitMs();
      Long a = firstAtOrAfter(sent.get(c.detailId()), t[0] - 1);
      Long g = a == null ? null : firstAtOrAfter(graded.get(LegacyIds.forGrade(c.detailId(), 1).toString()), a);
      if (g == null || c.lmsCommitMs() < g) {
        lostAt[a == null ? 0 : g == null ? 1 : 2]++;
        continue;
      }
      t[1] = a;
      t[2] = g;
      t[3] = c.sinkStartMs();
      t[4] = c.lmsCommitMs();
      traced.add(new Traced(c.detailId(), t));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("traced", traced.size());
    out.put("of", changes.size());
    // Why a change was not traced: the hop whose record was not found (diagnostics of the trace itself).
    Map<String, Integer> lost = new LinkedHashMap<>();
    for (int h = 0; h < HOPS.size(); h++) {
      if (lostAt[h] > 0) {
        lost.put(HOPS.get(h), lostAt[h]);
      }
    }
    out.put("notTracedAt", lost);
    out.put("keysRead", Map.of("capture", sent.size(), "grades", graded.size()));
    for (int h = 0; h < HOPS.size(); h++) {
      final int hop = h;
      double[] d = traced.stream().map(Traced::times).mapToDouble(t -> t[hop + 1] - t[hop]).sorted().toArray();
      Map<String, Double> p = new LinkedHashMap<>();
      p.put("p50Ms", BenchLiveCommand.pct(d, 50));
      p.put("p95Ms", BenchLiveCommand.pct(d, 95));
      p.put("p99Ms", BenchLiveCommand.pct(d, 99));
      out.put(HOPS.get(h), p);
    }
    out.put("slowest", slowest(traced, stepStartMs));
    return out;
  }

  /**
   * The {@value #SLOWEST} slowest traced changes, slowest first, each as "id at T s: total ms = hop
   * + hop + …" (ms per hop in {@link #HOPS} order): a stall that holds many changes at once shows
   * in the hop where it happened.
   *
   * @param traced changes traced through every hop
   * @param stepStartMs epoch ms when the step began (T counts from it)
   */
  static List<String> slowest(List<Traced> traced, long stepStartMs) {
    return traced.stream()
        .sorted(Comparator.comparingDouble(Traced::totalMs).reversed())
        .limit(SLOWEST)
        .map(c -> {
          double[] t = c.times();
          List<String> hops = new ArrayList<>();
          for (int h = 0; h < HOPS.size(); h++) {
            hops.add(String.format("%.0f", t[h + 1] - t[h]));
          }
          return String.format("%d at %.1f s: %.0f ms = %s", c.detailId(), (t[0] - stepStartMs) / 1e3, c.totalMs(), String.join(" + ", hops));
        })
        .toList();
  }

  static Long firstAtOrAfter(List<Long> times, double t) {
    if (times == null) {
      return null;
    }
    for (long x : times) {
      if (x >= t) {
        return x;
      }
    }
    return null;
  }

  /** Record timestamps per key, ascending, of the committed records written since {@code sinceMs}. */
  private static <K> Map<K, List<Long>> read(
      String bootstrapServers, String topic, long sinceMs, Function<ConsumerRecord<byte[], byte[]>, K> key) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    Map<K, List<Long>> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      Map<TopicPartition, Long> since = new HashMap<>();
      partitions.forEach(tp -> since.put(tp, sinceMs));
      Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(since);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> remaining = new HashMap<>();
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp s = start.get(tp);
        if (s != null && s.offset() < end.get(tp)) {
          remaining.put(tp, end.get(tp));
        }
      }
      consumer.assign(remaining.keySet());
      remaining.keySet().forEach(tp -> consumer.seek(tp, start.get(tp).offset()));
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (!remaining.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          K k = r.key() == null ? null : key.apply(r);
          if (k != null) {
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(r.timestamp());
          }
        }
        remaining.keySet().removeIf(tp -> consumer.position(tp) >= remaining.get(tp));
      }
    }
    out.values().forEach(l -> l.sort(Long::compare));
    return out;
  }
}
