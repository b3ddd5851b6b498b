package org.edu2lms.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import org.edu2lms.schemas.lms.QuarantineRecord;

/**
 * Materializes the {@code edu2lms.quarantine} topic into the table of the same name (lms.md
 * §edu2lms.quarantine): a record upserts its row (first_seen kept, last_seen now), a tombstone
 * deletes it: the EDU row became mappable or was deleted. Entries of origin {@code sink} (rows
 * parked past the grace period, Flyway V3) are the sink's own and are left to {@link ParkedRows}.
 */
final class QuarantineWriter {

  private static final String UPSERT =
      "INSERT INTO edu2lms.quarantine"
          + " (source_table, source_id, component, reason, detail, first_seen, last_seen, source_lsn, origin)"
          + " VALUES (?, ?, ?, ?, ?, now(), now(), ?, 'transform')"
          + " ON CONFLICT (source_table, source_id, component) DO UPDATE SET reason = EXCLUDED.reason,"
          + " detail = EXCLUDED.detail, last_seen = now(), source_lsn = EXCLUDED.source_lsn, origin = 'transform'"
          + " WHERE edu2lms.quarantine.source_lsn <= EXCLUDED.source_lsn OR edu2lms.quarantine.origin = 'sink'";

  /**
   * One set-based statement per batch: most keys are tombstones of rows that were never
   * quarantined (the transform emits one with every accepted row), so a statement per key would
   * cost the database as much as the LMS rows themselves.
   */
  private static String deleteSql(String table, String condition) {
    return "DELETE FROM " + table
        + " q USING unnest(?::text[], ?::bigint[], ?::smallint[]) AS k(source_table, source_id, component)"
        + " WHERE q.source_table = k.source_table AND q.source_id = k.source_id AND q.component = k.component"
        + condition;
  }

  /**
   * Upserts the transform's quarantine decisions (origin {@code transform}).
   *
   * @throws SQLException naming the quarantine table
   */
  void upsert(Connection c, Collection<QuarantineRecord> records) throws SQLException {
    write(c, UPSERT, records);
  }

  private static void write(Connection c, String sql, Collection<QuarantineRecord> records) throws SQLException {
    if (records.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (QuarantineRecord r : records) {
        ps.setString(1, r.getSourceTable());
        ps.setLong(2, r.getSourceId());
        ps.setShort(3, (short) r.getComponent());
        ps.setString(4, r.getReason());
        ps.setString(5, r.getDetail());
        ps.setLong(6, r.getSourceLsn());
        ps.addBatch();
      }
      ps.executeBatch();
    } catch (SQLException e) {
      throw new SQLException(
          "failed to upsert " + records.size() + " rows into edu2lms.quarantine: " + e.getMessage(), e.getSQLState(), e);
    }
  }

  private static final String UPSERT_FROM_SINK =
      "INSERT INTO edu2lms.quarantine"
          + " (source_table, source_id, component, reason, detail, first_seen, last_seen, source_lsn, origin)"
          + " VALUES (?, ?, ?, ?, ?, now(), now(), ?, 'sink')"
          + " ON CONFLICT (source_table, source_id, component) DO UPDATE SET reason = EXCLUDED.reason,"
          + " detail = EXCLUDED.detail, last_seen = now(), source_lsn = EXCLUDED.source_lsn"
          + " WHERE edu2lms.quarantine.origin = 'sink'";

  /**
   * Quarantines rows the LMS rejected (origin {@code sink}); an entry of the transform for the same
   * EDU row is left as it is.
   *
   * @throws SQLException naming the quarantine table
   */
  void upsertFromSink(Connection c, Collection<QuarantineRecord> records) throws SQLException {
    write(c, UPSERT_FROM_SINK, records);
  }

  /** Rows in the quarantine that the sink put there (origin {@code sink}). */
  static long countFromSink(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM edu2lms.quarantine WHERE origin = 'sink'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Checks a quarantine or notes topic key {@code <source_table>:<source_id>:<component>}.
   *
   * @throws IllegalArgumentException when the key is not of that shape
   */
  static void parseKey(String key) {
    String[] parts = key.split(":");
    if (parts.length != 3 || parts[0].isEmpty()) {
      throw new IllegalArgumentException("key is not <table>:<id>:<component>: " + key);
    }
    try {
      Long.parseLong(parts[1]);
      Short.parseShort(parts[2]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("key is not <table>:<id>:<component>: " + key, e);
    }
  }

  /**
   * Deletes by topic key {@code <source_table>:<source_id>:<component>}.
   *
   * @throws IllegalArgumentException when a key is not of that shape
   */
  void delete(Connection c, Collection<String> keys) throws SQLException {
    deleteByKeys(c, "edu2lms.quarantine", " AND q.origin = 'transform'", keys);
  }

  /**
   * Deletes rows of a table keyed (source_table, source_id, component) by topic keys
   * {@code <source_table>:<source_id>:<component>}, in one statement.
   *
   * @param condition a fixed SQL condition on {@code q} ANDed to the key match, or empty
   * @throws IllegalArgumentException when a key is not of that shape
   */
  static void deleteByKeys(Connection c, String table, String condition, Collection<String> keys) throws SQLException {
    if (keys.isEmpty()) {
      return;
    }
    String[] tables = new String[keys.size()];
    Long[] ids = new Long[keys.size()];
    Short[] components = new Short[keys.size()];
    int i = 0;
    for (String key : keys) {
      String[] parts = key.split(":");
      if (parts.length != 3) {
        throw new IllegalArgumentException("quarantine key is not <table>:<id>:<component>: " + key);
      }
      tables[i] = parts[0];
      ids[i] = Long.parseLong(parts[1]);
      components[i] = Short.parseShort(parts[2]);
      i++;
    }
    try (PreparedStatement ps = c.prepareStatement(deleteSql(table, condition))) {
      ps.setArray(1, c.createArrayOf("text", tables));
      ps.setArray(2, c.createArrayOf("bigint", ids));
      ps.setArray(3, c.createArrayOf("smallint", components));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new SQLException(
          "failed to delete " + keys.size() + " rows from " + table + ": " + e.getMessage(), e.getSQLState(), e);
    }
  }
}
