package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.edu2lms.cli.ops.ConsumerLag;
import org.edu2lms.cli.ops.Reload;
import org.edu2lms.embedded.EmbeddedKafkaCluster;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.generator.EduGenerator;
import org.edu2lms.generator.EduSchema;
import org.edu2lms.generator.Profile;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.transform.TransformConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue "Survive crashes" (first scenarios): each stage, run as its own process ({@code edu2lms
 * run <stage>}), is killed with SIGKILL (no clean shutdown) while a seeded random stream of
 * changes flows, more changes arrive while it is down, then it is started again; after recovery
 * the invariant of mapping.md holds ({@link LmsMatchesEdu}: the accounting balances and LMS
 * equals an SQL recomputation from EDU), nothing parked, no delete left waiting.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionIT {

  @TempDir static Path dir;

  private static EmbeddedPostgresServer pg;
  private static EmbeddedKafkaCluster kafka;
  private static Connection edu;
  private static Connection lms;
  private static Admin admin;
  private static final Map<String, Process> stages = new LinkedHashMap<>();

  @BeforeAll
  static void startAndLoad() throws Exception {
    pg = EmbeddedPostgresServer.start(dir.resolve("postgres"));
    EduSchema.migrate(pg.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
    edu = DriverManager.getConnection(pg.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
    new EduGenerator(new Profile(0.002), 13).generate(edu, n -> {});
    kafka = EmbeddedKafkaCluster.start(dir.resolve("kafka"));
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    admin = Admin.create(p);
    for (String stage : List.of("sink", "transform", "capture")) {
      launch(stage);
    }
    awaitRecovered();
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : stages.values()) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : new AutoCloseable[] {admin, lms, edu, kafka, pg}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /** Starts {@code edu2lms run <stage>} as its own JVM; its output is appended to {@code <stage>.log}. */
  private static void launch(String stage) throws Exception {
    stages.put(
        stage,
        Edu2LmsProcess.start(
            dir.resolve(stage + ".log"),
            "run", stage, "--bootstrap-servers", kafka.bootstrapServers(), "--edu-url", pg.jdbcUrl("edu"),
            "--lms-url", pg.jdbcUrl("lms"), "--edu-user", EmbeddedPostgresServer.USER, "--lms-user", EmbeddedPostgresServer.USER,
            "--http-port", "0", "--data-dir", dir.resolve("data-" + stage).toString()));
  }

  /** SIGKILL: the stage gets no chance to flush, commit or close anything. */
  private static void kill(String stage) throws Exception {
    Process p = stages.get(stage);
    p.destroyForcibly();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(137);
  }

  /**
   * Waits until every stage runs, the capture has confirmed the WAL written so far, both consumer
   * groups have no lag on legacy data, nothing is parked or waiting, and the invariant holds.
   */
  private static void awaitRecovered() throws Exception {
    String walNow = text(edu, "SELECT pg_current_wal_lsn()::text");
    await("caught up after the fault")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> {
          for (Map.Entry<String, Process> s : stages.entrySet()) {
            if (!s.getValue().isAlive()) {
              throw new AssertionError("edu2lms run " + s.getKey() + " exited with " + s.getValue().exitValue() + ": "
                  + Files.readString(dir.resolve(s.getKey() + ".log")));
            }
          }
          if (lms == null) {
            try {
              lms = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "");
            } catch (Exception e) {
              return false;
            }
          }
          return "t".equals(text(edu, "SELECT coalesce(confirmed_flush_lsn >= '" + walNow + "'::pg_lsn, false) FROM pg_replication_slots WHERE slot_name = 'edu2lms'"))
              && ConsumerLag.dataTotal(admin, TransformConfig.DEFAULT_APPLICATION_ID) == 0
              && ConsumerLag.dataTotal(admin, SinkConfig.DEFAULT_GROUP_ID) == 0;
        });
    await("the invariant holds")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          LmsMatchesEdu.balanced(edu, lms);
          assertThat(text(lms, "SELECT count(*) FROM edu2lms.parked")).as("parked: %s", LmsMatchesEdu.parkedSample(lms)).isEqualTo("0");
          assertThat(text(lms, "SELECT count(*) FROM edu2lms.pending_deletes")).isEqualTo("0");
        });
    LmsMatchesEdu.people(edu, lms);
    LmsMatchesEdu.gradebook(edu, lms);
    LmsMatchesEdu.verified(edu, lms);
  }

  /** Half the changes, the fault, the other half while the stage is down, the restart, recovery. */
  private static void survives(String stage, long seed) throws Exception {
    RandomChanges changes = new RandomChanges(seed);
    changes.apply(edu, 120, Path.of("target", "fault-" + stage + "-1.sql"));
    kill(stage);
    changes.apply(edu, 120, Path.of("target", "fault-" + stage + "-2.sql"));
    launch(stage);
    awaitRecovered();
  }

  @Test
  @Order(1)
  void theSinkKilledMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
    survives("sink", 101);
  }

  @Test
  @Order(2)
  void theTransformKilledMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
    survives("transform", 202);
  }

  @Test
  @Order(3)
  void theCaptureKilledMidStreamResumesFromItsSlotAndLosesNothing() throws Exception {
    survives("capture", 303);
  }

  @Test
  @Order(4)
  void postgresqlStoppedForTwentySecondsWhileChangesFlowEveryStageWaitsAndCatchesUp() throws Exception {
    RandomChanges changes = new RandomChanges(404);
    changes.apply(edu, 100, Path.of("target", "fault-postgres-1.sql"));
    pg.stop(); // EDU and LMS: the capture loses its replication connection, the sink its LMS
    await("every stage keeps running through the outage")
        .during(Duration.ofSeconds(20))
        .atMost(Duration.ofSeconds(30))
        .until(() -> stages.values().stream().allMatch(Process::isAlive));
    pg.restart();
    reconnect();
    changes.apply(edu, 100, Path.of("target", "fault-postgres-2.sql"));
    awaitRecovered();
  }

  @Test
  @Order(5)
  void aTenThousandChangeTransactionAndALongTransactionOpenAcrossACaptureCrashAllArrive() throws Exception {
    try (Connection longTx = DriverManager.getConnection(pg.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
        Statement lt = longTx.createStatement();
        Statement st = edu.createStatement()) {
      longTx.setAutoCommit(false);
      lt.executeUpdate("UPDATE users SET username = 'long-' || id WHERE id IN (SELECT id FROM users WHERE trim(username) <> '' ORDER BY id LIMIT 3)");
      edu.setAutoCommit(false);
      int events = 0;
      for (int round = 0; events < 10_000; round++) {
        events += st.executeUpdate("UPDATE journal SET total_point = total_point + 0.25");
      }
      edu.commit();
      edu.setAutoCommit(true);
      kill("capture");
      launch("capture");
      longTx.commit();
    }
    awaitRecovered();
    assertThat(text(lms, "SELECT count(*) FROM users WHERE username LIKE 'long-%'")).isEqualTo("3");
  }

  @Test
  @Order(6)
  void primaryKeyUpdatesThenATransformCrashLeaveTheNewRowsAndNotTheOld() throws Exception {
    String user = text(edu, "SELECT min(id) FROM users WHERE trim(username) <> ''");
    try (Statement st = edu.createStatement()) {
      st.executeUpdate("UPDATE users SET id = id + 100000 WHERE id = " + user);
      st.executeUpdate("UPDATE journal SET id = id + 1000000 WHERE id IN (SELECT id FROM journal ORDER BY id LIMIT 5)");
    }
    kill("transform");
    launch("transform");
    awaitRecovered();
    assertThat(text(lms, "SELECT count(*) FROM users WHERE legacy_id = " + user)).isEqualTo("0");
    assertThat(text(lms, "SELECT count(*) FROM users WHERE legacy_id = " + user + " + 100000")).isEqualTo("1");
  }

  @Test
  @Order(7)
  void truncatedTablesLeaveLmsAsTheMappingSaysTheirDependentsQuarantined() throws Exception {
    long keptFiles;
    try (Statement st = edu.createStatement()) {
      edu.setAutoCommit(false);
      // A table emptied and half refilled in one transaction, another emptied and refilled later.
      st.execute("CREATE TEMP TABLE keep_results AS SELECT * FROM exam_result WHERE id % 2 = 0");
      st.execute("TRUNCATE exam_result");
      st.execute("INSERT INTO exam_result SELECT * FROM keep_results");
      edu.commit();
      st.execute("CREATE TEMP TABLE keep_files AS SELECT * FROM files WHERE id % 3 = 0");
      st.execute("TRUNCATE files");
      edu.commit();
      keptFiles = st.executeUpdate("INSERT INTO files SELECT * FROM keep_files");
      edu.commit();
      edu.setAutoCommit(true);
    }
    awaitRecovered();
    // The truncated rows are gone from LMS, the kept ones are there (the accounting above balanced).
    assertThat(text(lms, "SELECT count(*) FROM assessment_submissions WHERE legacy_id % 2 <> 0")).isEqualTo("0");
    assertThat(text(lms, "SELECT count(*) > 0 FROM assessment_submissions")).isEqualTo("t");
    assertThat(text(lms, "SELECT count(*) FROM file_uploads WHERE legacy_id % 3 <> 0")).isEqualTo("0");
    assertThat(keptFiles).isPositive();
    assertThat(text(lms, "SELECT count(*) > 0 FROM edu2lms.quarantine WHERE source_table = 'course_meeting_topic_file' AND reason = 'missing_parent:files'"))
        .isEqualTo("t");
  }

  @Test
  @Order(8)
  void rowsUpdatedWhileAReloadReadsTheirTableKeepTheirNewerValues() throws Exception {
    long rows = Long.parseLong(text(edu, "SELECT count(*) FROM journal_details"));
    long before = endOffsets("edu.public.journal_details");
    Reload.request(edu, "journal_details", null);
    int updated = 0;
    try (Statement st = edu.createStatement()) {
      // Updates of the table being re-read, in small transactions while its chunks are read: a
      // chunk's read of a row must not overwrite a newer streamed value (Debezium's watermarks;
      // and downstream the sink's position guard).
      for (int round = 0; round < 30; round++) {
        updated += st.executeUpdate(
            "UPDATE journal_details SET lesson_date = to_char(date '2021-01-01' + " + round + ", 'DD/MM/YYYY')"
                + " WHERE id IN (SELECT id FROM journal_details ORDER BY md5(id::text || " + round + ") LIMIT 7)");
      }
    }
    assertThat(updated).isEqualTo(30 * 7);
    // Debezium drops a chunk's read of a row streamed during that chunk's window, so the topic
    // grows by between rows and rows + updated; every chunk (1024 rows) closes its window with a
    // row in the signal table.
    long chunks = (rows + 1023) / 1024;
    await("the reload re-read every journal_details chunk")
        .atMost(Duration.ofSeconds(120))
        .until(() -> Long.parseLong(text(edu, "SELECT count(*) FROM edu2lms_signal WHERE type = 'snapshot-window-close'")) >= chunks
            && endOffsets("edu.public.journal_details") >= before + rows);
    awaitRecovered();
    String lastRound = text(edu, "SELECT string_agg(id::text, ',') FROM journal_details WHERE lesson_date = '30/01/2021'");
    assertThat(lastRound).isNotNull();
    assertThat(text(lms, "SELECT count(*) FROM grades WHERE legacy_detail_id IN (" + lastRound + ") AND graded_on IS DISTINCT FROM date '2021-01-30'"))
        .isEqualTo("0");
  }

  private static long endOffsets(String topic) throws Exception {
    var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> spec = new LinkedHashMap<>();
    partitions.forEach(p -> spec.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
    return admin.listOffsets(spec).all().get().values().stream().mapToLong(i -> i.offset()).sum();
  }

  @Test
  @Order(9)
  void wipedOffsetsOrADroppedSlotStopTheCaptureWithTheRecoveryNamedInsteadOfSkippingChanges() throws Exception {
    Process capture = stages.remove("capture");
    capture.destroy();
    assertThat(capture.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Path offsets = dir.resolve("data-capture").resolve("capture-offsets.dat");
    Path aside = dir.resolve("capture-offsets.aside");
    Files.move(offsets, aside);
    assertThat(runCaptureOnce()).contains("holds no offsets").contains("re-snapshot");
    Files.move(aside, offsets);
    try (Statement st = edu.createStatement()) {
      st.execute("SELECT pg_drop_replication_slot('edu2lms')");
    }
    assertThat(runCaptureOnce()).contains("replication slot edu2lms does not exist").contains("re-snapshot");
  }

  /** Starts the capture, expects it to stop by itself with exit code 1; returns what it printed. */
  private static String runCaptureOnce() throws Exception {
    Files.deleteIfExists(dir.resolve("capture.log"));
    launch("capture");
    Process p = stages.remove("capture");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the capture stops by itself").isTrue();
    String out = Files.readString(dir.resolve("capture.log"));
    assertThat(p.exitValue()).as(out).isEqualTo(1);
    return out;
  }

  /** New EDU and LMS connections after a PostgreSQL restart. */
  private static void reconnect() throws Exception {
    for (Connection c : new Connection[] {edu, lms}) {
      try {
        c.close();
      } catch (Exception e) {
        // broken by the restart
      }
    }
    edu = DriverManager.getConnection(pg.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
    lms = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "");
  }

  private static String text(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
