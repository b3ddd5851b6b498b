package org.edu2lms.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;

/**
 * Materializes the {@code edu2lms.data_quality_notes} topic into the table of the same name: a
 * value (comma-separated notes) upserts the row, a tombstone deletes it.
 */
final class NotesWriter {

  private static final String UPSERT =
      "INSERT INTO edu2lms.data_quality_notes (source_table, source_id, component, notes, last_seen)"
          + " VALUES (?, ?, ?, string_to_array(?, ','), now())"
          + " ON CONFLICT (source_table, source_id, component) DO UPDATE SET notes = EXCLUDED.notes, last_seen = now()";

  /**
   * @param notes topic key → comma-separated notes
   * @throws SQLException naming the table
   * @throws IllegalArgumentException when a key is not {@code <table>:<id>:<component>}
   */
  void upsert(Connection c, Map<String, String> notes) throws SQLException {
    if (notes.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
      for (Map.Entry<String, String> e : notes.entrySet()) {
        String[] parts = e.getKey().split(":");
        if (parts.length != 3) {
          throw new IllegalArgumentException("notes key is not <table>:<id>:<component>: " + e.getKey());
        }
        ps.setString(1, parts[0]);
        ps.setLong(2, Long.parseLong(parts[1]));
        ps.setShort(3, Short.parseShort(parts[2]));
        ps.setString(4, e.getValue());
        ps.addBatch();
      }
      ps.executeBatch();
    } catch (SQLException e) {
      throw new SQLException(
          "failed to upsert " + notes.size() + " rows into edu2lms.data_quality_notes: " + e.getMessage(), e.getSQLState(), e);
    }
  }

  /** Deletes by topic key (tombstones), in one statement. */
  void delete(Connection c, Collection<String> keys) throws SQLException {
    QuarantineWriter.deleteByKeys(c, "edu2lms.data_quality_notes", "", keys);
  }
}
