package org.edu2lms.transform;

import java.util.List;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.edu2lms.transform.mapping.MappingResult;

/**
 * The mapping results of one EDU row together with which of its quarantine records and
 * data-quality notes were live before them, so that a tombstone is sent only for a record that
 * exists.
 *
 * <p>Every accepted row used to send a quarantine tombstone and a notes tombstone per component
 * (six per journal_details row, a third of what the transform sent per row), although almost no
 * key ever had a record, and the sink applied each as a delete (docs/benchmarks §Fewer records per
 * journal_details row). {@link Memory} keeps, per EDU id, a bit mask of the live side records; it
 * is written only when the mask changes, so rows that are never quarantined
 * nor noted cost one store read and no write.
 *
 * @param results the results per component slot (one slot for most tables, three for
 *     journal_details); null when the EDU row was deleted
 * @param liveBefore the mask before these results: bit {@code 2*slot} a quarantine record, bit
 *     {@code 2*slot+1} a notes record
 * @param <T> the LMS record type
 */
record SideRecords<T>(List<MappingResult<T>> results, int liveBefore) {

  /** The result of a slot, or null (row deleted, or no result for the slot). */
  MappingResult<T> result(int slot) {
    return results == null ? null : results.get(slot);
  }

  /** Whether a quarantine record of the slot was live before. */
  boolean quarantinedBefore(int slot) {
    return (liveBefore & (1 << (2 * slot))) != 0;
  }

  /** Whether a notes record of the slot was live before. */
  boolean notedBefore(int slot) {
    return (liveBefore & (1 << (2 * slot + 1))) != 0;
  }

  /** The mask of the side records these results make live. */
  static int live(List<? extends MappingResult<?>> results) {
    int mask = 0;
    if (results != null) {
      for (int slot = 0; slot < results.size(); slot++) {
        MappingResult<?> r = results.get(slot);
        if (r != null && !r.isOk()) {
          mask |= 1 << (2 * slot);
        }
        if (r != null && r.isOk() && !r.notes().isEmpty()) {
          mask |= 1 << (2 * slot + 1);
        }
      }
    }
    return mask;
  }

  /**
   * Attaches the live-before mask to each change and records the new one (store: EDU id → mask,
   * absent = 0). With exactly_once_v2 the store's changelog commits with the records sent from
   * it, so the mask always describes what the quarantine and notes topics hold.
   */
  static final class Memory<T> implements FixedKeyProcessor<Long, List<MappingResult<T>>, SideRecords<T>> {
    private final String storeName;
    private FixedKeyProcessorContext<Long, SideRecords<T>> context;
    private KeyValueStore<Long, Integer> masks;

    /** @param storeName the mask store ({@code Long → Integer}) */
    Memory(String storeName) {
      this.storeName = storeName;
    }

    @Override
    public void init(FixedKeyProcessorContext<Long, SideRecords<T>> context) {
      this.context = context;
      this.masks = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<Long, List<MappingResult<T>>> record) {
      Integer stored = masks.get(record.key());
      int before = stored == null ? 0 : stored;
      int after = live(record.value());
      if (after != before) {
        if (after == 0) {
          masks.delete(record.key());
        } else {
          masks.put(record.key(), after);
        }
      }
      context.forward(record.withValue(new SideRecords<>(record.value(), before)));
    }
  }
}
