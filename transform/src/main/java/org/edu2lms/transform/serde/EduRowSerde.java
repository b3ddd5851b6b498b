package org.edu2lms.transform.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Reads Debezium change-event values (JSON envelope without inline schema) as {@link EduRow}, and
 * writes an {@link EduRow} as an envelope of the same shape ({@code {"op":"r","after":…,
 * "source":{"lsn":…}}}), so one serde serves the {@code edu.public.*} topics and the transform's
 * own state stores and changelogs.
 *
 * <p>A delete ({@code op = d}) or a tombstone reads as {@code null}: the row is gone.
 */
public final class EduRowSerde implements Serde<EduRow> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Serializer<EduRow> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      ObjectNode envelope = JSON.createObjectNode();
      envelope.put("op", "r");
      envelope.set("after", value.row());
      envelope.putObject("source").put("lsn", value.lsn());
      try {
        return JSON.writeValueAsBytes(envelope);
      } catch (IOException e) {
        throw new SerializationException("cannot write row of " + topic, e);
      }
    };
  }

  /**
   * @throws SerializationException when the bytes are not a JSON change-event envelope
   */
  @Override
  public Deserializer<EduRow> deserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      JsonNode envelope;
      try {
        envelope = JSON.readTree(data);
      } catch (IOException e) {
        throw new SerializationException("change event on " + topic + " is not JSON", e);
      }
      // A Connect JSON value written with schemas enabled nests the envelope under "payload".
      if (envelope.has("payload") && envelope.has("schema")) {
        envelope = envelope.get("payload");
      }
      if (envelope == null || envelope.isNull()) {
        return null;
      }
      String op = envelope.path("op").asText("");
      JsonNode after = envelope.get("after");
      if ("d".equals(op) || after == null || after.isNull()) {
        return null;
      }
      if (!after.isObject()) {
        throw new SerializationException("change event on " + topic + " has a non-object after image");
      }
      return new EduRow(after, envelope.path("source").path("lsn").asLong(0));
    };
  }
}
