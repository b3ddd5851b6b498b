package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.edu2lms.cli.ops.ConsumerLag;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.transform.TransformConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three-process deployment ({@code edu2lms run capture|transform|sink}, 3 partitions per
 * topic) under a steady random workload, its stages killed with SIGKILL again and again and
 * restarted by the test as a supervisor would: each stage several times, twice in a row on the
 * same stage, and while another stage is still recovering. Afterwards LMS must be the mapping of
 * EDU (the SQL recomputations and the {@code verify} comparison), nothing parked, and no stage
 * process may have ended by itself (docs/operations.md §Restarts).
 */
@Tag("fault-injection")
class CrashLoopIT {

  private static final Logger LOG = LoggerFactory.getLogger(CrashLoopIT.class);

  private enum Stage {
    CAPTURE, TRANSFORM, SINK;

    String arg() {
      return name().toLowerCase();
    }
  }

  /**
   * One kill: SIGKILL the stage, start it again after {@code restartAfter}, then wait {@code
   * thenWait} before the next kill (short waits kill the next stage while this one recovers).
   */
  private record Kill(Stage stage, Duration restartAfter, Duration thenWait) {}

  private static final Duration RESTART = Duration.ofSeconds(2);

  private static final List<Kill> PLAN =
      List.of(
          kill(Stage.TRANSFORM, 10),
          kill(Stage.CAPTURE, 10),
          kill(Stage.SINK, 10),
          // the transform twice in a row, the second time while it is still recovering
          kill(Stage.TRANSFORM, 1),
          kill(Stage.TRANSFORM, 10),
          // the sink, the capture and the transform each while the one before recovers
          kill(Stage.SINK, 1),
          kill(Stage.CAPTURE, 1),
          kill(Stage.TRANSFORM, 10),
          // the capture twice in a row
          kill(Stage.CAPTURE, 3),
          kill(Stage.CAPTURE, 10),
          // the sink twice in a row
          kill(Stage.SINK, 2),
          kill(Stage.SINK, 10),
          kill(Stage.TRANSFORM, 2),
          kill(Stage.SINK, 10));

  @TempDir static Path dir;

  private static TestInfrastructure.Postgres pg;
  private static TestInfrastructure.Kafka kafka;
  private static Connection edu;
  private static Connection lms;
  private static Admin admin;
  private static final Map<Stage, Process> running = new EnumMap<>(Stage.class);
  private static final List<Process> all = new ArrayList<>();
  private static final AtomicInteger launches = new AtomicInteger();

  private static Kill kill(Stage stage, int thenWaitSeconds) {
    return new Kill(stage, RESTART, Duration.ofSeconds(thenWaitSeconds));
  }

  @BeforeAll
  static void start() throws Exception {
    pg = TestInfrastructure.postgres(dir.resolve("postgres"));
    edu = TestInfrastructure.generatedEdu(pg, 0.002, 31);
    kafka = TestInfrastructure.kafka(dir.resolve("kafka"));
    TestInfrastructure.stageConfig(dir.resolve("edu2lms.yaml"), pg, kafka, EmbeddedPostgresServer.USER, EmbeddedPostgresServer.USER);
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    admin = Admin.create(p);
    for (Stage s : List.of(Stage.SINK, Stage.TRANSFORM, Stage.CAPTURE)) {
      launch(s);
    }
    lms = awaitLms();
    awaitCaughtUp(Duration.ofMinutes(8));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : all) {
      p.destroyForcibly();
    }
    TestInfrastructure.closeAll(admin, lms, edu, kafka, pg);
  }

  @Test
  void fourteenKillsUnderASteadyWorkloadLoseNothingAndNoStageEndsByItself() throws Exception {
    AtomicReference<Throwable> workloadFailure = new AtomicReference<>();
    AtomicInteger changed = new AtomicInteger();
    Thread workload = new Thread(() -> runWorkload(changed, workloadFailure), "crash-loop-workload");
    workload.start();
    try {
      for (Kill k : PLAN) {
        assertNoStageEndedByItself();
        Process victim = running.get(k.stage());
        LOG.info("crash loop: kill -9 {} (pid {})", k.stage().arg(), victim.pid());
        victim.destroyForcibly();
        assertThat(victim.waitFor(30, TimeUnit.SECONDS)).as("the killed %s is gone", k.stage().arg()).isTrue();
        running.remove(k.stage());
        Thread.sleep(k.restartAfter().toMillis());
        launch(k.stage());
        Thread.sleep(k.thenWait().toMillis());
        assertThat(workloadFailure.get()).as("the workload").isNull();
      }
    } finally {
      workload.interrupt();
      workload.join(60_000);
    }
    assertThat(workloadFailure.get()).as("the workload").isNull();
    assertThat(changed.get()).as("statements that changed an EDU row during the kills").isGreaterThan(1_000);

    awaitCaughtUp(Duration.ofMinutes(6));
    assertNoStageEndedByItself();
    LmsMatchesEdu.everyTable(edu, lms);
    LmsMatchesEdu.balanced(edu, lms);
    assertThat(LmsMatchesEdu.rows(lms, "SELECT count(*) FROM edu2lms.parked")).containsExactly("0");
    LmsMatchesEdu.verified(edu, lms);
  }

  /**
   * Random changes to EDU, 20 statements every 200 ms (about 100 a second), until interrupted;
   * every batch appended to {@code target/crash-loop-changes.sql}, the history behind a failure.
   */
  private static void runWorkload(AtomicInteger changed, AtomicReference<Throwable> failure) {
    RandomChanges changes = new RandomChanges(37);
    Path batch = dir.resolve("batch.sql");
    Path history = Path.of("target", "crash-loop-changes.sql");
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "")) {
      Files.createDirectories(history.getParent());
      Files.deleteIfExists(history);
      while (!Thread.currentThread().isInterrupted()) {
        changed.addAndGet(changes.apply(c, 20, batch));
        Files.write(history, Files.readAllBytes(batch), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Thread.sleep(200);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      failure.set(e);
    }
  }

  /** Starts {@code edu2lms run <stage>} as its own JVM on the stage's own data folder. */
  private static void launch(Stage stage) throws Exception {
    Path log = dir.resolve(stage.arg() + ".log");
    Files.writeString(log, "---- launch " + launches.incrementAndGet() + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Process p =
        Edu2LmsProcess.start(
            log, "run", stage.arg(), "--config", dir.resolve("edu2lms.yaml").toString(), "--data-dir", dir.resolve("data-" + stage.arg()).toString());
    running.put(stage, p);
    all.add(p);
  }

  /** Fails naming the stage and showing its log when a stage process the test did not kill has ended. */
  private static void assertNoStageEndedByItself() throws Exception {
    for (Map.Entry<Stage, Process> e : running.entrySet()) {
      if (!e.getValue().isAlive()) {
        throw new AssertionError(
            "edu2lms run " + e.getKey().arg() + " ended by itself with exit code " + e.getValue().exitValue() + ":\n"
                + Files.readString(dir.resolve(e.getKey().arg() + ".log")));
      }
    }
  }

  private static Connection awaitLms() {
    AtomicReference<Connection> c = new AtomicReference<>();
    await("the sink created the LMS schema")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> {
          assertNoStageEndedByItself();
          try {
            if (c.get() == null) {
              c.set(DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, ""));
            }
            return LmsMatchesEdu.rows(c.get(), "SELECT count(*) FROM information_schema.tables WHERE table_name = 'grades'").equals(List.of("1"));
          } catch (java.sql.SQLException notYet) {
            // The lms database is created by the test infrastructure; its tables by the sink.
            return false;
          }
        });
    return c.get();
  }

  /** Both consumer groups at lag 0 on the legacy data and every accounting line balanced. */
  private static void awaitCaughtUp(Duration atMost) {
    await("the three stages caught up")
        .atMost(atMost)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          assertNoStageEndedByItself();
          if (ConsumerLag.transformDataLag(admin, TransformConfig.DEFAULT_APPLICATION_ID) != 0
              || ConsumerLag.sinkDataLag(admin, SinkConfig.DEFAULT_GROUP_ID) != 0) {
            return false;
          }
          try {
            LmsMatchesEdu.balanced(edu, lms);
            return true;
          } catch (AssertionError notYet) {
            return false;
          }
        });
  }
}
