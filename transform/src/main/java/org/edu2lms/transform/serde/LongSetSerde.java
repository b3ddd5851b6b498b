package org.edu2lms.transform.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A {@link LongSet} as big-endian 8-byte values, ascending. */
public final class LongSetSerde implements Serde<LongSet> {

  @Override
  public Serializer<LongSet> serializer() {
    return (topic, set) -> {
      if (set == null) {
        return null;
      }
      ByteBuffer b = ByteBuffer.allocate(8 * set.size());
      for (long v : set.values()) {
        b.putLong(v);
      }
      return b.array();
    };
  }

  @Override
  public Deserializer<LongSet> deserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      ByteBuffer b = ByteBuffer.wrap(data);
      long[] values = new long[data.length / 8];
      for (int i = 0; i < values.length; i++) {
        values[i] = b.getLong();
      }
      return new LongSet(values);
    };
  }
}
