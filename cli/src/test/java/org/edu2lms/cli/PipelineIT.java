package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.edu2lms.cli.LmsMatchesEdu.rows;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.edu2lms.embedded.EmbeddedKafkaCluster;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.generator.EduGenerator;
import org.edu2lms.generator.EduSchema;
import org.edu2lms.generator.Profile;
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

  private static EmbeddedPostgresServer pg;
  private static EmbeddedKafkaCluster kafka;
  private static Pipeline pipeline;
  private static Connection edu;
  private static Connection lms;

  @BeforeAll
  static void startAndLoad() throws Exception {
    pg = EmbeddedPostgresServer.start(dataDir.resolve("postgres"));
    EduSchema.migrate(pg.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
    edu = DriverManager.getConnection(pg.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
    new EduGenerator(new Profile(0.01), 11).generate(edu, n -> {});
    kafka = EmbeddedKafkaCluster.start(dataDir.resolve("kafka"));
    pipeline = new Pipeline(Pipeline.Settings.embedded(pg.port(), EmbeddedPostgresServer.USER, kafka.bootstrapServers(), dataDir));
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
    LmsMatchesEdu.people(edu, lms);
    LmsMatchesEdu.balanced(edu, lms);
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
    LmsMatchesEdu.people(edu, lms);
    LmsMatchesEdu.gradebook(edu, lms);
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

}
