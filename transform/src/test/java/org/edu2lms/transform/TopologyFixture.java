package org.edu2lms.transform;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.edu2lms.schemas.EduTables;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.Topic;
import org.edu2lms.schemas.lms.QuarantineRecord;

/**
 * The topology in a {@link TopologyTestDriver}, fed Debezium-shaped change events; keeps the
 * latest value per key of every output topic (a tombstone removes the key), as the sink would.
 */
final class TopologyFixture implements AutoCloseable {

  /** The application id of the topology under test (the prefix of its internal topics). */
  static final String APPLICATION_ID = "edu2lms-transform-test";

  private final TopologyTestDriver driver;
  private final Map<String, TestInputTopic<String, String>> inputs = new HashMap<>();
  private final Map<String, TestOutputTopic<String, ?>> outputs = new HashMap<>();
  private final Map<String, Map<String, Object>> state = new HashMap<>();
  private final Map<String, Integer> emitted = new HashMap<>();
  private final Map<String, Set<String>> headerKeys = new HashMap<>();
  private final Map<String, TestOutputTopic<byte[], byte[]>> internal = new HashMap<>();
  private final Map<String, Integer> internalCounts = new HashMap<>();
  private long lsn = 1000;

  TopologyFixture(Path stateDir) {
    Properties props =
        EduToLmsTopology.streamsConfig(new TransformConfig("dummy:9092", APPLICATION_ID, stateDir, 100, 1));
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    // As the transform runs: every processor wrapped by LiveCommits, in live mode.
    props.put(StreamsConfig.PROCESSOR_WRAPPER_CLASS_CONFIG, LiveCommits.class);
    props.put(LiveCommits.PACER, new LiveCommits.Pacer(100));
    driver = new TopologyTestDriver(EduToLmsTopology.buildTopology(props), props);
    for (String t : EduToLmsTopology.INPUT_TABLES) {
      inputs.put(t, driver.createInputTopic(EduTables.topic(t), new StringSerializer(), new StringSerializer()));
    }
    for (Topic<String, ?> t : LmsTopics.ALL) {
      outputs.put(t.name(), driver.createOutputTopic(t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer()));
      state.put(t.name(), new HashMap<>());
    }
  }

  /** The LSN the last event carried. */
  long lsn() {
    return lsn;
  }

  /** A Debezium create/update event whose {@code after} is {@code {"id": id, <columnsJson>}}. */
  void upsert(String table, long id, String columnsJson) {
    lsn += 10;
    inputs.get(table)
        .pipeInput(
            "{\"id\":" + id + "}",
            "{\"before\":null,\"after\":{\"id\":" + id + (columnsJson.isEmpty() ? "" : "," + columnsJson)
                + "},\"source\":{\"lsn\":" + lsn + "},\"op\":\"c\"}");
  }

  /** A Debezium delete event followed by its tombstone, as the connector sends them. */
  void delete(String table, long id) {
    lsn += 10;
    inputs.get(table)
        .pipeInput("{\"id\":" + id + "}", "{\"before\":{\"id\":" + id + "},\"after\":null,\"source\":{\"lsn\":" + lsn + "},\"op\":\"d\"}");
    inputs.get(table).pipeInput("{\"id\":" + id + "}", (String) null);
  }

  /** The current value of an output key, or null when absent or tombstoned. */
  @SuppressWarnings("unchecked")
  <V> V get(Topic<String, V> topic, String key) {
    drain();
    return (V) state.get(topic.name()).get(key);
  }

  /** Every current value of an output topic, by key. */
  @SuppressWarnings("unchecked")
  <V> Map<String, V> all(Topic<String, V> topic) {
    drain();
    return (Map<String, V>) (Map<String, ?>) state.get(topic.name());
  }

  /** How many records (values and tombstones) the topology has written to a topic so far. */
  int emitted(Topic<String, ?> topic) {
    drain();
    return emitted.getOrDefault(topic.name(), 0);
  }

  /**
   * How many records the topology has written so far to one of its internal topics (a
   * repartition, subscription or response topic), by its name without the application id.
   */
  int internalRecords(String topic) {
    TestOutputTopic<byte[], byte[]> out =
        internal.computeIfAbsent(topic, n -> driver.createOutputTopic(APPLICATION_ID + "-" + n, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    return internalCounts.merge(topic, out.readRecordsToList().size(), Integer::sum);
  }

  /** The header keys of every record written to a topic so far. */
  Set<String> headerKeys(Topic<String, ?> topic) {
    drain();
    return headerKeys.getOrDefault(topic.name(), new TreeSet<>());
  }

  /** The quarantine record of an EDU row (component 0 unless a journal_details mark). */
  QuarantineRecord quarantined(String table, long id, int component) {
    return get(LmsTopics.QUARANTINE, LmsTopics.quarantineKey(table, id, component));
  }

  private void drain() {
    outputs.forEach(
        (name, topic) -> {
          for (var kv : topic.readRecordsToList()) {
            emitted.merge(name, 1, Integer::sum);
            kv.headers().forEach(h -> headerKeys.computeIfAbsent(name, n -> new TreeSet<>()).add(h.key()));
            if (kv.value() == null) {
              state.get(name).remove(kv.key());
            } else {
              state.get(name).put(kv.key(), kv.value());
            }
          }
        });
  }

  @Override
  public void close() {
    driver.close();
  }
}
