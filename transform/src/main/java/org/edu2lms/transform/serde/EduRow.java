package org.edu2lms.transform.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * The current image of one EDU row as the transform keeps it: the columns (Debezium's
 * {@code after}, numerics as strings) and the LSN of the change that produced it. Derived rows of
 * the topology (a row joined with a label, say) add columns whose names start with {@code _} and
 * carry the highest LSN of their inputs.
 *
 * @param row the column values, never null
 * @param lsn the EDU log sequence number of the newest input, 0 when unknown
 */
public record EduRow(JsonNode row, long lsn) {

  public EduRow {
    Objects.requireNonNull(row, "row");
  }

  /**
   * A copy with one derived column added and the LSN raised to {@code otherLsn} if higher.
   *
   * @param column a derived column name, starting with {@code _}
   * @param value the JSON value ({@code null} → JSON null)
   */
  public EduRow with(String column, JsonNode value, long otherLsn) {
    ObjectNode copy = ((ObjectNode) row).deepCopy();
    copy.set(column, value == null ? copy.nullNode() : value);
    return new EduRow(copy, Math.max(lsn, otherLsn));
  }
}
