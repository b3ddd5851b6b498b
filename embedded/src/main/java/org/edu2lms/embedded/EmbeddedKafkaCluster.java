package org.edu2lms.embedded;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker + controller) inside this JVM,
 * from Kafka's own cluster test kit. Replication factors are 1, as a single node needs; topics are
 * not auto-created (the pipeline creates its topics with the settings they need).
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

  private final KafkaClusterTestKit cluster;

  private EmbeddedKafkaCluster(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /**
   * Formats and starts the node, and waits until the broker is ready.
   *
   * @param baseDir the folder for the node's logs and metadata
   * @throws Exception when the node cannot be formatted or started
   */
  public static EmbeddedKafkaCluster start(Path baseDir) throws Exception {
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            // The test kit defaults to the newest, not yet production-ready metadata version.
            .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .setBaseDirectory(baseDir)
            .build();
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(nodes)
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "4")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "4")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("auto.create.topics.enable", "false")
            .setConfigProp("num.partitions", "1")
            .setConfigProp("log.cleaner.dedupe.buffer.size", Long.toString(16L * 1024 * 1024))
            .build();
    // The test kit's formatter prints to standard output; keep the terminal for the program's own output.
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      cluster.format();
    } finally {
      System.setOut(stdout);
    }
    cluster.startup();
    cluster.waitForReadyBrokers();
    EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(cluster);
    LOG.info("embedded Kafka (KRaft) at {}", kafka.bootstrapServers());
    return kafka;
  }

  /** {@code host:port} of the broker. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
