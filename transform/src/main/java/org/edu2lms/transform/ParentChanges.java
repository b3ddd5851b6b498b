package org.edu2lms.transform;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.edu2lms.transform.serde.EduRow;

/**
 * What a parent row contributes to its children (a foreign-key lookup's derived column: "exists
 * and maps", a label, a parent id), forwarded only when it changes.
 *
 * <p>A foreign-key join re-computes every child of a parent on each update of the parent. Most
 * parent updates (a user's last-update date, an offering's room) do not change what the children
 * derive from it, yet each would re-emit and re-upsert the whole subtree: a user update became
 * thousands of grade rows, and live sync fell minutes behind at 100 changes/s (docs/benchmarks).
 * This processor keeps the last contribution per parent key and drops updates that leave it
 * unchanged. Its output is the value of the derived column wrapped in an {@link EduRow} (LSN 0),
 * or a tombstone when the parent is gone or contributes nothing.
 */
final class ParentChanges implements FixedKeyProcessor<Long, EduRow, EduRow> {

  private final Function<EduRow, JsonNode> extract;
  private final String storeName;
  private FixedKeyProcessorContext<Long, EduRow> context;
  private KeyValueStore<Long, EduRow> last;

  /**
   * @param extract the parent's contribution; {@code null} means none (as if the parent were absent)
   * @param storeName the store of last contributions per parent key
   */
  ParentChanges(Function<EduRow, JsonNode> extract, String storeName) {
    this.extract = extract;
    this.storeName = storeName;
  }

  @Override
  public void init(FixedKeyProcessorContext<Long, EduRow> context) {
    this.context = context;
    this.last = context.getStateStore(storeName);
  }

  @Override
  public void process(FixedKeyRecord<Long, EduRow> record) {
    JsonNode next = record.value() == null ? null : extract.apply(record.value());
    EduRow previous = last.get(record.key());
    if (Objects.equals(previous == null ? null : previous.row(), next)) {
      return;
    }
    EduRow out = next == null ? null : new EduRow(next, 0);
    if (out == null) {
      last.delete(record.key());
    } else {
      last.put(record.key(), out);
    }
    context.forward(record.withValue(out));
  }
}
