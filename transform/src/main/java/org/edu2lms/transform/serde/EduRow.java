package org.edu2lms.transform.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * The current image of one EDU row as the transform keeps it: the columns (Debezium's
 * {@code after}, numerics as strings) and the LSN of the change that produced it. Derived rows of
 * the topology (a row joined with a label, say) add columns whose names start with {@code _} and
 * keep the LSN of the EDU row itself.
 *
 * @param row the column values, never null
 * @param lsn the EDU log sequence number of the newest input, 0 when unknown
 */
public record EduRow(JsonNode row, long lsn) {

  public EduRow {
    Objects.requireNonNull(row, "row");
  }

  /**
   * A copy with one derived column added, keeping this row's LSN. The sink's position guard
   * (a newer {@code source_lsn} wins; an equal one is written only when the values differ) needs a position that only grows per LMS row; the
   * highest LSN of a row's inputs does not: a re-emission caused by a parent's later change can
   * be processed before the child's own newer update (join round trips reorder them), and the
   * newer update, carrying a lower maximum, was then rejected as stale. The child's own LSN grows
   * with every change of the child, and parent-driven re-emissions carry an equal position, which
   * the guard accepts.
   *
   * @param column a derived column name, starting with {@code _}
   * @param value the JSON value ({@code null} → JSON null)
   */
  public EduRow with(String column, JsonNode value) {
    ObjectNode copy = ((ObjectNode) row).deepCopy();
    copy.set(column, value == null ? copy.nullNode() : value);
    return new EduRow(copy, lsn);
  }
}
