package org.edu2lms.schemas;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * An immutable descriptor of one Kafka topic: its name and the serdes of its key and value.
 * Created once per topic ({@link LmsTopics}), used by producers and consumers alike.
 *
 * @param name the topic name
 * @param keySerde the key serde
 * @param valueSerde the value serde
 * @param <K> key type
 * @param <V> value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
  }
}
