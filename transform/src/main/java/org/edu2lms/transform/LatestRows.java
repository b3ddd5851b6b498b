package org.edu2lms.transform;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.edu2lms.transform.serde.EduRow;
import org.edu2lms.transform.serde.EduRowStoreSerde;

/**
 * Emit-on-change and the table in one store, for the result of a foreign-key lookup that no
 * other join reads (the journal_details rows with their journal, 83 % of EDU).
 *
 * <p>The other lookups pass their join result through {@link DropUnchanged} (a digest per key)
 * and then materialize it as a KTable, because further joins need a table: two stores and two
 * changelog records per row. Kafka Streams 4.1's {@code toTable} no longer drops an update whose
 * value is unchanged (its source processor puts and forwards every update), so the digest step
 * cannot simply be left out. Here the result feeds only the grades and the points lookup, so one
 * store does both jobs: it keeps the serialized row (Smile, {@link EduRowStoreSerde}) last
 * forwarded per key, an update with the same bytes is dropped, a tombstone for a key it never
 * forwarded is dropped. Per row: one store read, one write and one changelog record fewer than
 * {@link DropUnchanged} + table, no digest, no deserialization of the previous value
 * (docs/benchmarks §One store for the grades path).
 *
 * <p>A row forwarded for a key that held no row before (never derived, or deleted since) carries
 * the header {@link #FIRST}: nothing was emitted for it that is still live, which lets the grades
 * skip tombstones for slots that were never sent ({@code EduToLmsTopology#grades}). With
 * exactly_once_v2 the store's changelog commits with what was forwarded, so the header's claim
 * holds across restarts.
 */
final class LatestRows extends DropUnchanged {

  /** Header on a forwarded row whose key held no row before; value: empty. */
  static final String FIRST = "edu2lms.first";

  private static final byte[] EMPTY = new byte[0];

  /** @param storeName the store of the last forwarded row per key ({@code Long → Smile bytes of EduRow}) */
  LatestRows(String storeName) {
    super(storeName, new EduRowStoreSerde().serializer());
  }

  /** Whether a record carries {@link #FIRST}. */
  static boolean isFirst(Headers headers) {
    return headers.lastHeader(FIRST) != null;
  }

  /** Reads a stored row ({@link EduRowStoreSerde}); null stays null. */
  static EduRow read(Deserializer<EduRow> deserializer, byte[] stored) {
    return stored == null ? null : deserializer.deserialize(null, stored);
  }

  /** The whole serialized row: the store is also the table the points lookup scans. */
  @Override
  byte[] remembered(byte[] serialized) {
    return serialized;
  }

  /** The record with the {@link #FIRST} header added (on a copy of its headers). */
  @Override
  FixedKeyRecord<Long, EduRow> first(FixedKeyRecord<Long, EduRow> record) {
    Headers headers = new RecordHeaders(record.headers().toArray());
    headers.add(FIRST, EMPTY);
    return record.withHeaders(headers);
  }
}
