package org.edu2lms.transform;

import java.util.Arrays;
import java.util.function.BiPredicate;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Emit-on-change for the part of a row that other tasks or joins use (its projection), without a
 * store of its own: drops a record whose {@link BroadcastLookup#PREVIOUS} header shows that its
 * projection is the one sent for the key before, and forwards every other record without headers.
 *
 * <p>The header is written by the processor that keeps the last row forwarded per key ({@link
 * BroadcastLookup.ChildSide} with a summary, {@link EmailOwners.UserSide}): the projection of that
 * row, which, as long as every row it forwards passes this step, is what the receivers hold. A
 * record without the header (a row a parent change re-derived) is always forwarded.
 *
 * <p>Where it is used: the users' ownership e-mails multicast to every task and their presence
 * in the table the persons and files foreign-key joins look up, and the journal's course and
 * student multicast to the grades' tasks. Before it, each users change sent one multicast record
 * and about three foreign-key responses, and each journal change one multicast record, that their
 * receivers then found unchanged and dropped (docs/benchmarks §Fewer records per users and journal
 * change).
 *
 * @param <V> the value: a row or null (a deletion)
 */
final class DropUnchangedProjection<V> implements FixedKeyProcessor<Long, V, V> {

  private final BiPredicate<byte[], V> unchanged;
  private FixedKeyProcessorContext<Long, V> context;

  /**
   * @param unchanged whether the value's projection is the one the header's bytes describe (the
   *     value is null for a deletion)
   */
  DropUnchangedProjection(BiPredicate<byte[], V> unchanged) {
    this.unchanged = unchanged;
  }

  /**
   * The projection of a row the receivers hold nothing of (no row, or one that does not map):
   * {@code {0}}.
   */
  static byte[] nothingHeld() {
    return new byte[] {0};
  }

  /** The projection of a row the receivers hold: {@code 1} followed by what they hold of it. */
  static byte[] held(byte[] payload) {
    byte[] out = new byte[1 + payload.length];
    out[0] = 1;
    System.arraycopy(payload, 0, out, 1, payload.length);
    return out;
  }

  /** Whether a projection is {@link #held} rather than {@link #nothingHeld}. */
  static boolean isHeld(byte[] projection) {
    return projection.length > 0 && projection[0] == 1;
  }

  /** What a {@link #held} projection carries; empty for {@link #nothingHeld}. */
  static byte[] payload(byte[] projection) {
    return projection.length > 1 ? Arrays.copyOfRange(projection, 1, projection.length) : new byte[0];
  }

  @Override
  public void init(FixedKeyProcessorContext<Long, V> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<Long, V> record) {
    byte[] previous = BroadcastLookup.previous(record.headers());
    if (previous != null && unchanged.test(previous, record.value())) {
      return;
    }
    context.forward(record.withHeaders(new RecordHeaders()));
  }
}
