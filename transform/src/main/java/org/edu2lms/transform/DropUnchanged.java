package org.edu2lms.transform;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.edu2lms.transform.serde.EduRow;

/**
 * Forwards a table update only when it changes the row: emit-on-change for the result of a
 * foreign-key lookup.
 *
 * <p>A Kafka Streams foreign-key join re-computes every child of a parent on each update of the
 * parent, even when nothing the child derives from the parent changed. Without this step one
 * {@code users} update re-emitted its person, student, ~76 enrollments and ~2,500 grade rows
 * down the chain and into LMS, and live sync fell minutes behind at 100 changes/s
 * (docs/benchmarks/README.md §Live sync). This processor keeps, per key, a digest of the last
 * value it forwarded (16 bytes of SHA-256 over the serialized row) and drops an update whose
 * digest is the same, and a tombstone for a key it never forwarded a value for. What it
 * forwards is therefore the same table, minus repeats: the invariant of mapping.md is untouched.
 *
 * <p>The store is a persistent key-value store with a changelog, so with exactly_once_v2 the
 * digests and the forwarded records commit together.
 */
final class DropUnchanged implements FixedKeyProcessor<Long, EduRow, EduRow> {

  private static final int DIGEST_BYTES = 16;

  private final String storeName;
  private final Serializer<EduRow> serializer;
  private final MessageDigest sha256;
  private FixedKeyProcessorContext<Long, EduRow> context;
  private KeyValueStore<Long, byte[]> memory;

  /**
   * @param storeName the store of digests of the last forwarded value per key ({@code Long →
   *     byte[16]})
   * @param serializer the serializer whose bytes are digested (the state-store serde)
   */
  DropUnchanged(String storeName, Serializer<EduRow> serializer) {
    this.storeName = storeName;
    this.serializer = serializer;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  @Override
  public void init(FixedKeyProcessorContext<Long, EduRow> context) {
    this.context = context;
    this.memory = context.getStateStore(storeName);
  }

  @Override
  public void process(FixedKeyRecord<Long, EduRow> record) {
    byte[] previous = memory.get(record.key());
    if (record.value() == null) {
      if (previous != null) {
        memory.delete(record.key());
        context.forward(record);
      }
      return;
    }
    byte[] next = Arrays.copyOf(sha256.digest(serializer.serialize(null, record.value())), DIGEST_BYTES);
    if (previous != null && Arrays.equals(previous, next)) {
      return;
    }
    memory.put(record.key(), next);
    context.forward(record);
  }
}
