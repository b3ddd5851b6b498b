package org.edu2lms.schemas;

import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The {@code kafka.*} pass-through of the configuration: Kafka client properties (SASL, SSL,
 * timeouts, tuning such as {@code linger.ms}) that every stage adds to its producers, consumers,
 * admin clients and Kafka Streams, after its own settings. Keys that decide correctness are refused
 * ({@link #OWNED}): serialisation, idempotence and acknowledgements, transactions, consumer groups,
 * offset commits and isolation are part of the pipeline's ordering and exactly-once rules.
 */
public final class KafkaClientOverrides {

  /** Kafka client properties a {@code kafka.*} pass-through may not set. */
  public static final Set<String> OWNED =
      Set.of(
          "bootstrap.servers", "key.serializer", "value.serializer", "key.deserializer", "value.deserializer",
          "enable.idempotence", "acks", "transactional.id", "isolation.level", "group.id", "group.instance.id",
          "enable.auto.commit", "auto.offset.reset", "client.id", "max.in.flight.requests.per.connection",
          "partitioner.class", "interceptor.classes");

  private KafkaClientOverrides() {}

  /**
   * Checks a pass-through map.
   *
   * @param overrides Kafka client properties without the {@code kafka.} prefix
   * @return an immutable copy
   * @throws IllegalArgumentException naming the first key edu2lms sets itself (e.g. {@code
   *     kafka.acks}), or a blank key or value
   */
  public static Map<String, String> check(Map<String, String> overrides) {
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      if (OWNED.contains(e.getKey())) {
        throw new IllegalArgumentException(
            "kafka." + e.getKey() + " is set by edu2lms and cannot be overridden"
                + (e.getKey().equals("bootstrap.servers") ? "" : " (it is part of the ordering and exactly-once rules)"));
      }
      if (e.getKey().isBlank() || e.getValue() == null) {
        throw new IllegalArgumentException("kafka." + e.getKey() + " needs a value");
      }
    }
    return Map.copyOf(overrides);
  }

  /**
   * Adds the pass-through properties to a client's properties (they win over the client's own
   * tuning defaults, never over {@link #OWNED} keys, which {@link #check} refuses).
   *
   * @param client the properties of one Kafka client, changed in place
   * @param overrides a map {@link #check}ed before
   * @return {@code client}
   */
  public static Properties apply(Properties client, Map<String, String> overrides) {
    overrides.forEach(client::put);
    return client;
  }
}
