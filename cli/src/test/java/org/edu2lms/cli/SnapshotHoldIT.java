package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.edu2lms.capture.CaptureConfig;
import org.edu2lms.capture.EduCapture;
import org.edu2lms.cli.ops.KafkaTopics;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.schemas.EduTables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README §Initial load: the capture snapshots the held tables ({@code capture.snapshot.held.tables})
 * last and sends none of their rows while its {@link org.edu2lms.capture.SnapshotGate} reports
 * records pending, and meanwhile it does not call its snapshot complete. A gate under the test's
 * control stands in for the transform's consumer lag.
 */
class SnapshotHoldIT {

  @TempDir static Path dataDir;

  private static TestInfrastructure.Postgres pg;
  private static TestInfrastructure.Kafka kafka;
  private static Connection edu;
  private static Admin admin;

  @BeforeAll
  static void start() throws Exception {
    pg = TestInfrastructure.postgres(dataDir.resolve("postgres"));
    edu = TestInfrastructure.generatedEdu(pg, 0.002, 7);
    kafka = TestInfrastructure.kafka(dataDir.resolve("kafka"));
    admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    KafkaTopics.ensure(admin, 1, (short) 1);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {admin, edu, kafka, pg}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void theHeldTablesAreSentOnlyOnceTheGateReadsZeroAndTheSnapshotIsNotCompleteMeanwhile() throws Exception {
    CaptureConfig config =
        new CaptureConfig(pg.host(), pg.port(), "edu", EmbeddedPostgresServer.USER, "", kafka.bootstrapServers(), "edu2lms", "edu2lms",
            dataDir.resolve("capture-offsets.dat"), CaptureConfig.DEFAULT_HEARTBEAT_INTERVAL, CaptureConfig.DEFAULT_SSL_MODE, Map.of(), Map.of(),
            List.of("journal", "journal_details"));
    AtomicLong pending = new AtomicLong(5);
    AtomicInteger asked = new AtomicInteger();
    try (EduCapture capture = new EduCapture(config, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), () -> {
      asked.incrementAndGet();
      return pending.get();
    })) {
      capture.start();
      // exam and exam_result now come before the held tables; everything else is in EDU order.
      await("every table before the held ones in Kafka")
          .atMost(Duration.ofSeconds(90))
          .until(() -> records("exam_result") == rows("exam_result") && records("exam") == rows("exam") && records("users") == rows("users"));
      await("the capture asks the gate").atMost(Duration.ofSeconds(30)).until(() -> asked.get() >= 2);
      await("held while the gate reports records pending")
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> records("journal") == 0 && records("journal_details") == 0 && capture.snapshotHeld() && !capture.snapshotCompleted());
      assertThat(capture.pendingInCapture()).as("the held batch and Debezium's queue count as waiting in the capture").isPositive();

      pending.set(0);
      await("the held tables follow once the gate reads 0")
          .atMost(Duration.ofSeconds(90))
          .until(() -> records("journal") == rows("journal") && records("journal_details") == rows("journal_details"));
      await("the snapshot complete").atMost(Duration.ofSeconds(30)).until(() -> capture.snapshotCompleted() && !capture.snapshotHeld());
      await("nothing read waits in the capture").atMost(Duration.ofSeconds(30)).until(() -> capture.pendingInCapture() == 0);
      assertThat(rows("journal_details")).isPositive();
      for (String table : EduTables.ALL) {
        assertThat(records(table)).as(table).isEqualTo(rows(table));
      }
    }
  }

  private static long rows(String table) throws Exception {
    try (Statement st = edu.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long records(String table) throws Exception {
    String topic = EduTables.topic(table);
    return KafkaTopics.endOffsets(admin, Set.of(topic)).values().stream().mapToLong(Long::longValue).sum();
  }
}
