package org.edu2lms.cli.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.edu2lms.schemas.EduTables;

/**
 * {@code edu2lms reload}: asks the running capture for a Debezium incremental snapshot of one EDU
 * table, or of the rows matching a condition, while streaming continues. The request is an {@code
 * execute-snapshot} signal row inserted into the signal table {@link EduTables#SIGNAL} in EDU
 * (Debezium's source signal channel: it reads the insert from the WAL, so the request is ordered
 * with the changes around it). The re-read rows travel as ordinary read events through the
 * transform and the sink, which apply them idempotently (same content, the sink's position guard).
 * Needs INSERT on the signal table.
 */
public final class Reload {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Reload() {}

  /**
   * Checks the request without sending anything.
   *
   * @param table an EDU table of {@link EduTables#ALL}
   * @param condition an SQL condition over the table's columns, or null for every row
   * @return the number of rows the request covers now
   * @throws IllegalArgumentException for an unknown table, or a condition EDU rejects (with its
   *     message), or one holding a {@code ;}
   */
  public static long validate(Connection edu, String table, String condition) throws SQLException {
    if (!EduTables.ALL.contains(table)) {
      throw new IllegalArgumentException("unknown EDU table '" + table + "'; the tables are: " + String.join(", ", EduTables.ALL));
    }
    if (condition != null && (condition.isBlank() || condition.contains(";"))) {
      throw new IllegalArgumentException("--where must be one SQL condition over the columns of " + table + " (no ';'), got: " + condition);
    }
    boolean autoCommit = edu.getAutoCommit();
    edu.setAutoCommit(false);
    try (Statement st = edu.createStatement()) {
      st.execute("SET TRANSACTION READ ONLY");
      // The condition is operator input by design (Debezium's additional-conditions): it is only
      // checked here, in a read-only transaction, and sent to Debezium as data, never executed here
      // otherwise.
      try (var rs = st.executeQuery("SELECT count(*) FROM public." + table + (condition == null ? "" : " WHERE " + condition))) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException("--where is not a valid condition on " + table + ": " + e.getMessage(), e);
    } finally {
      edu.rollback();
      edu.setAutoCommit(autoCommit);
    }
  }

  /**
   * A sent request.
   *
   * @param signalId the signal table's primary key of the request
   * @param rows the rows it covered when it was validated
   */
  public record Request(String signalId, long rows) {}

  /**
   * Validates, then inserts the signal.
   *
   * @throws IllegalArgumentException as {@link #validate}; nothing is sent then
   * @throws SQLException when the signal cannot be inserted (e.g. no INSERT right on it)
   */
  public static Request request(Connection edu, String table, String condition) throws SQLException {
    long rows = validate(edu, table, condition);
    ObjectNode data = JSON.createObjectNode();
    data.put("type", "incremental");
    data.putArray("data-collections").add("public." + table);
    if (condition != null) {
      ObjectNode c = data.putArray("additional-conditions").addObject();
      c.put("data-collection", "public." + table);
      c.put("filter", condition);
    }
    String id = UUID.randomUUID().toString(); // 36 characters: the signal table's id is varchar(42)
    try (PreparedStatement ps = edu.prepareStatement("INSERT INTO public." + EduTables.SIGNAL + " (id, type, data) VALUES (?, 'execute-snapshot', ?)")) {
      ps.setString(1, id);
      ps.setString(2, data.toString());
      ps.executeUpdate();
      if (!edu.getAutoCommit()) {
        edu.commit();
      }
    }
    return new Request(id, rows);
  }
}
