package org.edu2lms.transform.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
   * Reads an envelope in one streaming pass: only {@code op}, the {@code after} image (as a tree)
   * and {@code source.lsn} are kept; {@code before}, the rest of {@code source} and {@code
   * transaction} are skipped without building them (docs/benchmarks §Decoding: the whole-tree
   * read was the transform's largest CPU item, and every join hop reads source rows again).
   *
   * @throws SerializationException when the bytes are not a JSON change-event envelope
   */
  @Override
  public Deserializer<EduRow> deserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      try (JsonParser p = JSON.getFactory().createParser(data)) {
        JsonToken first = p.nextToken();
        return first == JsonToken.START_OBJECT ? readEnvelope(p, topic) : null;
      } catch (JsonProcessingException e) {
        throw new SerializationException("change event on " + topic + " is not JSON", e);
      } catch (IOException e) {
        throw new SerializationException("cannot read change event on " + topic, e);
      }
    };
  }

  /**
   * The row of an envelope whose {@code START_OBJECT} was just read; {@code null} for a delete.
   * A Connect JSON value written with schemas enabled ({@code {"schema":…,"payload":{…}}}) is read
   * from its payload.
   */
  private static EduRow readEnvelope(JsonParser p, String topic) throws IOException {
    String op = "";
    JsonNode after = null;
    long lsn = 0;
    boolean schema = false;
    boolean payloadSeen = false;
    JsonNode payload = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "op" -> {
          op = value == JsonToken.VALUE_STRING ? p.getText() : "";
          p.skipChildren();
        }
        case "after" -> after = (JsonNode) JSON.readTree(p);
        case "source" -> lsn = value == JsonToken.START_OBJECT ? readLsn(p) : skip(p);
        case "schema" -> {
          schema = true;
          p.skipChildren();
        }
        // Kept whole: used only when "schema" is there too (the rare schemas-enabled form).
        case "payload" -> {
          payloadSeen = true;
          payload = (JsonNode) JSON.readTree(p);
        }
        default -> p.skipChildren();
      }
    }
    if (schema && payloadSeen) {
      return fromTree(payload, topic);
    }
    return row(op, after, lsn, topic);
  }

  /** The row of a schemas-enabled value's payload, read as a tree. */
  private static EduRow fromTree(JsonNode envelope, String topic) {
    if (envelope == null || envelope.isNull()) {
      return null;
    }
    return row(envelope.path("op").asText(""), envelope.get("after"), envelope.path("source").path("lsn").asLong(0), topic);
  }

  private static EduRow row(String op, JsonNode after, long lsn, String topic) {
    if ("d".equals(op) || after == null || after.isNull()) {
      return null;
    }
    if (!after.isObject()) {
      throw new SerializationException("change event on " + topic + " has a non-object after image");
    }
    return new EduRow(after, lsn);
  }

  /**
   * {@code source.lsn} of a {@code source} object whose {@code START_OBJECT} was just read; 0 when
   * absent; read as Jackson's {@code asLong} reads it (numbers truncated, numeric text parsed).
   */
  private static long readLsn(JsonParser p) throws IOException {
    long lsn = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      if (field.equals("lsn")) {
        JsonNode value = JSON.readTree(p);
        lsn = value == null ? 0 : value.asLong(0);
      } else {
        p.skipChildren();
      }
    }
    return lsn;
  }

  private static long skip(JsonParser p) throws IOException {
    p.skipChildren();
    return 0;
  }

}
