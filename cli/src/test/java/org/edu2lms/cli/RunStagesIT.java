package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.edu2lms.cli.ops.Accounting;
import org.edu2lms.cli.ops.ConsumerLag;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.transform.EduToLmsTopology;
import org.edu2lms.transform.TransformConfig;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edu2lms run <stage>}: capture, transform and two sink instances as four separate
 * processes (the program's own main, launched by the test) on embedded PostgreSQL and Kafka with
 * 3 partitions per topic, with the least-privilege roles of {@code edu2lms setup} (issue 7): the
 * initial load balances and matches EDU user by user, a live change arrives, each process stops
 * cleanly on SIGTERM; configuration from a YAML file, from {@code EDU2LMS_*} variables with a
 * {@code _FILE} secret, and from options; a role without a right stops its stage naming the right;
 * a bad stage name or configuration key is a usage error (exit 2).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunStagesIT {

  @TempDir static Path dir;

  private static TestInfrastructure.Postgres pg;
  private static TestInfrastructure.Kafka kafka;
  private static Connection edu;
  private static Connection lms;
  private static final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    pg = TestInfrastructure.postgres(dir.resolve("postgres"));
    edu = TestInfrastructure.generatedEdu(pg, 0.002, 7);
    kafka = TestInfrastructure.kafka(dir.resolve("kafka"));
    // The administrator's one step: the two least-privilege roles, with passwords from files.
    Files.writeString(dir.resolve("capture_password"), "capture-secret\n");
    Files.writeString(dir.resolve("sink_password"), "sink-secret\n");
    assertThat(setup("edu", pg.jdbcUrl("edu"), dir.resolve("capture_password"))).isEqualTo(0);
    assertThat(setup("lms", pg.jdbcUrl("lms"), dir.resolve("sink_password"))).isEqualTo(0);
    // The stages' configuration: a YAML file for three of them, only the environment for sink2.
    TestInfrastructure.stageConfig(dir.resolve("edu2lms.yaml"), pg, kafka, "edu2lms_capture", "edu2lms_sink");
  }

  /** {@code edu2lms setup <db>} in this JVM, as the embedded superuser. */
  private static int setup(String db, String url, Path rolePassword) {
    return new CommandLine(new Edu2LmsCommand())
        .execute("setup", db, "--url", url, "--user", EmbeddedPostgresServer.USER, "--role-password-file", rolePassword.toString());
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (AutoCloseable c : new AutoCloseable[] {lms, edu, kafka, pg}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /** Launches {@code edu2lms <args>} as its own JVM, output to a file under the test folder. */
  private static Process edu2lms(String name, String... args) throws Exception {
    return edu2lms(name, Map.of(), args);
  }

  /** As {@link #edu2lms(String, String...)} with these environment variables. */
  private static Process edu2lms(String name, Map<String, String> env, String... args) throws Exception {
    Process p = Edu2LmsProcess.start(dir.resolve(name + ".log"), env, args);
    processes.add(p);
    return p;
  }

  /**
   * Runs {@code edu2lms run <stage>} as {@code name} and expects it to stop by itself with exit code
   * 1 (a stage that cannot start).
   *
   * @return its output
   */
  private static String stageFails(String stage, String name) throws Exception {
    Process p = edu2lms(name, stage(stage, "data-" + name));
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as(name + " stops by itself").isTrue();
    assertThat(p.exitValue()).as(name + " exit code").isEqualTo(1);
    return Files.readString(dir.resolve(name + ".log"));
  }

  /** A superuser connection to LMS (the test's own, opened once). */
  private static Connection lms0() throws SQLException {
    if (lms == null) {
      lms = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "");
    }
    return lms;
  }

  private static String[] stage(String stage, String dataDir) {
    return new String[] {"run", stage, "--config", dir.resolve("edu2lms.yaml").toString(), "--data-dir", dir.resolve(dataDir).toString()};
  }

  /** The same settings as edu2lms.yaml, as environment variables, the password from a file. */
  private static Map<String, String> stageEnvironment(String dataDir) {
    return Map.of(
        "EDU2LMS_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "EDU2LMS_TOPICS_PARTITIONS", "3",
        "EDU2LMS_HTTP_PORT", "0",
        "EDU2LMS_DATA_DIR", dir.resolve(dataDir).toString(),
        "EDU2LMS_CAPTURE_EDU_PORT", Integer.toString(pg.port()),
        "EDU2LMS_CAPTURE_EDU_USER", "edu2lms_capture",
        "EDU2LMS_SINK_LMS_URL", pg.jdbcUrl("lms"),
        "EDU2LMS_SINK_LMS_USER", "edu2lms_sink",
        "EDU2LMS_SINK_LMS_PASSWORD_FILE", dir.resolve("sink_password").toString());
  }

  @Test
  @Order(1)
  void threeStagesAndASecondSinkInFourProcessesLoadBalanceCarryALiveChangeAndStopCleanlyOnSigterm() throws Exception {
    // Two sink instances in one consumer group share the 3 partitions of each lms.* topic.
    Process sink = edu2lms("sink", stage("sink", "data-sink"));
    Process sink2 = edu2lms("sink2", stageEnvironment("data-sink2"), "run", "sink");
    Process transform = edu2lms("transform", stage("transform", "data-transform"));
    Process capture = edu2lms("capture", stage("capture", "data-capture"));
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      await("the three processes load LMS")
          .atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> {
            for (String name : List.of("sink", "sink2", "transform", "capture")) {
              Process proc = switch (name) {
                case "sink" -> sink;
                case "sink2" -> sink2;
                case "transform" -> transform;
                default -> capture;
              };
              if (!proc.isAlive()) {
                throw new AssertionError("edu2lms run " + name + " exited with " + proc.exitValue() + ": " + Files.readString(dir.resolve(name + ".log")));
              }
            }
            if (lms == null) {
              try {
                lms = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "");
              } catch (Exception e) {
                return false;
              }
            }
            return ConsumerLag.transformDataLag(admin, TransformConfig.DEFAULT_APPLICATION_ID) == 0
                && ConsumerLag.sinkDataLag(admin, SinkConfig.DEFAULT_GROUP_ID) == 0
                && balanced();
          });
      var members = admin.describeConsumerGroups(List.of(SinkConfig.DEFAULT_GROUP_ID)).all().get().get(SinkConfig.DEFAULT_GROUP_ID).members();
      assertThat(members).hasSize(2).allSatisfy(m -> assertThat(m.assignment().topicPartitions()).isNotEmpty());
    }
    // The stages ran as the least-privilege roles: the slot's walsender and the sinks' sessions.
    assertThat(rows(edu, "SELECT a.usename FROM pg_replication_slots s JOIN pg_stat_activity a ON a.pid = s.active_pid WHERE s.slot_name = 'edu2lms'"))
        .containsExactly("edu2lms_capture");
    assertThat(rows(edu, "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'lms' AND application_name = 'edu2lms-sink'"))
        .containsExactly("edu2lms_sink");
    assertThat(rows(edu, "SELECT rolname || ' ' || rolsuper || ' ' || rolcreatedb || ' ' || rolcreaterole || ' ' || rolreplication FROM pg_roles"
            + " WHERE rolname LIKE 'edu2lms%' ORDER BY rolname"))
        .containsExactly("edu2lms_capture false false false true", "edu2lms_sink false false false false");
    // The sink applied no migration (setup did, as the owner) and may not run DDL.
    assertThat(rows(lms0(), "SELECT DISTINCT installed_by FROM edu2lms_lms_schema_history")).containsExactly(EmbeddedPostgresServer.USER);
    try (Connection asSink = DriverManager.getConnection(pg.jdbcUrl("lms"), "edu2lms_sink", "sink-secret");
        Statement st = asSink.createStatement()) {
      for (String ddl : List.of("CREATE TABLE public.not_allowed (i int)", "CREATE TABLE edu2lms.not_allowed (i int)", "ALTER TABLE public.users ADD COLUMN x int", "DROP TABLE public.grades")) {
        assertThatThrownBy(() -> st.execute(ddl)).as(ddl).isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("42501");
      }
    }
    assertThat(rows(lms, "SELECT legacy_id || ' ' || username FROM users ORDER BY legacy_id"))
        .isEqualTo(rows(edu, "SELECT id || ' ' || trim(username) FROM users WHERE trim(username) <> '' ORDER BY id"));
    // Two sinks in one group give the same LMS as one: verify recomputes every table.
    LmsMatchesEdu.verified(edu, lms);
    try (Statement st = edu.createStatement()) {
      st.executeUpdate("UPDATE users SET username = 'run-stages' WHERE id = (SELECT min(id) FROM users WHERE trim(username) <> '')");
    }
    await("a live change crosses the three processes")
        .atMost(Duration.ofSeconds(60))
        .until(() -> count("SELECT count(*) FROM users WHERE username = 'run-stages'") == 1);

    for (Process proc : List.of(capture, transform, sink, sink2)) {
      proc.destroy(); // SIGTERM
      assertThat(proc.waitFor(60, TimeUnit.SECONDS)).as("stops within 60 s").isTrue();
      assertThat(proc.exitValue()).as("exit code after SIGTERM").isEqualTo(143);
    }
    assertThat(Files.readString(dir.resolve("sink.log"))).contains("edu2lms run sink: started; status page http://127.0.0.1:");
    // A clean stop keeps the replication slot and the capture's offsets for the next start.
    assertThat(count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'edu2lms'", edu)).isEqualTo(1);
    assertThat(dir.resolve("data-capture").resolve("capture-offsets.dat")).exists();
  }

  @Test
  @Order(2)
  void aRoleWithoutARightStopsItsStageNamingTheRight() throws Exception {
    try (Statement st = edu.createStatement()) {
      st.execute("REVOKE SELECT ON public.exam_result FROM edu2lms_capture");
    }
    assertThat(stageFails("capture", "capture-no-select"))
        .contains("the EDU role edu2lms_capture (capture.edu.user, jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/edu?sslmode=prefer) lacks: SELECT on public.exam_result.")
        .contains("Run `edu2lms setup edu`");
    try (Statement st = edu.createStatement()) {
      st.execute("GRANT SELECT ON public.exam_result TO edu2lms_capture");
    }

    try (Statement st = lms0().createStatement()) {
      st.execute("REVOKE DELETE ON public.grades FROM edu2lms_sink");
      st.execute("REVOKE TEMPORARY ON DATABASE lms FROM edu2lms_sink, PUBLIC");
    }
    assertThat(stageFails("sink", "sink-no-delete"))
        .contains("sink.lms.user lacks: DELETE on public.grades, TEMPORARY on the database (the staging tables).")
        .contains("Run `edu2lms setup lms`");
    try (Statement st = lms0().createStatement()) {
      st.execute("GRANT DELETE ON public.grades TO edu2lms_sink");
      st.execute("GRANT TEMPORARY ON DATABASE lms TO edu2lms_sink, PUBLIC");
      // A migration pending (its history row removed) cannot be applied by the sink's role.
      st.execute("CREATE TABLE public.history_backup AS SELECT * FROM edu2lms_lms_schema_history WHERE version = '7'");
      st.execute("DELETE FROM edu2lms_lms_schema_history WHERE version = '7'");
    }
    assertThat(stageFails("sink", "sink-pending"))
        .contains("the LMS schema needs migrations (V7 verify runs and acks) that sink.lms.user edu2lms_sink may not apply");
    try (Statement st = lms0().createStatement()) {
      st.execute("INSERT INTO edu2lms_lms_schema_history SELECT * FROM public.history_backup");
      st.execute("DROP TABLE public.history_backup");
    }
  }

  @Test
  @Order(3)
  void anUnknownConfigurationKeyIsAUsageErrorNamingTheKey() throws Exception {
    Files.writeString(dir.resolve("typo.properties"), "sink.lms.urll=jdbc:postgresql://lms/lms\n");
    Process p = edu2lms("typo", "run", "sink", "--config", dir.resolve("typo.properties").toString());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("typo.log")))
        .contains("invalid configuration: unknown configuration key sink.lms.urll in " + dir.resolve("typo.properties"));
  }

  @Test
  @Order(4)
  void anUnknownStageIsAUsageError() throws Exception {
    Process p = edu2lms("bad", "run", "nonsense");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("bad.log"))).contains("nonsense").contains("Usage: edu2lms run");
  }

  private static boolean balanced() throws Exception {
    List<Accounting.Row> rows = Accounting.compute(edu, lms, Set.copyOf(EduToLmsTopology.OUTPUT_TABLES));
    return rows.stream().filter(Accounting.Row::built).allMatch(Accounting.Row::balanced);
  }

  private static List<String> rows(Connection c, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static long count(String sql) throws Exception {
    return count(sql, lms);
  }

  private static long count(String sql, Connection c) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
