package org.edu2lms.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for generated Avro records in Avro <em>single-object encoding</em> (the Avro
 * specification's registry-free framing: marker {@code C3 01}, the 8-byte CRC-64-AVRO schema
 * fingerprint, then the binary datum). A consumer needs only the schemas of this module; no schema
 * registry is involved. A {@code null} value (a tombstone) passes through as {@code null}.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  /**
   * @param type the generated class, named in error messages
   * @param encoder the class's {@code getEncoder()}
   * @param decoder the class's {@code getDecoder()}
   */
  public AvroSerde(Class<T> type, BinaryMessageEncoder<T> encoder, BinaryMessageDecoder<T> decoder) {
    this.type = type;
    this.encoder = encoder;
    this.decoder = decoder;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      try {
        ByteBuffer buf = encoder.encode(value);
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException("failed to encode " + type.getSimpleName() + " for " + topic, e);
      }
    };
  }

  /**
   * @throws SerializationException when the bytes are not a single-object-encoded {@code T}
   *     (wrong marker, unknown fingerprint, truncated datum)
   */
  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      try {
        return decoder.decode(data);
      } catch (IOException | RuntimeException e) {
        throw new SerializationException(
            "record on " + topic + " is not a single-object-encoded " + type.getName(), e);
      }
    };
  }
}
