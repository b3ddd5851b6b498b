package org.edu2lms.transform;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.edu2lms.transform.serde.EduRow;
import org.edu2lms.transform.serde.EduRowStoreSerde;

/**
 * The references of a child table (journal, exam_result, journal_details) resolved in copies of
 * their parents that the child's own task holds, instead of Kafka Streams foreign-key joins.
 *
 * <p>A foreign-key join sends every child change to the parent's task (subscription topic) and
 * the answer back (response topic): two exactly-once hops, each visible downstream only after a
 * commit, and two chained references made a journal or exam_result change cross four before the
 * sink (docs/benchmarks §Live sync on the same day, §One hop for the gradebook tables). Here every
 * parent change is multicast to every partition of a repartition topic (KIP-837, {@link
 * PointsLookup#allPartitions}), as the points already were, so each task of the child's
 * sub-topology keeps, per parent:
 *
 * <ul>
 *   <li>a copy: parent id → what the child derives from it ({@code extract(parent)}), only for
 *       parents that exist and map (the store {@link Parent#copyStore});
 *   <li>a reverse index: (parent id, child id) → empty, for the children of its own partitions that
 *       reference the parent ({@link Parent#indexStore}), so a parent change re-derives them with
 *       a range read instead of a scan.
 * </ul>
 *
 * <p>The child rows with every derived column are kept in {@link #rowsStore} (Smile bytes of
 * {@link EduRow}), which is also the emit-on-change memory: a child change
 * or a parent change that leaves a child row as it was forwards nothing; a deleted child forwards
 * a tombstone only when a row was forwarded for it. With a {@code previousSummary} every row and
 * tombstone forwarded for a child change carries {@link #PREVIOUS}: what that function makes of the
 * row forwarded for the key before. The result is the same table a chain of
 * left foreign-key joins gives (the derived column is JSON null when the foreign key is NULL or the
 * parent is absent), reached in one hop for child changes. A parent change costs one hop more
 * than the child's own (the multicast), as in a foreign-key join.
 *
 * <p>Every processor of one lookup runs in the same task, one record at a time; all stores have
 * changelogs and, with exactly_once_v2, commit with what was forwarded. The multicast needs the
 * parent's repartition topic to have as many partitions as the child's source topic (checked at
 * start-up: {@code KafkaTopics.requireEduTopicsPartitionedAlike}).
 */
final class BroadcastLookup {

  /**
   * Header on a row or tombstone the {@link ChildSide} forwards for a child change when it has a
   * {@code previousSummary}: that function's bytes for the row forwarded for the key before (its
   * value for null when there was none). A later step of the same task learns from it which of
   * its own records for the key may be live without a store of its own (the grades send a
   * tombstone only for a slot that may hold a grade: {@code EduToLmsTopology#grades}), or whether
   * the receivers of what it multicasts already hold it ({@link DropUnchangedProjection}: the
   * journal's course and student for the grades, {@code EduToLmsTopology#journalForGrades}). Rows a
   * parent change re-derives carry no such header. With exactly_once_v2 the rows store commits
   * with what was forwarded, so the summary holds across restarts.
   */
  static final String PREVIOUS = "edu2lms.previous";

  /** The value of every reverse-index entry. */
  private static final byte[] EMPTY = new byte[0];

  private BroadcastLookup() {}

  /** The {@link #PREVIOUS} header's bytes, or null when the record carries none. */
  static byte[] previous(Headers headers) {
    Header h = headers.lastHeader(PREVIOUS);
    return h == null ? null : h.value();
  }

  /** A record with the {@link #PREVIOUS} header added (on a copy of its headers). */
  static <V> FixedKeyRecord<Long, V> withPrevious(FixedKeyRecord<Long, V> record, byte[] summary) {
    Headers headers = new RecordHeaders(record.headers().toArray());
    headers.add(PREVIOUS, summary);
    return record.withHeaders(headers);
  }

  /**
   * A value mapping that is given the record's {@link #PREVIOUS} header (null when it has none)
   * and drops the record's headers, so that the header, which is for steps of the same task, does
   * not reach the LMS, quarantine or notes topics.
   *
   * @param mapper the mapping of a value (null for a deletion; may return null) and the header
   */
  static <V, R> FixedKeyProcessorSupplier<Long, V, R> mapValuesWithPrevious(BiFunction<V, byte[], R> mapper) {
    return () ->
        new FixedKeyProcessor<>() {
          private FixedKeyProcessorContext<Long, R> context;

          @Override
          public void init(FixedKeyProcessorContext<Long, R> context) {
            this.context = context;
          }

          @Override
          public void process(FixedKeyRecord<Long, V> record) {
            R value = mapper.apply(record.value(), previous(record.headers()));
            context.forward(record.withValue(value).withHeaders(new RecordHeaders()));
          }
        };
  }

  /** As {@link #mapValuesWithPrevious} for a mapping that does not read the header. */
  static <V, R> FixedKeyProcessorSupplier<Long, V, R> mapValuesWithoutHeaders(Function<V, R> mapper) {
    return mapValuesWithPrevious((value, previous) -> mapper.apply(value));
  }

  /** Reads a stored row ({@link EduRowStoreSerde}); null stays null. */
  static EduRow read(Deserializer<EduRow> deserializer, byte[] stored) {
    return stored == null ? null : deserializer.deserialize(null, stored);
  }

  /**
   * One reference of the child table.
   *
   * @param name the parent's name in store and topic names ({@code <lookup>-<name>-copy}, …)
   * @param as the derived column set on the child ({@code _offering}, …)
   * @param foreignKey the child's foreign key, null when NULL; a key that cannot be read counts as
   *     NULL (the mapping reads the column itself and reports it)
   * @param extract what the child derives from a parent row that exists and maps
   */
  record Parent(String name, String as, Function<EduRow, Long> foreignKey, Function<EduRow, JsonNode> extract) {

    /** The copy of the parent: parent id → {@code extract(parent)} as an {@link EduRow} with LSN 0. */
    String copyStore(String lookup) {
      return lookup + "-" + name + "-copy";
    }

    /** The reverse index: 16 bytes (parent id, child id) → empty. */
    String indexStore(String lookup) {
      return lookup + "-" + name + "-index";
    }

    /** The repartition topic (name) that multicasts the parent's changes. */
    String broadcast(String lookup) {
      return lookup + "-" + name + "-broadcast";
    }

    /** The foreign key of a child row, null when NULL or unreadable. */
    Long keyOf(EduRow child) {
      try {
        return foreignKey.apply(child);
      } catch (RuntimeException e) {
        return null;
      }
    }
  }

  /** The store of the child rows with their derived columns: child id → Smile bytes of EduRow. */
  static String rowsStore(String lookup) {
    return lookup + "-rows";
  }

  /** Every store of a lookup, to connect to each of its processors. */
  static String[] stores(String lookup, List<Parent> parents) {
    List<String> out = new ArrayList<>();
    out.add(rowsStore(lookup));
    for (Parent p : parents) {
      out.add(p.copyStore(lookup));
      out.add(p.indexStore(lookup));
    }
    return out.toArray(String[]::new);
  }

  /**
   * An index key: the parent id, then the child id, each 8 bytes big-endian with the sign bit
   * flipped, so that the keys of one parent are one contiguous, ordered range.
   */
  static Bytes indexKey(long parentId, long childId) {
    return Bytes.wrap(ByteBuffer.allocate(16).putLong(parentId ^ Long.MIN_VALUE).putLong(childId ^ Long.MIN_VALUE).array());
  }

  /** The child id of an index key. */
  static long childOf(Bytes indexKey) {
    return ByteBuffer.wrap(indexKey.get()).getLong(8) ^ Long.MIN_VALUE;
  }

  /** The stores of one lookup as its processors see them. */
  private static final class Stores {
    final KeyValueStore<Long, byte[]> rows;
    final List<KeyValueStore<Long, EduRow>> copies = new ArrayList<>();
    final List<KeyValueStore<Bytes, byte[]>> indexes = new ArrayList<>();

    @SuppressWarnings("unchecked")
    Stores(Function<String, StateStore> context, String lookup, List<Parent> parents) {
      rows = (KeyValueStore<Long, byte[]>) context.apply(rowsStore(lookup));
      for (Parent p : parents) {
        copies.add((KeyValueStore<Long, EduRow>) context.apply(p.copyStore(lookup)));
        indexes.add((KeyValueStore<Bytes, byte[]>) context.apply(p.indexStore(lookup)));
      }
    }
  }

  /**
   * Child changes (key: child id; value: the EDU row, null when deleted): keeps the reverse
   * indexes, derives every column from the copies and forwards the row when it changed.
   */
  static final class ChildSide implements FixedKeyProcessor<Long, EduRow, EduRow> {
    private final String lookup;
    private final List<Parent> parents;
    private final Function<EduRow, byte[]> previousSummary;
    private final Serializer<EduRow> serializer = new EduRowStoreSerde().serializer();
    private final Deserializer<EduRow> deserializer = new EduRowStoreSerde().deserializer();
    private FixedKeyProcessorContext<Long, EduRow> context;
    private Stores stores;

    /**
     * @param lookup the lookup's name (store prefix)
     * @param parents the child's references, in the order their columns are added
     * @param previousSummary what the {@link #PREVIOUS} header of each forwarded child change
     *     holds, from the row forwarded for the key before (null when none); null: no header
     */
    ChildSide(String lookup, List<Parent> parents, Function<EduRow, byte[]> previousSummary) {
      this.lookup = lookup;
      this.parents = List.copyOf(parents);
      this.previousSummary = previousSummary;
    }

    @Override
    public void init(FixedKeyProcessorContext<Long, EduRow> context) {
      this.context = context;
      this.stores = new Stores(name -> context.getStateStore(name), lookup, parents);
    }

    @Override
    public void process(FixedKeyRecord<Long, EduRow> record) {
      long id = record.key();
      EduRow row = record.value();
      byte[] previousBytes = stores.rows.get(id);
      EduRow previous = read(deserializer, previousBytes);
      for (int i = 0; i < parents.size(); i++) {
        Parent p = parents.get(i);
        Long before = previous == null ? null : p.keyOf(previous);
        Long after = row == null ? null : p.keyOf(row);
        if (!Objects.equals(before, after)) {
          if (before != null) {
            stores.indexes.get(i).delete(indexKey(before, id));
          }
          if (after != null) {
            stores.indexes.get(i).put(indexKey(after, id), EMPTY);
          }
        }
      }
      if (row == null) {
        if (previousBytes != null) {
          stores.rows.delete(id);
          context.forward(marked(record, previous));
        }
        return;
      }
      EduRow derived = row;
      for (int i = 0; i < parents.size(); i++) {
        Long parentId = parents.get(i).keyOf(row);
        EduRow contribution = parentId == null ? null : stores.copies.get(i).get(parentId);
        derived = derived.with(parents.get(i).as(), contribution == null ? null : contribution.row());
      }
      byte[] next = serializer.serialize(null, derived);
      if (previousBytes != null && Arrays.equals(previousBytes, next)) {
        return;
      }
      stores.rows.put(id, next);
      context.forward(marked(record.withValue(derived), previous));
    }

    private FixedKeyRecord<Long, EduRow> marked(FixedKeyRecord<Long, EduRow> record, EduRow previous) {
      return previousSummary == null ? record : withPrevious(record, previousSummary.apply(previous));
    }
  }

  /**
   * Changes of one parent, received by every task (key: parent id; value: {@code
   * extract(parent)} as an {@link EduRow}, null when the parent is deleted or does not map):
   * updates the copy and re-derives the task's children that reference the parent, forwarding
   * those whose row changed, keyed by the child id. A change that leaves the copy as it was
   * forwards nothing.
   */
  static final class ParentSide implements Processor<Long, EduRow, Long, EduRow> {
    private final String lookup;
    private final List<Parent> parents;
    private final int index;
    private final Serializer<EduRow> serializer = new EduRowStoreSerde().serializer();
    private final Deserializer<EduRow> deserializer = new EduRowStoreSerde().deserializer();
    private ProcessorContext<Long, EduRow> context;
    private Stores stores;

    /**
     * @param lookup the lookup's name (store prefix)
     * @param parents all references of the child
     * @param index which of them this processor receives
     */
    ParentSide(String lookup, List<Parent> parents, int index) {
      this.lookup = lookup;
      this.parents = List.copyOf(parents);
      this.index = index;
    }

    @Override
    public void init(ProcessorContext<Long, EduRow> context) {
      this.context = context;
      this.stores = new Stores(name -> context.getStateStore(name), lookup, parents);
    }

    @Override
    public void process(Record<Long, EduRow> record) {
      long parentId = record.key();
      KeyValueStore<Long, EduRow> copy = stores.copies.get(index);
      EduRow before = copy.get(parentId);
      EduRow after = record.value();
      JsonNode beforeValue = before == null ? null : before.row();
      JsonNode afterValue = after == null ? null : after.row();
      if (Objects.equals(beforeValue, afterValue)) {
        return;
      }
      if (after == null) {
        copy.delete(parentId);
      } else {
        copy.put(parentId, new EduRow(afterValue, 0));
      }
      String as = parents.get(index).as();
      try (KeyValueIterator<Bytes, byte[]> children =
          stores.indexes.get(index).range(indexKey(parentId, Long.MIN_VALUE), indexKey(parentId, Long.MAX_VALUE))) {
        while (children.hasNext()) {
          long childId = childOf(children.next().key);
          byte[] stored = stores.rows.get(childId);
          if (stored == null) {
            continue; // indexed but never derived: cannot happen, the child side writes both
          }
          EduRow derived = deserializer.deserialize(null, stored).with(as, afterValue);
          byte[] next = serializer.serialize(null, derived);
          if (!Arrays.equals(stored, next)) {
            stores.rows.put(childId, next);
            context.forward(new Record<>(childId, derived, record.timestamp()));
          }
        }
      }
    }
  }
}
