package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.edu2lms.schemas.EduTables;
import org.edu2lms.cli.ops.ConsumerLag;
import org.edu2lms.cli.ops.Reload;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.generator.EduGenerator;
import org.edu2lms.generator.EduSchema;
import org.edu2lms.generator.Profile;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.transform.TransformConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue "Survive crashes" (issue 8), its 13 scenarios in one ordered suite on the real chain: each
 * stage runs as its own process ({@code edu2lms run <stage>}, so a kill is a real SIGKILL), EDU and
 * LMS on two embedded PostgreSQL servers and the Kafka broker in its own JVM (so each can be
 * stopped alone). Faults: stages killed (the capture also during its initial snapshot), Kafka,
 * LMS and EDU stopped and started, big and long transactions, primary-key updates, TRUNCATE,
 * updates during a reload, bad values in every column kind, a column added, offsets wiped and the
 * slot dropped. After each, the invariant of mapping.md holds ({@link LmsMatchesEdu}: the
 * accounting balances, LMS equals an SQL recomputation from EDU, and {@code edu2lms verify}'s
 * reconciliation passes), nothing parked, no delete left waiting. README §Reliability lists each
 * scenario and its guarantee.
 */
@Tag("fault-injection")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionIT {

  @TempDir static Path dir;

  /** EDU and LMS on separate servers, so each can be stopped alone. */
  private static EmbeddedPostgresServer eduServer;
  private static EmbeddedPostgresServer lmsServer;
  /** The broker in its own JVM, so it can be stopped and started again. */
  private static KafkaProcess kafka;
  private static Connection edu;
  private static Connection lms;
  private static Admin admin;
  private static final Map<String, Process> stages = new LinkedHashMap<>();
  /** The EDU tables of the spec (not the capture's heartbeat and signal tables). */
  private static final List<String> EDU_TABLES = EduTables.ALL;

  @BeforeAll
  static void startAndLoad() throws Exception {
    eduServer = EmbeddedPostgresServer.start(dir.resolve("postgres-edu"));
    lmsServer = EmbeddedPostgresServer.start(dir.resolve("postgres-lms"));
    EduSchema.migrate(eduServer.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
    edu = DriverManager.getConnection(eduServer.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
    new EduGenerator(new Profile(0.002), 13).generate(edu, n -> {});
    kafka = KafkaProcess.start(dir.resolve("kafka"));
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    admin = Admin.create(p);
    // The capture starts in the first scenario, which kills it during its initial snapshot.
    for (String stage : List.of("sink", "transform")) {
      launch(stage);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : stages.values()) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : new AutoCloseable[] {admin, lms, edu, kafka, eduServer, lmsServer}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /**
   * As a supervisor would: a stage process that ended during an earlier scenario (which that
   * scenario reported as its failure) is started again, so that one failure does not fail every
   * scenario after it.
   */
  @BeforeEach
  void restartStagesThatEnded() throws Exception {
    for (String stage : List.copyOf(stages.keySet())) {
      if (!stages.get(stage).isAlive()) {
        launch(stage);
      }
    }
  }

  /**
   * How long a stage may be unable to progress before {@code /health/ready} answers 503: short
   * here, so that the outages below show as not ready.
   */
  private static final Duration NOT_READY_AFTER = Duration.ofSeconds(5);

  /** Starts {@code edu2lms run <stage>} as its own JVM; its output is appended to {@code <stage>.log}. */
  private static void launch(String stage) throws Exception {
    stages.put(
        stage,
        Edu2LmsProcess.start(
            dir.resolve(stage + ".log"),
            Map.of("EDU2LMS_HEALTH_NOT_READY_AFTER", NOT_READY_AFTER.toSeconds() + "s"),
            "run", stage, "--bootstrap-servers", kafka.bootstrapServers(), "--edu-url", eduServer.jdbcUrl("edu"),
            "--lms-url", lmsServer.jdbcUrl("lms"), "--edu-user", EmbeddedPostgresServer.USER, "--lms-user", EmbeddedPostgresServer.USER,
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
              lms = DriverManager.getConnection(lmsServer.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "");
            } catch (Exception e) {
              return false;
            }
          }
          return "t".equals(text(edu, "SELECT coalesce(confirmed_flush_lsn >= '" + walNow + "'::pg_lsn, false) FROM pg_replication_slots WHERE slot_name = 'edu2lms'"))
              && ConsumerLag.transformDataLag(admin, TransformConfig.DEFAULT_APPLICATION_ID) == 0
              && ConsumerLag.sinkDataLag(admin, SinkConfig.DEFAULT_GROUP_ID) == 0;
        });
    await("the invariant holds")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          LmsMatchesEdu.balanced(edu, lms);
          assertThat(text(lms, "SELECT count(*) FROM edu2lms.parked")).as("parked: %s", LmsMatchesEdu.parkedSample(lms)).isEqualTo("0");
          assertThat(text(lms, "SELECT count(*) FROM edu2lms.pending_deletes")).isEqualTo("0");
        });
    LmsMatchesEdu.everyTable(edu, lms);
    LmsMatchesEdu.verified(edu, lms);
  }

  /**
   * {@code GET /health/ready} of the stage's current process: its status code and body. The port
   * is the one its last start printed ({@code status page http://127.0.0.1:<port>/}).
   */
  private static HttpResponse<String> ready(String stage) throws Exception {
    Matcher m = Pattern.compile("status page http://127\\.0\\.0\\.1:(\\d+)/").matcher(Files.readString(dir.resolve(stage + ".log")));
    String port = null;
    while (m.find()) {
      port = m.group(1);
    }
    assertThat(port).as("the status page of " + stage).isNotNull();
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until the stage's readiness answers {@code status} with a body containing {@code detail}. */
  private static void awaitReadiness(String stage, int status, String detail) {
    await(stage + " /health/ready " + status + " with \"" + detail + "\"")
        .atMost(NOT_READY_AFTER.plusSeconds(20))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> ready(stage), r -> r.statusCode() == status && r.body().contains(detail));
  }

  /** Every stage process stays alive for the whole outage. */
  private static void everyStageRunsThrough(Duration outage) {
    await("every stage keeps running through the outage")
        .during(outage)
        .atMost(outage.plusSeconds(10))
        .until(() -> stages.values().stream().allMatch(Process::isAlive));
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
  void theCaptureKilledDuringItsInitialSnapshotSnapshotsAgainAndLosesNothing() throws Exception {
    long eduRows = 0;
    for (String t : EDU_TABLES) {
      eduRows += Long.parseLong(text(edu, "SELECT count(*) FROM " + t));
    }
    // Kafka throttles the capture's producer (a client quota), so the snapshot is still running
    // when the first records are in the topics: the kill lands inside it.
    ClientQuotaEntity capture = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, "edu2lms-capture"));
    admin.alterClientQuotas(List.of(new ClientQuotaAlteration(capture, List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 20_000.0)))))
        .all().get();
    launch("capture");
    await("the snapshot's first records in Kafka")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> capturedRows() > 0);
    kill("capture");
    long captured = capturedRows();
    assertThat(captured).as("killed before the snapshot's end").isLessThan(eduRows);
    admin.alterClientQuotas(List.of(new ClientQuotaAlteration(capture, List.of(new ClientQuotaAlteration.Op("producer_byte_rate", null)))))
        .all().get();
    // Rows the partial snapshot published (a snapshot reads in physical order, here id order),
    // deleted before the capture starts again: the new snapshot no longer finds them, and the
    // slot does not stream their deletes to it (it streams from the new snapshot's position).
    try (Statement st = edu.createStatement()) {
      for (String table : List.of("files", "course_meeting_topic_file", "journal_details", "exam_result")) {
        assertThat(st.executeUpdate("DELETE FROM " + table + " WHERE id IN (SELECT id FROM " + table + " ORDER BY id LIMIT 2)")).isEqualTo(2);
      }
      st.executeUpdate("UPDATE persons SET lastname = 'Resnapshot' WHERE id IN (SELECT id FROM persons ORDER BY id LIMIT 3)");
    }
    launch("capture");
    awaitRecovered();
  }

  @Test
  @Order(2)
  void theSinkKilledMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
    survives("sink", 101);
  }

  @Test
  @Order(3)
  void theTransformKilledMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
    survives("transform", 202);
  }

  @Test
  @Order(4)
  void theCaptureKilledMidStreamResumesFromItsSlotAndLosesNothing() throws Exception {
    survives("capture", 303);
  }

  @Test
  @Order(5)
  void theKafkaBrokerStoppedAndRestartedWhileChangesFlowEveryStageWaitsAndCatchesUp() throws Exception {
    RandomChanges changes = new RandomChanges(505);
    changes.apply(edu, 100, Path.of("target", "fault-kafka-1.sql"));
    kafka.stopBroker();
    try {
      changes.apply(edu, 100, Path.of("target", "fault-kafka-2.sql"));
      everyStageRunsThrough(Duration.ofSeconds(20)); // Kafka down
    } finally {
      kafka.startBroker();
    }
    changes.apply(edu, 100, Path.of("target", "fault-kafka-3.sql"));
    awaitRecovered();
  }

  @Test
  @Order(6)
  void lmsStoppedForThirtySecondsDuringALoadTheSinkWaitsAndCatchesUp() throws Exception {
    try (Statement st = edu.createStatement()) {
      // A load: every grade row changes (a mark date each), then LMS goes away mid-way.
      st.executeUpdate("UPDATE journal_details SET lesson_date = to_char(date '2022-03-01' + (id % 60)::int, 'DD/MM/YYYY')");
    }
    await("the sink is writing the load")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Long.parseLong(text(lms, "SELECT count(*) FROM grades WHERE graded_on >= date '2022-03-01'")) > 0);
    awaitReadiness("sink", 200, "\"ready\":true");
    lmsServer.stop();
    try {
      // Retrying LMS for longer than the bound: the sink says so, and the process stays up.
      awaitReadiness("sink", 503, "LMS unavailable, retrying for");
      everyStageRunsThrough(Duration.ofSeconds(20)); // LMS down
    } finally {
      lmsServer.restart();
    }
    lms = reconnect(lms, lmsServer, "lms");
    new RandomChanges(606).apply(edu, 100, Path.of("target", "fault-lms.sql"));
    awaitRecovered();
    awaitReadiness("sink", 200, "writing LMS");
  }

  @Test
  @Order(7)
  void eduStoppedForTwentySecondsWhileChangesFlowTheCaptureReconnectsToItsSlot() throws Exception {
    RandomChanges changes = new RandomChanges(404);
    changes.apply(edu, 100, Path.of("target", "fault-edu-1.sql"));
    eduServer.stop(); // the capture loses its replication connection; the slot stays
    try {
      awaitReadiness("capture", 503, "connection to EDU lost");
      everyStageRunsThrough(Duration.ofSeconds(10));
    } finally {
      eduServer.restart();
    }
    edu = reconnect(edu, eduServer, "edu");
    changes.apply(edu, 100, Path.of("target", "fault-edu-2.sql"));
    awaitRecovered();
    awaitReadiness("capture", 200, "streaming");
  }

  @Test
  @Order(8)
  void aTenThousandChangeTransactionAndALongTransactionOpenAcrossACaptureCrashAllArrive() throws Exception {
    try (Connection longTx = DriverManager.getConnection(eduServer.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
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
  @Order(9)
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
  @Order(10)
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
  @Order(11)
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

  /** A row of {@code table} by position (the n-th smallest id), as an SQL sub-query. */
  private static String nth(String table, int n) {
    return "(SELECT id FROM " + table + " ORDER BY id OFFSET " + n + " LIMIT 1)";
  }

  @Test
  @Order(12)
  void badLegacyValuesInEveryColumnKindEndInLmsOrQuarantineAndThePipelineKeepsRunning() throws Exception {
    String tenKb = "Mövzu: " + "ə".repeat(10_240);
    // A meeting topic with a material in LMS (its text is TOASTed), a person and a course (its
    // subject's label) in LMS, for the spot checks by value.
    String topic = text(edu, "SELECT topic_id FROM course_meeting_topic_file WHERE id = " + text(lms, "SELECT min(legacy_id) FROM course_materials"));
    String person = text(lms, "SELECT max(legacy_id) FROM persons");
    String course = text(lms, "SELECT legacy_id FROM courses ORDER BY legacy_id OFFSET 3 LIMIT 1");
    String subject = text(edu, "SELECT subject_dic_id FROM education_plan_subject WHERE id = " + course);
    String odd = "Ǆemal \uD83C\uDF93 Zoë \u202Eİsmayılov\u200D ﬃ 𝔘𝔫𝔦";
    List<String> bad = List.of(
        // text dates: impossible, zero, empty, blank, garbage, a valid date with a wrong time
        "UPDATE users SET create_date = '31/02/2020' WHERE id = " + nth("users", 1),
        "UPDATE users SET update_date = '00/00/0000 00:00:00' WHERE id = " + nth("users", 2),
        "UPDATE persons SET birthdate = '' WHERE id = " + nth("persons", 1),
        "UPDATE persons SET birthdate = '29/02/2021' WHERE id = " + nth("persons", 2),
        "UPDATE journal_details SET lesson_date = '31/04/2023' WHERE id = " + nth("journal_details", 1),
        "UPDATE exam SET exam_date = '24/12/2023 25:61' WHERE id = " + nth("exam", 1),
        "UPDATE exam_result SET submit_date = '   ' WHERE id = " + nth("exam_result", 1),
        "UPDATE course_meeting_topic SET meeting_date = '9999/99/99' WHERE id = " + nth("course_meeting_topic", 1),
        "UPDATE edu_years SET start_date = '00/00/0000', end_date = 'garbage' WHERE id = " + nth("edu_years", 0),
        "UPDATE journal SET create_date = '01/01/0000' WHERE id = " + nth("journal", 1),
        // empty and blank texts, required and optional
        "UPDATE persons SET firstname = '' WHERE id = " + nth("persons", 3),
        "UPDATE persons SET lastname = '  ' WHERE id = " + nth("persons", 4),
        "UPDATE users SET username = ' ' WHERE id = " + nth("users", 3),
        "UPDATE users SET email = '' WHERE id = " + nth("users", 4),
        "UPDATE files SET original_name = '', path = ' ' WHERE id = " + nth("files", 1),
        "UPDATE organizations SET code = '' WHERE id = " + nth("organizations", 1),
        "UPDATE dictionaries SET name_az = '', name_en = ' ', name_ru = '' WHERE id = " + nth("dictionaries", 1),
        // 10 KB texts
        "UPDATE course_meeting_topic SET topic = '" + tenKb + "' WHERE id = " + topic,
        "UPDATE education_plan SET name = '" + tenKb + "' WHERE id = " + nth("education_plan", 1),
        "UPDATE dictionaries SET name_en = '" + tenKb + "' WHERE id = " + subject,
        // odd Unicode (no NUL: PostgreSQL text cannot hold it)
        "UPDATE persons SET firstname = '" + odd + "', patronymic = '\uD83D\uDC69\u200D\uD83C\uDF93' WHERE id = " + person,
        "UPDATE dictionaries SET name_ru = '" + odd + "' WHERE id = " + nth("dictionaries", 3),
        "UPDATE users SET username = 'ﬃ-用户-\uD83D\uDC69\u200D\uD83C\uDF93' WHERE id = " + nth("users", 5),
        // negative and huge numbers, codes outside their lists
        "UPDATE files SET size = -1 WHERE id = " + nth("files", 2),
        "UPDATE files SET size = 9223372036854775807 WHERE id = " + nth("files", 3),
        "UPDATE education_plan_subject SET credit = -999.9, hours = 2147483647, semester_no = 32767 WHERE id = " + nth("education_plan_subject", 1),
        "UPDATE education_plan_subject SET credit = 999.9, hours = -2147483648, semester_no = -32768 WHERE id = " + nth("education_plan_subject", 2),
        "UPDATE course SET student_limit = -2147483648 WHERE id = " + nth("course", 1),
        "UPDATE students SET admission_year = 2147483647, status = 32767 WHERE id = " + nth("students", 1),
        "UPDATE persons SET gender = -32768 WHERE id = " + nth("persons", 6),
        "UPDATE exam SET max_point = 9999.99, pass_point = -9999.99, duration_min = -1 WHERE id = " + nth("exam", 2),
        "UPDATE exam_result SET point = -9999.99, attempt = 32767, status = -1 WHERE id = " + nth("exam_result", 2),
        "UPDATE journal SET total_point = -999.99, retake = 32767 WHERE id = " + nth("journal", 2),
        "UPDATE journal SET retake = -32768 WHERE id = " + nth("journal", 3),
        "UPDATE journal_details SET point_id_1 = 9223372036854775807, point_id_2 = -1 WHERE id = " + nth("journal_details", 2),
        "UPDATE organizations SET type_id = 0, parent_id = -1 WHERE id = " + nth("organizations", 2),
        "UPDATE course_teacher SET lesson_type = 32767 WHERE id = " + nth("course_teacher", 1),
        "UPDATE teachers SET status = -1 WHERE id = " + nth("teachers", 1),
        "UPDATE points SET value = -999.99 WHERE id = (SELECT min(id) FROM points WHERE value IS NOT NULL)");
    try (Statement st = edu.createStatement()) {
      for (String sql : bad) {
        assertThat(st.executeUpdate(sql)).as(sql).isEqualTo(1);
      }
      // NULL in every nullable column of every EDU table, one row per table.
      for (String table : EDU_TABLES) {
        String nullable = text(edu, "SELECT string_agg(quote_ident(column_name) || ' = NULL', ', ') FROM information_schema.columns"
            + " WHERE table_schema = 'public' AND table_name = '" + table + "' AND is_nullable = 'YES'");
        if (nullable != null) {
          assertThat(st.executeUpdate("UPDATE " + table + " SET " + nullable + " WHERE id = (SELECT id FROM " + table + " ORDER BY id DESC OFFSET 1 LIMIT 1)")).as(table).isEqualTo(1);
        }
      }
    }
    awaitRecovered();
    // Spot checks by value (the whole invariant held above): long and odd texts arrive whole.
    assertThat(text(lms, "SELECT name ->> 'en' FROM courses WHERE legacy_id = " + course)).isEqualTo(tenKb);
    assertThat(text(lms, "SELECT first_name FROM persons WHERE legacy_id = " + person)).isEqualTo(odd);
    assertThat(text(lms, "SELECT count(*) FROM edu2lms.quarantine WHERE source_table = 'persons' AND reason = 'invalid_value:firstname'"))
        .isNotEqualTo("0");
  }

  @Test
  @Order(13)
  void aColumnAddedToAnEduTableWhileStreamingIsIgnoredAndTheSyncContinues() throws Exception {
    String user = text(edu, "SELECT " + nth("users", 9));
    try (Statement st = edu.createStatement()) {
      st.execute("ALTER TABLE users ADD COLUMN nickname varchar(32) DEFAULT 'none'");
      st.executeUpdate("UPDATE users SET nickname = 'nick-' || id, username = 'renamed-' || id WHERE id = " + user);
      st.execute("ALTER TABLE journal_details ADD COLUMN weight numeric(4,2)");
      st.executeUpdate("UPDATE journal_details SET weight = 1.5, lesson_date = '02/02/2022' WHERE id = " + nth("journal_details", 9));
    }
    new RandomChanges(1313).apply(edu, 100, Path.of("target", "fault-column.sql"));
    awaitRecovered();
    assertThat(text(lms, "SELECT username FROM users WHERE legacy_id = " + user)).isEqualTo("renamed-" + user);
  }

  private static long endOffsets(String topic) throws Exception {
    var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> spec = new LinkedHashMap<>();
    partitions.forEach(p -> spec.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
    return admin.listOffsets(spec).all().get().values().stream().mapToLong(i -> i.offset()).sum();
  }

  @Test
  @Order(14)
  void wipedOffsetsOrADroppedSlotStopTheCaptureWithTheRecoveryNamedInsteadOfSkippingChanges() throws Exception {
    Process capture = stages.remove("capture");
    capture.destroy();
    assertThat(capture.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Path offsets = dir.resolve("data-capture").resolve("capture-offsets.dat");
    Path aside = dir.resolve("capture-offsets.aside");
    Files.move(offsets, aside);
    assertThat(runCaptureOnce()).contains("holds no offsets").contains("re-snapshot");
    Files.move(aside, offsets);
    // The slot dropped while the capture streams (an operator ends its connection first: an
    // active slot cannot be dropped).
    Files.deleteIfExists(dir.resolve("capture.log"));
    launch("capture");
    await("the capture streams from its slot")
        .atMost(Duration.ofSeconds(60))
        .until(() -> "t".equals(text(edu, "SELECT active FROM pg_replication_slots WHERE slot_name = 'edu2lms'")));
    await("the slot dropped")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> {
          try (Statement st = edu.createStatement()) {
            st.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'edu2lms' AND active");
            st.execute("SELECT pg_drop_replication_slot('edu2lms')");
          }
          return true;
        });
    Process streaming = stages.remove("capture");
    assertThat(streaming.waitFor(90, TimeUnit.SECONDS)).as("the capture stops by itself").isTrue();
    String out = Files.readString(dir.resolve("capture.log"));
    assertThat(streaming.exitValue()).as(out).isEqualTo(1);
    assertThat(out).contains("replication slot edu2lms does not exist").contains("re-snapshot");
    assertThat(text(edu, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'edu2lms'")).as("no new slot created").isEqualTo("0");
    // Started again with the slot gone: refused at once.
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

  /** A new connection to {@code database} after its server restarted; the old one is closed. */
  private static Connection reconnect(Connection old, EmbeddedPostgresServer server, String database) throws Exception {
    try {
      old.close();
    } catch (Exception e) {
      // broken by the restart
    }
    return DriverManager.getConnection(server.jdbcUrl(database), EmbeddedPostgresServer.USER, "");
  }

  /** Records in the EDU tables' topics (heartbeats not counted); 0 while the capture has created none. */
  private static long capturedRows() throws Exception {
    long sum = 0;
    for (String topic : admin.listTopics().names().get()) {
      if (EDU_TABLES.stream().anyMatch(t -> topic.equals(EduTables.topic(t)))) {
        sum += endOffsets(topic);
      }
    }
    return sum;
  }

  private static String text(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
