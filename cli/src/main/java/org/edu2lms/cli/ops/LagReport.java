package org.edu2lms.cli.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.edu2lms.capture.EduCapture;
import org.edu2lms.schemas.EduTables;

/**
 * How far behind each stage is, at one instant (issue "See the sync"):
 *
 * <ul>
 *   <li><b>capture</b>: the replication slot on EDU ({@code pg_replication_slots}): WAL bytes not
 *       yet confirmed by the capture ({@code pg_current_wal_lsn() - confirmed_flush_lsn}), WAL bytes
 *       the slot keeps on disk ({@code - restart_lsn}), and the age of the newest change event in
 *       the {@code edu.public.*} topics (its Kafka timestamp; heartbeats keep it small while the
 *       capture runs);
 *   <li><b>transform</b> and <b>sink</b>: consumer lag of their consumer groups per topic-partition
 *       (log-end offset − committed offset, as {@code kafka-consumer-groups --describe}), summed per
 *       table;
 *   <li><b>freshness</b>: from LMS {@code edu2lms.heartbeat}, the age of the newest EDU commit known
 *       to be in LMS ({@code now() − edu_committed_at}) and the end-to-end latency of that heartbeat.
 * </ul>
 *
 * @param at when the report was taken
 * @param capture the capture's figures
 * @param transform the transform's consumer lag per table (and its internal topics)
 * @param sink the sink's consumer lag per LMS table (and quarantine, notes, heartbeat)
 * @param freshness end-to-end freshness, from the heartbeat
 */
public record LagReport(Instant at, Capture capture, StageLag transform, StageLag sink, Freshness freshness) {

  /** Name under which a Streams application's own repartition and join topics are summed. */
  public static final String INTERNAL = "(internal topics)";

  /**
   * @param slot the replication slot name
   * @param slotExists whether the slot exists on EDU
   * @param slotActive whether a capture is connected to it
   * @param slotLagBytes WAL bytes written on EDU and not yet confirmed by the capture; null when no slot
   * @param retainedWalBytes WAL bytes EDU keeps for the slot; null when no slot
   * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} or {@code lost}; null when no slot
   * @param lastEventAgeSeconds seconds since the newest record in the capture's topics was produced;
   *     null when they are empty
   * @param error why the figures could not be read, or null
   */
  public record Capture(
      String slot,
      boolean slotExists,
      boolean slotActive,
      Long slotLagBytes,
      Long retainedWalBytes,
      String walStatus,
      Double lastEventAgeSeconds,
      String error) {}

  /**
   * @param group the consumer group
   * @param total lag summed over every partition; null when the group has committed nothing yet
   *     (its partitions are still listed, each counted from its log start)
   * @param dataTotal the same sum without the heartbeat topics ({@link ConsumerLag.GroupLag#dataTotal}):
   *     legacy data not yet through the stage; null when {@code total} is
   * @param perTable lag summed per table (topic name without its prefix), sorted by name
   * @param perPartition lag per {@code topic-partition}, sorted
   * @param error why the figures could not be read, or null
   */
  public record StageLag(
      String group, Long total, Long dataTotal, Map<String, Long> perTable, Map<String, Long> perPartition, String error) {}

  /**
   * @param seconds how far LMS is behind EDU: now − the EDU commit time of the newest heartbeat in
   *     LMS (clocks of two servers); null before the first heartbeat lands
   * @param lastLatencySeconds that heartbeat's time from EDU commit to LMS write
   * @param eduCommittedAt the newest heartbeat's EDU commit time
   * @param lmsCommittedAt when the sink wrote it
   * @param error why the figures could not be read, or null
   */
  public record Freshness(Double seconds, Double lastLatencySeconds, Instant eduCommittedAt, Instant lmsCommittedAt, String error) {}

  /**
   * Where to look.
   *
   * @param slot the replication slot name on EDU
   * @param transformGroup the Streams application id
   * @param sinkGroup the sink's consumer group
   */
  public record Groups(String slot, String transformGroup, String sinkGroup) {}

  /**
   * A Kafka admin client for the operations tools: 10 s per request, 15 s per call, so an
   * unreachable broker is reported, not waited on.
   *
   * @param bootstrapServers {@code host:port[,host:port]}
   * @param clientId the client id the broker logs
   */
  public static Admin admin(String bootstrapServers, String clientId) {
    return admin(bootstrapServers, clientId, Map.of());
  }

  /**
   * As {@link #admin(String, String)}, with the {@code kafka.*} pass-through of the configuration
   * (SASL, SSL, …).
   */
  public static Admin admin(String bootstrapServers, String clientId, Map<String, String> kafkaClient) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    org.edu2lms.schemas.KafkaClientOverrides.apply(p, kafkaClient);
    return Admin.create(p);
  }

  /**
   * A JDBC connection for the operations tools, named {@code applicationName} in {@code
   * pg_stat_activity}.
   *
   * @param password null for none
   * @throws SQLException when the database cannot be reached
   */
  public static Connection connect(String url, String user, String password, String applicationName) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password == null ? "" : password);
    p.setProperty("ApplicationName", applicationName);
    return java.sql.DriverManager.getConnection(url, p);
  }

  /**
   * Takes a report. Each part is read independently: a part that cannot be read carries its
   * error and the others are still filled.
   *
   * @param admin Kafka admin client
   * @param edu a connection to EDU (reads {@code pg_replication_slots}); may be null
   * @param lms a connection to LMS (reads {@code edu2lms.heartbeat}); may be null
   */
  public static LagReport take(Admin admin, Connection edu, Connection lms, Groups groups) throws InterruptedException {
    Instant now = Instant.now();
    return new LagReport(
        now,
        capture(admin, edu, groups.slot(), now),
        stage(admin, groups.transformGroup(), ConsumerLag.transformReads(groups.transformGroup())),
        stage(admin, groups.sinkGroup(), ConsumerLag.sinkReads()),
        freshness(lms));
  }

  private static Capture capture(Admin admin, Connection edu, String slot, Instant now) throws InterruptedException {
    Double age = null;
    String error = null;
    try {
      age = lastEventAgeSeconds(admin, now);
    } catch (ExecutionException e) {
      error = "Kafka: " + e.getCause().getMessage();
    }
    if (edu == null) {
      return new Capture(slot, false, false, null, null, null, age, error == null ? "no EDU connection" : error);
    }
    try (PreparedStatement ps =
        edu.prepareStatement(
            "SELECT active, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint,"
                + " pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, wal_status"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new Capture(slot, false, false, null, null, null, age, error);
        }
        return new Capture(slot, true, rs.getBoolean(1), rs.getLong(2), rs.getLong(3), rs.getString(4), age, error);
      }
    } catch (SQLException e) {
      return new Capture(slot, false, false, null, null, null, age, "EDU: " + e.getMessage());
    }
  }

  /** Age of the newest record over the capture's topics (edu.public.* and Debezium's heartbeat topic). */
  private static Double lastEventAgeSeconds(Admin admin, Instant now) throws ExecutionException, InterruptedException {
    List<String> topics =
        admin.listTopics().names().get().stream()
            .filter(t -> t.startsWith(EduTables.TOPIC_PREFIX + ".public.") || t.startsWith(EduCapture.HEARTBEAT_TOPIC_PREFIX))
            .toList();
    Map<TopicPartition, OffsetSpec> newest = new HashMap<>();
    admin.describeTopics(topics).allTopicNames().get()
        .forEach((name, d) -> d.partitions().forEach(p -> newest.put(new TopicPartition(name, p.partition()), OffsetSpec.maxTimestamp())));
    long max = -1;
    for (ListOffsetsResultInfo info : admin.listOffsets(newest).all().get().values()) {
      max = Math.max(max, info.timestamp());
    }
    return max < 0 ? null : Math.max(0, now.toEpochMilli() - max) / 1e3;
  }

  /**
   * The consumer lag of one group, per partition and summed per table, over every partition of
   * the topics it reads ({@link ConsumerLag}).
   *
   * @param reads the topics the group consumes
   */
  public static StageLag stage(Admin admin, String group, java.util.function.Predicate<String> reads) throws InterruptedException {
    try {
      ConsumerLag.GroupLag groupLag = ConsumerLag.of(admin, group, reads);
      Map<TopicPartition, Long> lag = groupLag.perPartition();
      Map<String, Long> perTable = new TreeMap<>();
      Map<String, Long> perPartition = new TreeMap<>();
      for (Map.Entry<TopicPartition, Long> e : lag.entrySet()) {
        perTable.merge(tableOf(e.getKey().topic(), group), e.getValue(), Long::sum);
        perPartition.put(e.getKey().toString(), e.getValue());
      }
      boolean committed = groupLag.committedAny();
      return new StageLag(
          group, committed ? groupLag.total() : null, committed ? groupLag.dataTotal() : null, perTable, perPartition, null);
    } catch (ExecutionException e) {
      return new StageLag(group, null, null, Map.of(), Map.of(), "Kafka: " + e.getCause().getMessage());
    }
  }

  /**
   * The table a topic carries: {@code edu.public.users} → {@code users}, {@code lms.grades} →
   * {@code grades}, {@code edu2lms.quarantine} → {@code quarantine}; a Streams application's own
   * topics ({@code <group>-…}) → {@link #INTERNAL}.
   */
  static String tableOf(String topic, String group) {
    if (topic.startsWith(group + "-")) {
      return INTERNAL;
    }
    String edu = EduTables.TOPIC_PREFIX + ".public.";
    if (topic.startsWith(edu)) {
      return topic.substring(edu.length());
    }
    int dot = topic.indexOf('.');
    return dot < 0 ? topic : topic.substring(dot + 1);
  }

  private static Freshness freshness(Connection lms) {
    if (lms == null) {
      return new Freshness(null, null, null, null, "no LMS connection");
    }
    try (PreparedStatement ps =
            lms.prepareStatement(
                "SELECT edu_committed_at, lms_committed_at, extract(epoch FROM clock_timestamp() - edu_committed_at)::float8,"
                    + " extract(epoch FROM lms_committed_at - edu_committed_at)::float8"
                    + " FROM edu2lms.heartbeat ORDER BY edu_committed_at DESC LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return new Freshness(null, null, null, null, null);
      }
      Timestamp edu = rs.getTimestamp(1);
      Timestamp lms2 = rs.getTimestamp(2);
      return new Freshness(Math.max(0, rs.getDouble(3)), rs.getDouble(4), edu.toInstant(), lms2.toInstant(), null);
    } catch (SQLException e) {
      return new Freshness(null, null, null, null, "LMS: " + e.getMessage());
    }
  }

  /** The report as a fixed-width table for a terminal, one line per stage and table with lag. */
  public String format() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("edu2lms lag at %s%n", at));
    b.append(String.format("%-10s %-40s %s%n", "stage", "what", "value"));
    Capture c = capture;
    if (c.slotExists()) {
      b.append(String.format("%-10s %-40s %,d bytes%n", "capture", "slot " + c.slot() + " lag (unconfirmed WAL)", c.slotLagBytes()));
      b.append(String.format("%-10s %-40s %,d bytes (%s, %s)%n", "capture", "WAL retained by the slot", c.retainedWalBytes(), c.walStatus(), c.slotActive() ? "active" : "NOT ACTIVE"));
    } else {
      b.append(String.format("%-10s %-40s %s%n", "capture", "slot " + c.slot(), "does not exist"));
    }
    b.append(String.format("%-10s %-40s %s%n", "capture", "age of the newest event", c.lastEventAgeSeconds() == null ? "no events" : String.format("%.1f s", c.lastEventAgeSeconds())));
    if (c.error() != null) {
      b.append(String.format("%-10s %-40s %s%n", "capture", "error", c.error()));
    }
    appendStage(b, "transform", transform);
    appendStage(b, "sink", sink);
    Freshness f = freshness;
    if (f.error() != null) {
      b.append(String.format("%-10s %-40s %s%n", "end-to-end", "error", f.error()));
    } else if (f.seconds() == null) {
      b.append(String.format("%-10s %-40s %s%n", "end-to-end", "freshness", "no heartbeat in LMS yet"));
    } else {
      b.append(String.format("%-10s %-40s %.2f s (LMS has EDU as of %s)%n", "end-to-end", "freshness", f.seconds(), f.eduCommittedAt()));
      b.append(String.format("%-10s %-40s %.3f s%n", "end-to-end", "latency of the last heartbeat", f.lastLatencySeconds()));
    }
    return b.toString();
  }

  private static void appendStage(StringBuilder b, String stage, StageLag s) {
    if (s.error() != null) {
      b.append(String.format("%-10s %-40s %s%n", stage, "error", s.error()));
      return;
    }
    if (s.total() == null) {
      b.append(String.format("%-10s %-40s %s%n", stage, "group " + s.group(), "has committed no offsets yet"));
      return;
    }
    b.append(String.format("%-10s %-40s %,d records%n", stage, "consumer lag, group " + s.group(), s.total()));
    List<String> lines = new ArrayList<>();
    s.perTable().forEach((table, lag) -> {
      if (lag > 0) {
        lines.add(String.format("%-10s %-40s %,d%n", "", "  " + table, lag));
      }
    });
    lines.forEach(b::append);
  }
}
