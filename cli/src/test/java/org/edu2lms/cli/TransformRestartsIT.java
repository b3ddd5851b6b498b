package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.edu2lms.cli.ops.ConsumerLag;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.transform.TransformConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transform closed and opened again many times in one process while changes flow ({@link
 * Pipeline#stopTransform()}, {@link Pipeline#startTransform()}): a new Kafka Streams instance on
 * the same state folders and with the same group.instance.id each time, half of them closed again
 * while still rebalancing or restoring, the other half after they caught up. Nothing may be lost,
 * duplicated or left parked, and the process must survive every close.
 */
@Tag("fault-injection")
class TransformRestartsIT {

  private static final int RESTARTS = 20;

  @TempDir static Path dataDir;

  private static TestInfrastructure.Postgres pg;
  private static TestInfrastructure.Kafka kafka;
  private static Pipeline pipeline;
  private static Connection edu;
  private static Connection lms;
  private static Admin admin;

  @BeforeAll
  static void startAndLoad() throws Exception {
    pg = TestInfrastructure.postgres(dataDir.resolve("postgres"));
    edu = TestInfrastructure.generatedEdu(pg, 0.005, 17);
    kafka = TestInfrastructure.kafka(dataDir.resolve("kafka"));
    pipeline = new Pipeline(Pipeline.Settings.embedded(pg.host(), pg.port(), EmbeddedPostgresServer.USER, kafka.bootstrapServers(), dataDir));
    pipeline.start();
    lms = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "");
    admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    pipeline.awaitCaughtUp(Duration.ofMinutes(5), Duration.ofMillis(300));
  }

  @AfterAll
  static void stop() throws Exception {
    TestInfrastructure.closeAll(pipeline, admin, lms, edu, kafka, pg);
  }

  @Test
  void twentyRestartsWhileChangesFlowLoseNothingAndTheProcessSurvivesEach() throws Exception {
    RandomChanges changes = new RandomChanges(29);
    int changed = 0;
    for (int i = 1; i <= RESTARTS; i++) {
      changed += changes.apply(edu, 30, Path.of("target", "restarts-" + i + ".sql"));
      pipeline.stopTransform();
      assertThat(pipeline.failure()).as("after close %d", i).isNull();
      pipeline.startTransform();
      if (i % 2 == 0) {
        // Caught up before the next close: a close of a running instance with committed work.
        await("transform caught up after restart " + i)
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> {
              assertThat(pipeline.failure()).isNull();
              return ConsumerLag.transformDataLag(admin, TransformConfig.DEFAULT_APPLICATION_ID) == 0;
            });
      }
      // Odd rounds: the next close meets an instance that is still joining or restoring.
    }
    assertThat(changed).as("statements that changed a row").isGreaterThan(RESTARTS * 20);

    pipeline.awaitCaughtUp(Duration.ofMinutes(3), Duration.ofMillis(300));
    assertThat(pipeline.failure()).isNull();
    await("the invariant holds")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          LmsMatchesEdu.balanced(edu, lms);
          assertThat(LmsMatchesEdu.rows(lms, "SELECT count(*) FROM edu2lms.parked")).containsExactly("0");
        });
    LmsMatchesEdu.everyTable(edu, lms);
    LmsMatchesEdu.verified(edu, lms);
  }
}
