package org.edu2lms.transform.mapping;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed reads of the columns of an EDU row image (Debezium JSON, numerics as strings). */
public final class Rows {

  private Rows() {}

  /** A text column; {@code null} for SQL NULL or a missing column. */
  public static String text(JsonNode row, String column) {
    JsonNode v = row.get(column);
    return v == null || v.isNull() ? null : v.asText();
  }

  /**
   * An integer column (int2/int4/int8); {@code null} for SQL NULL.
   *
   * @throws IllegalArgumentException when the value is not an integer (a mapping_error)
   */
  public static Long longValue(JsonNode row, String column) {
    JsonNode v = row.get(column);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.canConvertToLong() && v.isIntegralNumber()) {
      return v.longValue();
    }
    if (v.isTextual()) {
      return Long.parseLong(v.asText().trim());
    }
    throw new IllegalArgumentException("column " + column + " is not an integer: " + v);
  }

  /** The EDU primary key {@code id}. */
  public static long id(JsonNode row) {
    Long id = longValue(row, "id");
    if (id == null) {
      throw new IllegalArgumentException("row has no id: " + row);
    }
    return id;
  }

  /** The flag rule of mapping.md §Values: {@code active = 1} → true, anything else false. */
  public static boolean flag(JsonNode row, String column) {
    Long v = longValue(row, column);
    return v != null && v == 1L;
  }
}
