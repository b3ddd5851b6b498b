package org.edu2lms.transform;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.edu2lms.transform.mapping.GradebookMappings;
import org.edu2lms.transform.mapping.Rows;
import org.edu2lms.transform.serde.EduRow;
import org.edu2lms.transform.serde.EduRowStoreSerde;

/**
 * The points of each journal_details row (mapping.md §grades: {@code point_id_1..3 → points}),
 * looked up in a copy of the points table that the row's own task holds.
 *
 * <p>The points table has a dozen rows and every journal_details row references it, the
 * biggest table of EDU. A foreign-key join to it cost each row a subscription record, a response
 * record carrying the whole table, two store reads and a result store write (docs/benchmarks
 * §Fewer records per journal_details row). Instead every points change is sent to every partition of a repartition topic
 * ({@link #allPartitions}), so each task of the grades sub-topology keeps all points in its own
 * store {@link #STORE}:
 *
 * <ul>
 *   <li>{@link DetailSide}: a journal_details change gets {@link GradebookMappings#POINTS} from
 *       that store, three key reads;
 *   <li>{@link PointSide}: a points change updates the store and re-derives every
 *       journal_details row of the task that references the point (a scan of the task's
 *       journal_details store), so a late, changed or deleted point re-derives its grades as a
 *       foreign-key join would.
 * </ul>
 *
 * <p>Both run in the same task, one record at a time, so a row never sees a points state older
 * than the last points change the task processed. The store has a changelog; with exactly_once_v2
 * it commits with the forwarded grades.
 */
final class PointsLookup {

  /** The points store of the grades sub-topology: point id → points row. */
  static final String STORE = "grades-points";

  /** Sends a record to every partition of the topic (KIP-837 multicast), whatever its key and value. */
  static <K, V> StreamPartitioner<K, V> allPartitions() {
    return (topic, key, value, partitions) -> {
      Set<Integer> all = new HashSet<>(partitions * 2);
      for (int p = 0; p < partitions; p++) {
        all.add(p);
      }
      return Optional.of(all);
    };
  }

  private PointsLookup() {}

  /** The journal_details row with its points: {@code d.with(POINTS, {"<id>": points row, …})}. */
  static EduRow withPoints(EduRow detail, KeyValueStore<Long, EduRow> points) {
    return detail.with(
        GradebookMappings.POINTS,
        EduToLmsTopology.pointsOf(
            detail,
            id -> {
              EduRow p = points.get(id);
              return p == null ? null : p.row();
            }));
  }

  /** Whether the row references the point in one of point_id_1..3 (an unreadable id does not). */
  static boolean references(EduRow detail, long pointId) {
    for (int n = 1; n <= 3; n++) {
      try {
        Long id = Rows.longValue(detail.row(), "point_id_" + n);
        if (id != null && id == pointId) {
          return true;
        }
      } catch (RuntimeException e) {
        // the mapping reports it as a mapping_error
      }
    }
    return false;
  }

  /** journal_details changes (key: journal_details.id; value: the row with its journal, or null when deleted). */
  static final class DetailSide implements FixedKeyProcessor<Long, EduRow, EduRow> {
    private FixedKeyProcessorContext<Long, EduRow> context;
    private KeyValueStore<Long, EduRow> points;

    @Override
    public void init(FixedKeyProcessorContext<Long, EduRow> context) {
      this.context = context;
      this.points = context.getStateStore(STORE);
    }

    @Override
    public void process(FixedKeyRecord<Long, EduRow> record) {
      EduRow d = record.value();
      context.forward(record.withValue(d == null ? null : withPoints(d, points)));
    }
  }

  /**
   * points changes (key: points.id; value: the row, or null when deleted), received by every
   * task. Forwards the re-derived journal_details rows that reference the point, keyed by their
   * id. A change that leaves the row as it was forwards nothing.
   */
  static final class PointSide implements Processor<Long, EduRow, Long, EduRow> {
    private final String detailsStore;
    private ProcessorContext<Long, EduRow> context;
    private KeyValueStore<Long, EduRow> points;
    private final Deserializer<EduRow> stored = new EduRowStoreSerde().deserializer();
    private KeyValueStore<Long, byte[]> details;

    /**
     * @param detailsStore the store of journal_details rows with their journal ({@link
     *     BroadcastLookup#rowsStore}: journal_details.id → Smile bytes)
     */
    PointSide(String detailsStore) {
      this.detailsStore = detailsStore;
    }

    @Override
    public void init(ProcessorContext<Long, EduRow> context) {
      this.context = context;
      this.points = context.getStateStore(STORE);
      this.details = context.getStateStore(detailsStore);
    }

    @Override
    public void process(Record<Long, EduRow> record) {
      long pointId = record.key();
      EduRow before = points.get(pointId);
      EduRow after = record.value();
      JsonNode beforeRow = before == null ? null : before.row();
      JsonNode afterRow = after == null ? null : after.row();
      if (beforeRow == null ? afterRow == null : beforeRow.equals(afterRow)) {
        return;
      }
      if (after == null) {
        points.delete(pointId);
      } else {
        points.put(pointId, after);
      }
      try (KeyValueIterator<Long, byte[]> all = details.all()) {
        while (all.hasNext()) {
          KeyValue<Long, byte[]> d = all.next();
          EduRow detail = BroadcastLookup.read(stored, d.value);
          if (detail != null && references(detail, pointId)) {
            context.forward(new Record<>(d.key, withPoints(detail, points), record.timestamp()));
          }
        }
      }
    }
  }
}
