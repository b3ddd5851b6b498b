package org.edu2lms.cli.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.sink.LmsCatalog;
import org.edu2lms.sink.LmsSink;
import org.edu2lms.sink.LmsTable;
import org.edu2lms.sink.SinkConfig;

/**
 * {@code edu2lms replay}: re-applies the compacted {@code lms.*}, quarantine and notes topics to
 * LMS from their beginning with the sink's own code, then stops. Kafka keeps the latest value of
 * every key of these topics forever (compaction), so the replay rebuilds every LMS row; the
 * sink's source-position guard ({@code source_lsn}) keeps a row that LMS already holds in a newer
 * version. A tombstone may be compacted away after {@code delete.retention.ms} (24 h): rows deleted
 * before that are not deleted again by a replay into a restored LMS, which {@code edu2lms verify}
 * then reports as extra rows.
 *
 * <p>Safety: the consumer group is reset (deleted, so the sink starts at the earliest offsets)
 * only when it has no active member; a running sink of that group makes the replay refuse.
 */
public final class Replay {

  /**
   * The outcome.
   *
   * @param records records of the snapshot of the topics replayed (their end offsets at the start)
   * @param rowsUpserted LMS rows the sink wrote
   * @param rowsDeleted LMS rows the sink deleted
   * @param parkedLeft rows still parked at the end
   * @param seconds wall time
   */
  public record Result(long records, long rowsUpserted, long rowsDeleted, long parkedLeft, double seconds) {}

  private Replay() {}

  /** The topics the sink reads, heartbeat excluded: every {@code lms.*} table, quarantine, notes. */
  public static List<String> topics() {
    List<String> out = new ArrayList<>();
    for (LmsTable t : LmsCatalog.TABLES) {
      out.add(t.topic().name());
    }
    out.add(LmsTopics.QUARANTINE.name());
    out.add(LmsTopics.NOTES.name());
    return out;
  }

  /**
   * Refuses when the group has active members.
   *
   * @throws IllegalStateException naming the group and its members
   */
  public static void requireInactive(Admin admin, String group) throws InterruptedException, ExecutionException {
    ConsumerGroupDescription d;
    try {
      d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return; // never used: nothing to stop
      }
      throw e;
    }
    if (d != null && !d.members().isEmpty()) {
      throw new IllegalStateException(
          "the consumer group " + group + " has " + d.members().size() + " active member(s) (" + d.members().iterator().next().clientId()
              + "): stop the sink first (edu2lms run sink), or replay into another LMS with another --group");
    }
  }

  /**
   * Refuses when an LMS table or the quarantine holds rows ({@code --to-empty-lms}).
   *
   * @throws IllegalStateException naming the tables that are not empty
   * @throws SQLException when LMS cannot be read
   */
  public static void requireEmpty(Connection lms) throws SQLException {
    List<String> notEmpty = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    LmsCatalog.TABLES.forEach(t -> tables.add("public." + t.name()));
    tables.add("edu2lms.quarantine");
    tables.add("edu2lms.data_quality_notes");
    try (Statement st = lms.createStatement()) {
      for (String t : tables) {
        try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + t + ")")) {
          rs.next();
          if (rs.getBoolean(1)) {
            notEmpty.add(t);
          }
        }
      }
    }
    if (!notEmpty.isEmpty()) {
      throw new IllegalStateException(
          "--to-empty-lms: LMS is not empty (" + String.join(", ", notEmpty) + "); point --lms-url at an empty database, or replay without --to-empty-lms to repair this one");
    }
  }

  /**
   * Resets the group (it must be inactive), runs a sink of that group until it has consumed the
   * topics up to their end offsets as of now and nothing is left parked, then stops it.
   *
   * @param progress told every few seconds of the records consumed so far and the total
   * @param timeout the longest the replay may take
   * @throws IllegalStateException when the group is active, or the sink fails, or the timeout
   *     passes (with what is left)
   */
  public static Result run(Admin admin, SinkConfig config, Duration timeout, Consumer<long[]> progress) throws Exception {
    long start = System.nanoTime();
    String group = config.groupId();
    requireInactive(admin, group);
    try {
      admin.deleteConsumerGroups(List.of(group)).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof GroupIdNotFoundException)) {
        throw new IllegalStateException("cannot reset the consumer group " + group + ": " + e.getCause().getMessage(), e.getCause());
      }
    }
    Map<TopicPartition, Long> targets = KafkaTopics.endOffsets(admin, Set.copyOf(topics()));
    long total = targets.values().stream().mapToLong(Long::longValue).sum();
    LmsSink sink = new LmsSink(config);
    sink.start();
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      long lastProgress = 0;
      while (true) {
        if (sink.failure() != null) {
          throw new IllegalStateException("the sink failed during the replay: " + sink.failure().getMessage(), sink.failure());
        }
        long done = consumed(admin, group, targets);
        if (System.nanoTime() - lastProgress > 2_000_000_000L) {
          lastProgress = System.nanoTime();
          progress.accept(new long[] {done, total});
        }
        if (done >= total && sink.parkedRows() == 0) {
          progress.accept(new long[] {done, total});
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "replay not finished after " + timeout + ": " + done + " of " + total + " records consumed, " + sink.parkedRows() + " rows parked");
        }
        Thread.sleep(250);
      }
      return new Result(total, sink.rowsUpserted(), sink.rowsDeleted(), sink.parkedRows(), (System.nanoTime() - start) / 1e9);
    } finally {
      sink.close();
    }
  }


  /** Records consumed (committed) by the group, each partition counted up to its target. */
  private static long consumed(Admin admin, String group, Map<TopicPartition, Long> targets) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    long done = 0;
    for (Map.Entry<TopicPartition, Long> t : targets.entrySet()) {
      OffsetAndMetadata o = committed.get(t.getKey());
      done += o == null ? 0 : Math.min(o.offset(), t.getValue());
    }
    return done;
  }
}
