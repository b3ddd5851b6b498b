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
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.edu2lms.cli.ops.Accounting;
import org.edu2lms.cli.ops.ConsumerLag;
import org.edu2lms.embedded.EmbeddedKafkaCluster;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.generator.EduGenerator;
import org.edu2lms.generator.EduSchema;
import org.edu2lms.generator.Profile;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.transform.EduToLmsTopology;
import org.edu2lms.transform.TransformConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edu2lms run <stage>}: capture, transform and two sink instances as four separate
 * processes (the program's own main, launched by the test) on embedded PostgreSQL and Kafka with
 * 3 partitions per topic: the initial load balances and matches EDU user by user, a live change
 * arrives, each process stops cleanly on SIGTERM; a bad stage name is a usage error (exit 2).
 */
class RunStagesIT {

  @TempDir static Path dir;

  private static EmbeddedPostgresServer pg;
  private static EmbeddedKafkaCluster kafka;
  private static Connection edu;
  private static Connection lms;
  private static final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    pg = EmbeddedPostgresServer.start(dir.resolve("postgres"));
    EduSchema.migrate(pg.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
    edu = DriverManager.getConnection(pg.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
    new EduGenerator(new Profile(0.002), 7).generate(edu, n -> {});
    kafka = EmbeddedKafkaCluster.start(dir.resolve("kafka"));
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
    Process p = Edu2LmsProcess.start(dir.resolve(name + ".log"), args);
    processes.add(p);
    return p;
  }

  private static String[] stage(String stage, String dataDir) {
    return new String[] {
      "run", stage, "--partitions", "3", "--bootstrap-servers", kafka.bootstrapServers(), "--edu-url", pg.jdbcUrl("edu"), "--lms-url", pg.jdbcUrl("lms"),
      "--edu-user", EmbeddedPostgresServer.USER, "--lms-user", EmbeddedPostgresServer.USER, "--http-port", "0",
      "--data-dir", dir.resolve(dataDir).toString()
    };
  }

  @Test
  void threeStagesAndASecondSinkInFourProcessesLoadBalanceCarryALiveChangeAndStopCleanlyOnSigterm() throws Exception {
    // Two sink instances in one consumer group share the 3 partitions of each lms.* topic.
    Process sink = edu2lms("sink", stage("sink", "data-sink"));
    Process sink2 = edu2lms("sink2", stage("sink", "data-sink2"));
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
            return ConsumerLag.dataTotal(admin, TransformConfig.DEFAULT_APPLICATION_ID) == 0
                && ConsumerLag.dataTotal(admin, SinkConfig.DEFAULT_GROUP_ID) == 0
                && balanced();
          });
      var members = admin.describeConsumerGroups(List.of(SinkConfig.DEFAULT_GROUP_ID)).all().get().get(SinkConfig.DEFAULT_GROUP_ID).members();
      assertThat(members).hasSize(2).allSatisfy(m -> assertThat(m.assignment().topicPartitions()).isNotEmpty());
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
