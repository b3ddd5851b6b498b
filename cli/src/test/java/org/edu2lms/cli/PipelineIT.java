package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.edu2lms.cli.LmsMatchesEdu.rows;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.edu2lms.cli.verify.Verifier;
import org.edu2lms.cli.verify.VerifyReport;
import org.edu2lms.embedded.EmbeddedPostgresServer;
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
 * The real chain — embedded PostgreSQL (edu, lms), embedded Kafka, Debezium, Kafka Streams, the
 * sink — on a small generated EDU database: the initial snapshot lands value by value (compared
 * with an SQL recomputation from EDU that shares no code with the transform), then live changes
 * arrive, and the accounting of mapping.md balances.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {

  @TempDir static Path dataDir;

  private static TestInfrastructure.Postgres pg;
  private static TestInfrastructure.Kafka kafka;
  private static Pipeline pipeline;
  private static Connection edu;
  private static Connection lms;

  @BeforeAll
  static void startAndLoad() throws Exception {
    pg = TestInfrastructure.postgres(dataDir.resolve("postgres"));
    edu = TestInfrastructure.generatedEdu(pg, 0.01, 11);
    kafka = TestInfrastructure.kafka(dataDir.resolve("kafka"));
    Pipeline.Settings embedded = Pipeline.Settings.embedded(pg.host(), pg.port(), EmbeddedPostgresServer.USER, kafka.bootstrapServers(), dataDir);
    TransformConfig t = embedded.transform();
    // The smallest catch-up lag: the initial load certainly switches to catch-up and back, so every
    // test below runs on a transform that has switched its commit interval (README §Two commit intervals).
    TransformConfig transform =
        new TransformConfig(
            t.kafkaBootstrap(), t.applicationId(), t.stateDir(), t.commitIntervalMs(), t.catchUpCommitIntervalMs(),
            TransformConfig.MIN_CATCH_UP_LAG, t.streamThreads(), t.kafkaClient(), t.streams());
    pipeline = new Pipeline(new Pipeline.Settings(embedded.capture(), transform, embedded.sink(), embedded.partitions(), embedded.dataDir()));
    pipeline.start();
    lms = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "");
    pipeline.awaitCaughtUp(Duration.ofMinutes(5), Duration.ofMillis(300));
  }

  @AfterAll
  static void stop() throws Exception {
    if (pipeline != null) {
      pipeline.close();
    }
    if (lms != null) {
      lms.close();
    }
    if (edu != null) {
      edu.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (pg != null) {
      pg.close();
    }
  }


  @Test
  @Order(1)
  void initialSnapshotLandsValueByValue() throws SQLException {
    // The load went through catch-up mode and is counted caught up only back in live mode.
    assertThat(pipeline.transformModeSwitches()).isGreaterThanOrEqualTo(2);
    assertThat(pipeline.transformCommitIntervalMs()).isEqualTo(TransformConfig.DEFAULT_COMMIT_INTERVAL_MS);
    LmsMatchesEdu.everyTable(edu, lms);
    LmsMatchesEdu.balanced(edu, lms);
    LmsMatchesEdu.verified(edu, lms);
  }


  @Test
  @Order(2)
  void enrollmentsGradesStudentsAndTermsMatchAnSqlRecomputation() throws SQLException {
    assertThat(rows(lms, "SELECT academic_year || ' ' || term_type || ' ' || start_date || ' ' || end_date FROM academic_terms"
            + " WHERE academic_year = '2016/2017' ORDER BY start_date"))
        .containsExactly("2016/2017 fall 2016-09-15 2017-01-31", "2016/2017 spring 2017-02-01 2017-06-30", "2016/2017 summer 2017-07-01 2017-08-31");
    LmsMatchesEdu.gradebook(edu, lms);
  }


  @Test
  @Order(3)
  void liveChangesArriveAndTheAccountingStillBalances() throws Exception {
    TransformCommits.Mark commitsAtStart = TransformCommits.mark(pipeline.registry());
    long start = System.nanoTime();
    for (LiveChanges.Step step : LiveChanges.plan(edu)) {
      LiveChanges.apply(edu, step);
      await(step.description())
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> LiveChanges.arrived(lms, step));
    }
    pipeline.awaitCaughtUp(Duration.ofMinutes(2), Duration.ofMillis(300));
    assertThat(rows(lms, LmsMatchesEdu.LMS_USERS).size()).isEqualTo(rows(edu, LmsMatchesEdu.EDU_USERS).size());
    LmsMatchesEdu.balanced(edu, lms);
    // The commit and records-sent figures bench live reports come from Kafka's own meters under these names.
    TransformCommits.Window commits = TransformCommits.since(pipeline.registry(), commitsAtStart, (System.nanoTime() - start) / 1e9);
    assertThat(commits.perSecond()).isPositive();
    assertThat(commits.latencyAvgMs()).isPositive();
    assertThat(commits.latencyMaxMs()).isGreaterThanOrEqualTo(commits.latencyAvgMs());
    assertThat(commits.recordsSentPerSecond()).isPositive();
  }

  @Test
  @Order(4)
  void aSeededRandomStreamOfChangesKeepsTheInvariant() throws Exception {
    int changed = new RandomChanges(2026).apply(edu, 400, Path.of("target", "random-changes.sql"));
    assertThat(changed).isGreaterThan(300);
    pipeline.awaitCaughtUp(Duration.ofMinutes(5), Duration.ofMillis(300));
    // Consumer lag 0 does not cover the sink's timer work: a delete waiting for its references
    // (edu2lms.pending_deletes) or a parked row is retried every sink.parked.retry.interval (5 s).
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> LmsMatchesEdu.balanced(edu, lms));
    LmsMatchesEdu.everyTable(edu, lms);
    // Materials: the topic's text survives updates that do not touch it (unchanged TOAST).
    List<String> eduMaterials =
        rows(
            edu,
            "SELECT f.id, t.course_id, md5(trim(t.topic)), length(trim(t.topic)) FROM course_meeting_topic_file f"
                + " JOIN course_meeting_topic t ON t.id = f.topic_id ORDER BY f.id");
    List<String> lmsMaterials =
        rows(
            lms,
            "SELECT m.legacy_id, o.legacy_id, md5(m.title), length(m.title) FROM course_materials m"
                + " JOIN course_offerings o ON o.id = m.course_offering_id ORDER BY m.legacy_id");
    assertThat(eduMaterials).containsAll(lmsMaterials);
    assertThat(rows(lms, "SELECT count(*) FROM course_materials WHERE title LIKE '%__debezium_unavailable_value%'")).containsExactly("0");
    LmsMatchesEdu.verified(edu, lms);
  }

  @Test
  @Order(5)
  void lmsConstraintsAreOnAndNoReplicaTrickIsUsed() throws SQLException {
    assertThat(rows(lms, "SHOW session_replication_role")).containsExactly("origin");
    assertThat(
            rows(
                lms,
                "SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
                    + " WHERE contype = 'f' AND conrelid::regclass::text IN ('persons', 'organization_units') ORDER BY 1"))
        .containsExactly(
            "organization_units FOREIGN KEY (parent_id) REFERENCES organization_units(id) ON DELETE SET NULL",
            "persons FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE");
    assertThat(rows(lms, "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")).containsExactly("0");
    assertThat(rows(lms, "SELECT count(*) FROM edu2lms.parked"))
        .as("parked rows: %s", LmsMatchesEdu.parkedSample(lms))
        .containsExactly("0");
    // Data-quality notes are recorded for accepted rows: persons with an unparseable birthdate
    // (the profile's ~0.5 %), files whose uploader does not exist (soft reference → NULL).
    assertThat(rows(lms, "SELECT count(*) > 0 FROM edu2lms.data_quality_notes WHERE source_table = 'persons'"
            + " AND 'unparseable_date:birthdate' = ANY (notes)")).containsExactly("t");
    assertThat(rows(lms, "SELECT count(*) FROM edu2lms.data_quality_notes n WHERE source_table = 'files'"
            + " AND 'soft_reference_null:user_id' = ANY (notes)"
            + " AND NOT EXISTS (SELECT 1 FROM file_uploads f WHERE f.legacy_id = n.source_id AND f.uploaded_by IS NULL)"))
        .containsExactly("0");
  }


  @Test
  @Order(6)
  void verifyFindsACorruptedValueADeletedRowAndAnExtraRowEachById() throws Exception {
    String person = rows(lms, "SELECT id || '|' || legacy_id || '|' || first_name FROM persons ORDER BY legacy_id LIMIT 1").get(0);
    String[] p = person.split("\\|");
    String grade =
        rows(lms, "SELECT g.id || '|' || g.legacy_detail_id FROM grades g WHERE NOT EXISTS (SELECT 1 FROM edu2lms.data_quality_notes n"
                + " WHERE n.source_table = 'journal_details' AND n.source_id = g.legacy_detail_id) ORDER BY g.legacy_detail_id, g.component OFFSET 777 LIMIT 1").get(0);
    String[] g = grade.split("\\|");
    String extra = "00000000-0000-4000-8000-000000000001";
    try (var st = lms.createStatement()) {
      st.executeUpdate("UPDATE persons SET first_name = 'Corrupted' WHERE id = '" + p[0] + "'");
      st.executeUpdate("CREATE TEMP TABLE deleted_grade AS SELECT * FROM grades WHERE id = '" + g[0] + "'");
      st.executeUpdate("DELETE FROM grades WHERE id = '" + g[0] + "'");
      st.executeUpdate("INSERT INTO users (id, legacy_id, username, is_active, source_lsn, updated_at) VALUES ('" + extra + "', 987654321, 'intruder', true, 0, now())");
    }
    assertThat(rows(lms, "SELECT count(*) FROM deleted_grade")).containsExactly("1");

    VerifyReport report = new Verifier(edu, lms, 500, c -> {}).run();

    assertThat(report.passed()).isFalse();
    assertThat(report.checks().stream().filter(c -> !c.clean()).map(VerifyReport.Check::name)).containsExactlyInAnyOrder("users", "persons", "grades");
    VerifyReport.Check persons = check(report, "lms", "persons");
    assertThat(persons.differing()).isEqualTo(1);
    assertThat(persons.missing() + persons.extra()).isZero();
    assertThat(persons.samples()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo("differs");
      assertThat(d.key()).isEqualTo(p[0]);
      assertThat(d.legacyId()).isEqualTo(Long.parseLong(p[1]));
      assertThat(d.columns()).containsExactly(new VerifyReport.ColumnDifference("first_name", p[2], "Corrupted"));
    });
    VerifyReport.Check grades = check(report, "lms", "grades");
    assertThat(List.of(grades.missing(), grades.extra(), grades.differing())).containsExactly(1L, 0L, 0L);
    assertThat(grades.samples()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo("missing");
      assertThat(d.key()).isEqualTo(g[0]);
      assertThat(d.legacyId()).isEqualTo(Long.parseLong(g[1]));
    });
    VerifyReport.Check users = check(report, "lms", "users");
    assertThat(List.of(users.missing(), users.extra(), users.differing())).containsExactly(0L, 1L, 0L);
    assertThat(users.samples()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo("extra");
      assertThat(d.key()).isEqualTo(extra);
      assertThat(d.legacyId()).isEqualTo(987654321L);
    });
    long usersInLms = Long.parseLong(rows(lms, "SELECT count(*) FROM users").get(0));
    long usersQuarantined = Long.parseLong(rows(lms, "SELECT count(*) FROM edu2lms.quarantine WHERE source_table = 'users'").get(0));
    assertThat(report.problems())
        .contains("accounting users: " + usersInLms + " in LMS + " + usersQuarantined + " quarantined != " + (usersInLms - 1 + usersQuarantined) + " expected");

    try (var st = lms.createStatement()) {
      st.executeUpdate("UPDATE persons SET first_name = '" + p[2].replace("'", "''") + "' WHERE id = '" + p[0] + "'");
      st.executeUpdate("INSERT INTO grades SELECT * FROM deleted_grade");
      st.executeUpdate("DELETE FROM users WHERE id = '" + extra + "'");
    }
    LmsMatchesEdu.verified(edu, lms);
  }

  @Test
  @Order(7)
  void replayIntoAnEmptyLmsDatabaseReproducesTheLiveOneAndRefusesWhileItsGroupIsActive() throws Exception {
    try (var st = lms.createStatement()) {
      st.execute("CREATE DATABASE lms_replay");
    }
    String url = pg.jdbcUrl("lms_replay");
    StringWriter out = new StringWriter();
    int exit = edu2lms(out, "replay", "--to-empty-lms", "--lms-url", url, "--sink-group", "edu2lms-replay-it");
    assertThat(exit).as(out.toString()).isZero();
    assertThat(out.toString()).containsPattern("replayed [0-9,]+ offsets of 17 topics into " + url + " in [0-9.]+ s: [0-9,]+ rows upserted, [0-9,]+ deleted, 0 parked");
    try (Connection replayed = DriverManager.getConnection(url, EmbeddedPostgresServer.USER, "")) {
      LmsMatchesEdu.verified(edu, replayed);
      assertThat(rows(replayed, "SELECT count(*) FROM grades")).isEqualTo(rows(lms, "SELECT count(*) FROM grades"));
    }

    StringWriter again = new StringWriter();
    assertThat(edu2lms(again, "replay", "--to-empty-lms", "--lms-url", url, "--sink-group", "edu2lms-replay-it2")).isEqualTo(1);
    assertThat(again.toString()).contains("--to-empty-lms: LMS is not empty (public.users, ");
    StringWriter live = new StringWriter();
    assertThat(edu2lms(live, "replay", "--sink-group", SinkConfig.DEFAULT_GROUP_ID)).isEqualTo(1);
    assertThat(live.toString()).contains("the consumer group edu2lms-sink has 1 active member(s)").contains("stop the sink first");
  }

  @Test
  @Order(8)
  void reloadReEmitsExactlyTheRequestedRowsAndLeavesLmsUnchanged() throws Exception {
    pipeline.awaitCaughtUp(Duration.ofMinutes(2), Duration.ofMillis(300));
    String usersContent =
        "SELECT md5(string_agg(concat_ws('|', id, legacy_id, username, email, legacy_email, password_hash, is_active, registered_at), ',' ORDER BY id)) FROM users";
    String lmsBefore = rows(lms, usersContent).get(0);
    long users = Long.parseLong(rows(edu, "SELECT count(*) FROM users").get(0));
    String signals = "SELECT count(*) FROM edu2lms_signal WHERE type = 'execute-snapshot'";

    // Bad requests are usage errors and send nothing.
    StringWriter bad = new StringWriter();
    assertThat(edu2lms(bad, "reload", "--table", "nonsense")).isEqualTo(2);
    assertThat(bad.toString()).contains("unknown EDU table 'nonsense'; the tables are: ").contains("journal_details");
    StringWriter badWhere = new StringWriter();
    assertThat(edu2lms(badWhere, "reload", "--table", "users", "--where", "no_such_column = 1")).isEqualTo(2);
    assertThat(badWhere.toString()).contains("--where is not a valid condition on users: ").contains("no_such_column");
    assertThat(rows(edu, signals)).containsExactly("0");

    long some10 = Long.parseLong(rows(edu, "SELECT count(*) FROM users WHERE id <= 10").get(0));
    assertThat(some10).isPositive();
    long before = endOffsets("edu.public.users");
    StringWriter some = new StringWriter();
    assertThat(edu2lms(some, "reload", "--table", "users", "--where", "id <= 10")).as(some.toString()).isZero();
    assertThat(some.toString()).contains("reload of users WHERE id <= 10 requested (" + some10 + " rows now)");
    await("the users with id <= 10 re-read").atMost(Duration.ofSeconds(60)).until(() -> endOffsets("edu.public.users") == before + some10);

    StringWriter all = new StringWriter();
    assertThat(edu2lms(all, "reload", "--table", "users")).as(all.toString()).isZero();
    await("every user re-read").atMost(Duration.ofSeconds(60)).until(() -> endOffsets("edu.public.users") == before + some10 + users);
    assertThat(rows(edu, signals)).containsExactly("2");
    pipeline.awaitCaughtUp(Duration.ofMinutes(2), Duration.ofMillis(300));
    assertThat(endOffsets("edu.public.users")).isEqualTo(before + some10 + users);
    assertThat(rows(lms, usersContent)).containsExactly(lmsBefore);
    LmsMatchesEdu.verified(edu, lms);
  }

  private static long endOffsets(String topic) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(java.util.Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
      java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> spec = new java.util.HashMap<>();
      partitions.forEach(p -> spec.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
      return admin.listOffsets(spec).all().get().values().stream().mapToLong(i -> i.offset()).sum();
    }
  }

  /** {@code edu2lms <args>} in-process against the test's servers; output and errors go to {@code out}. */
  private static int edu2lms(StringWriter out, String command, String... args) {
    picocli.CommandLine cli = new picocli.CommandLine(new Edu2LmsCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    cli.setExecutionExceptionHandler((e, c, r) -> {
      out.write(e.getMessage());
      return 1;
    });
    List<String> all = new java.util.ArrayList<>(List.of(command, "--bootstrap-servers", kafka.bootstrapServers(), "--edu-url", pg.jdbcUrl("edu"),
        "--edu-user", EmbeddedPostgresServer.USER, "--lms-user", EmbeddedPostgresServer.USER));
    all.addAll(List.of(args));
    if (!all.contains("--lms-url")) {
      all.addAll(List.of("--lms-url", pg.jdbcUrl("lms")));
    }
    return cli.execute(all.toArray(String[]::new));
  }

  private static VerifyReport.Check check(VerifyReport report, String kind, String name) {
    return report.checks().stream().filter(c -> c.kind().equals(kind) && c.name().equals(name)).findFirst().orElseThrow();
  }
}
