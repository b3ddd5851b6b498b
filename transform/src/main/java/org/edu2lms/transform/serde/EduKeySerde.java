package org.edu2lms.transform.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The key of an EDU change event, Debezium's JSON {@code {"id":42}}, as a {@code Long}. The
 * serializer writes exactly the bytes Debezium's JSON converter writes, so keys the transform
 * produces (foreign-key join subscriptions, for one) partition the same way as the source topics.
 */
public final class EduKeySerde implements Serde<Long> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Serializer<Long> serializer() {
    return (topic, id) -> id == null ? null : ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @throws SerializationException when the key is not {@code {"id": <integer>}}
   */
  @Override
  public Deserializer<Long> deserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      Long fast = parseSimple(data);
      if (fast != null) {
        return fast;
      }
      try {
        JsonNode key = JSON.readTree(data);
        if (key.has("payload") && key.has("schema")) {
          key = key.get("payload");
        }
        JsonNode id = key.get("id");
        if (id == null || !id.canConvertToLong()) {
          throw new SerializationException("key on " + topic + " has no integer id: " + key);
        }
        return id.longValue();
      } catch (IOException e) {
        throw new SerializationException("key on " + topic + " is not JSON", e);
      }
    };
  }

  /** The exact shape Debezium writes, {@code {"id":<digits>}}, without a JSON parser; else null. */
  private static Long parseSimple(byte[] d) {
    int n = d.length;
    if (n < 8 || n > 26 || d[0] != '{' || d[1] != '"' || d[2] != 'i' || d[3] != 'd' || d[4] != '"' || d[5] != ':'
        || d[n - 1] != '}') {
      return null;
    }
    int i = 6;
    boolean negative = d[i] == '-';
    if (negative) {
      i++;
    }
    if (i >= n - 1) {
      return null;
    }
    long v = 0;
    for (; i < n - 1; i++) {
      int digit = d[i] - '0';
      if (digit < 0 || digit > 9 || v > (Long.MAX_VALUE - digit) / 10) {
        return null;
      }
      v = v * 10 + digit;
    }
    return negative ? -v : v;
  }
}
