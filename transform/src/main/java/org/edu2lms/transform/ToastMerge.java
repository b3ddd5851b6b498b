package org.edu2lms.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.edu2lms.transform.serde.EduRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces Debezium's unavailable-value placeholder (an unchanged TOASTed column of an update
 * event, architecture.md principle 6) with the column's value from the row's previous image, kept
 * in a state store. A delete removes the image. If no previous image exists (never seen the
 * insert), the column becomes NULL and a warning is logged: a placeholder never reaches LMS.
 */
final class ToastMerge implements FixedKeyProcessor<Long, EduRow, EduRow> {

  private static final Logger LOG = LoggerFactory.getLogger(ToastMerge.class);

  private final String storeName;
  private final String placeholder;
  private FixedKeyProcessorContext<Long, EduRow> context;
  private KeyValueStore<Long, EduRow> images;

  ToastMerge(String storeName, String placeholder) {
    this.storeName = storeName;
    this.placeholder = placeholder;
  }

  @Override
  public void init(FixedKeyProcessorContext<Long, EduRow> context) {
    this.context = context;
    this.images = context.getStateStore(storeName);
  }

  @Override
  public void process(FixedKeyRecord<Long, EduRow> record) {
    EduRow row = record.value();
    if (row == null) {
      images.delete(record.key());
      context.forward(record);
      return;
    }
    EduRow merged = merge(record.key(), row, images.get(record.key()));
    images.put(record.key(), merged);
    context.forward(record.withValue(merged));
  }

  private EduRow merge(Long id, EduRow row, EduRow previous) {
    ObjectNode copy = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = row.row().fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getValue().isTextual() && placeholder.equals(f.getValue().asText())) {
        if (copy == null) {
          copy = ((ObjectNode) row.row()).deepCopy();
        }
        JsonNode old = previous == null ? null : previous.row().get(f.getKey());
        if (old == null) {
          LOG.warn("row {} has an unavailable TOAST value in {} and no previous image; written as NULL", id, f.getKey());
          copy.putNull(f.getKey());
        } else {
          copy.set(f.getKey(), old);
        }
      }
    }
    return copy == null ? row : new EduRow(copy, row.lsn());
  }
}
