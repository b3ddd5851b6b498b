package org.edu2lms.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) run as its own JVM from the
 * test's classpath ({@code kafka.Kafka}, formatted by {@code kafka.tools.StorageTool}), on fixed
 * ports and a data folder that survive a stop, so a test can stop the broker and start it again as
 * an operator would. Its output goes to {@code kafka.log} in the folder.
 */
final class KafkaProcess implements AutoCloseable {

  private final Path dir;
  private final Path config;
  private final int port;
  private Process process;

  private KafkaProcess(Path dir, int port) {
    this.dir = dir;
    this.config = dir.resolve("server.properties");
    this.port = port;
  }

  /**
   * Writes the broker's configuration, formats its log folder and starts it; returns once the
   * broker answers.
   *
   * @throws Exception when formatting fails or the broker does not answer within 60 s
   */
  static KafkaProcess start(Path dir) throws Exception {
    Files.createDirectories(dir);
    KafkaProcess kafka = new KafkaProcess(dir, freePort());
    int controller = freePort();
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.bootstrap.servers", "localhost:" + controller);
    p.setProperty("listeners", "PLAINTEXT://localhost:" + kafka.port + ",CONTROLLER://localhost:" + controller);
    p.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + kafka.port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", dir.resolve("logs").toString());
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "4");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "4");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("num.partitions", "1");
    p.setProperty("log.cleaner.dedupe.buffer.size", Long.toString(16L * 1024 * 1024));
    try (var out = Files.newBufferedWriter(kafka.config)) {
      p.store(out, "edu2lms FaultInjectionIT broker");
    }
    Process format = java("kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", kafka.config.toString(), "--standalone")
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.log").toFile()))
        .start();
    if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
      throw new IllegalStateException("kafka-storage format failed: " + Files.readString(dir.resolve("kafka.log")));
    }
    kafka.startBroker();
    return kafka;
  }

  /** {@code localhost:port} of the broker; the same across restarts. */
  String bootstrapServers() {
    return "localhost:" + port;
  }

  /** Starts the broker on the existing data folder and waits until it answers. */
  void startBroker() throws Exception {
    process = java("kafka.Kafka", config.toString())
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.log").toFile()))
        .start();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      await("the Kafka broker answers")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> {
            if (!process.isAlive()) {
              throw new IllegalStateException("Kafka exited with " + process.exitValue() + ": " + Files.readString(dir.resolve("kafka.log")));
            }
            return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
          });
    }
  }

  /** Stops the broker as {@code kafka-server-stop} does (SIGTERM: a controlled shutdown) and waits for it. */
  void stopBroker() throws Exception {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws Exception {
    if (process != null) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static ProcessBuilder java(String mainClass, String... args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true);
  }

  /**
   * A new cluster id. Kafka's own {@code Uuid.randomUuid()}: its base64 never starts with '-',
   * which the storage tool would take for an option (a hand-made one failed 1 run in 64).
   */
  private static String clusterId() {
    return org.apache.kafka.common.Uuid.randomUuid().toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
