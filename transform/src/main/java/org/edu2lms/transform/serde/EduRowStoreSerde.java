package org.edu2lms.transform.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link EduRow} in the transform's own state stores, changelogs and internal topics: Smile
 * (Jackson's binary JSON) of {@code {"l": lsn, "r": row}}. Parsing JSON text was the largest cost
 * of the transform (profiled: benchmark notes in the README); Smile keeps the same data model at a
 * fraction of it. The {@code edu.public.*} topics stay Debezium JSON ({@link EduRowSerde}).
 */
public final class EduRowStoreSerde implements Serde<EduRow> {

  private static final ObjectMapper SMILE = new ObjectMapper(new SmileFactory());

  @Override
  public Serializer<EduRow> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      ObjectNode node = SMILE.createObjectNode();
      node.put("l", value.lsn());
      node.set("r", value.row());
      try {
        return SMILE.writeValueAsBytes(node);
      } catch (IOException e) {
        throw new SerializationException("cannot write row for " + topic, e);
      }
    };
  }

  @Override
  public Deserializer<EduRow> deserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      try {
        JsonNode node = SMILE.readTree(data);
        return new EduRow(node.get("r"), node.get("l").asLong());
      } catch (IOException | RuntimeException e) {
        throw new SerializationException("stored row of " + topic + " is not Smile {l, r}", e);
      }
    };
  }
}
