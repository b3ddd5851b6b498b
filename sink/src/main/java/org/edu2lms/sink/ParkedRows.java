package org.edu2lms.sink;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The {@code edu2lms.parked} table: rows the sink could not write yet because a referenced row (or
 * the other side of a unique constraint) is still in flight. Written in the batch's transaction,
 * so a parked row survives a sink restart; retried after later batches and on a timer.
 *
 * <p>Rows parked longer than the grace period are also entered in {@code edu2lms.quarantine} with
 * origin {@code sink} ({@link #quarantineExpired}); the entry is removed in the transaction that
 * finally writes or deletes the row ({@link #remove}). Flyway V3 documents the columns.
 */
final class ParkedRows {

  /**
   * One parked row.
   *
   * @param table the LMS table
   * @param id the row's UUID
   * @param payload the record as it arrived (Avro single-object encoding)
   * @param sourceLsn the record's source position
   * @param reason why it could not be written ({@code missing_parent:<edu table>}, {@code
   *     conflict:<lms constraint>})
   * @param detail the LMS column and value, or the constraint's detail
   * @param source the EDU row it comes from, for the quarantine
   * @param waitingTable the LMS table of the missing parent; {@link #NEVER} for a rejected row;
   *     {@code null} when the row waits for a unique value
   * @param waitingFor the missing parent's id, or {@code null}
   */
  record Parked(
      String table,
      String id,
      byte[] payload,
      long sourceLsn,
      String reason,
      String detail,
      SourceIdentity source,
      String waitingTable,
      String waitingFor) {}

  /** {@code waiting_table} of a row the LMS rejected: not retried, only replaced by a newer version. */
  static final String NEVER = "-";

  private static final String SAVE =
      "INSERT INTO edu2lms.parked (lms_table, id, payload, source_lsn, reason, detail, source_table, source_id, component,"
          + " waiting_table, waiting_for, first_seen, last_try)"
          + " VALUES (?, ?::uuid, ?, ?, ?, ?, ?, ?, ?, ?, ?::uuid, now(), now())"
          + " ON CONFLICT (lms_table, id) DO UPDATE SET payload = EXCLUDED.payload, source_lsn = EXCLUDED.source_lsn,"
          + " reason = EXCLUDED.reason, detail = EXCLUDED.detail, source_table = EXCLUDED.source_table,"
          + " source_id = EXCLUDED.source_id, component = EXCLUDED.component, waiting_table = EXCLUDED.waiting_table,"
          + " waiting_for = EXCLUDED.waiting_for, last_try = now()"
          + " WHERE edu2lms.parked.source_lsn <= EXCLUDED.source_lsn";

  /**
   * Removes parked rows (written now, or deleted by a tombstone) and, in the same statement, the
   * quarantine entries the grace period gave them.
   */
  private static final String REMOVE =
      "WITH gone AS (DELETE FROM edu2lms.parked WHERE lms_table = ? AND id = ANY (?)"
          + " RETURNING source_table, source_id, component)"
          + " DELETE FROM edu2lms.quarantine q USING gone"
          + " WHERE q.origin = 'sink' AND q.source_table = gone.source_table AND q.source_id = gone.source_id"
          + " AND q.component = gone.component";

  /**
   * Quarantines rows parked for longer than the grace period, unless the transform already
   * quarantined the same EDU row (its entry wins, it has the better reason).
   */
  private static final String QUARANTINE_EXPIRED =
      "INSERT INTO edu2lms.quarantine"
          + " (source_table, source_id, component, reason, detail, first_seen, last_seen, source_lsn, origin)"
          + " SELECT DISTINCT ON (source_table, source_id, component) source_table, source_id, component, reason,"
          + " 'parked by the sink since ' || first_seen || ': ' || coalesce(detail, lms_table || ' ' || id),"
          + " first_seen, now(), source_lsn, 'sink'"
          + " FROM edu2lms.parked WHERE source_table IS NOT NULL AND first_seen < now() - ?::interval"
          + " ORDER BY source_table, source_id, component, source_lsn DESC"
          + " ON CONFLICT (source_table, source_id, component) DO UPDATE SET reason = EXCLUDED.reason,"
          + " detail = EXCLUDED.detail, last_seen = now() WHERE edu2lms.quarantine.origin = 'sink'"
          // Only a changed reason is written again: a sweep must not rewrite every entry each time.
          + " AND edu2lms.quarantine.reason IS DISTINCT FROM EXCLUDED.reason";

  void save(Connection c, Collection<Parked> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(SAVE)) {
      for (Parked p : rows) {
        ps.setString(1, p.table());
        ps.setString(2, p.id());
        ps.setBytes(3, p.payload());
        ps.setLong(4, p.sourceLsn());
        ps.setString(5, p.reason());
        ps.setString(6, p.detail());
        ps.setString(7, p.source().sourceTable());
        ps.setLong(8, p.source().sourceId());
        ps.setShort(9, (short) p.source().component());
        ps.setString(10, p.waitingTable());
        ps.setString(11, p.waitingFor());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Removes parked rows and their grace-period quarantine entries. */
  void remove(Connection c, String table, Collection<String> ids) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(REMOVE)) {
      ps.setString(1, table);
      Array arr = c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray());
      ps.setArray(2, arr);
      ps.executeUpdate();
    }
  }

  /**
   * The parked rows of one LMS table that may land now: those whose missing parent exists (an
   * index lookup each), those waiting for a unique value, and in a self-referencing table those
   * waiting for another parked row of the table (a cycle lands in one statement); not the ones
   * the LMS rejected.
   */
  List<Parked> loadReady(Connection c, LmsTable table) throws SQLException {
    StringBuilder ready = new StringBuilder("p.waiting_table IS NULL");
    table.references().stream()
        .map(LmsTable.Reference::parent)
        .distinct()
        .forEach(
            parent ->
                ready.append(" OR (p.waiting_table = '").append(parent).append("' AND EXISTS (SELECT 1 FROM ")
                    .append(parent).append(" x WHERE x.id = p.waiting_for))"));
    if (table.selfReference().isPresent()) {
      // A self-reference: rows parked waiting for each other (a cycle) are retried together.
      ready.append(" OR (p.waiting_table = p.lms_table AND EXISTS (SELECT 1 FROM edu2lms.parked q WHERE q.lms_table = p.lms_table AND q.id = p.waiting_for))");
    }
    List<Parked> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id::text, payload, source_lsn, reason, detail, source_table, source_id, component, waiting_table,"
                + " waiting_for::text FROM edu2lms.parked p WHERE p.lms_table = ? AND (" + ready + ")")) {
      ps.setString(1, table.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          SourceIdentity source =
              rs.getString(6) == null ? null : new SourceIdentity(rs.getString(6), rs.getLong(7), rs.getShort(8));
          out.add(
              new Parked(
                  table.name(), rs.getString(1), rs.getBytes(2), rs.getLong(3), rs.getString(4), rs.getString(5), source,
                  rs.getString(9), rs.getString(10)));
        }
      }
    }
    return out;
  }

  /**
   * Enters rows parked for longer than {@code grace} in the quarantine (origin {@code sink}).
   *
   * @return the number of quarantine entries inserted or refreshed
   */
  int quarantineExpired(Connection c, Duration grace) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(QUARANTINE_EXPIRED)) {
      ps.setString(1, grace.toMillis() + " milliseconds");
      return ps.executeUpdate();
    }
  }

  /** The LMS tables that have parked rows now. */
  static java.util.Set<String> tables(Connection c) throws SQLException {
    java.util.Set<String> out = new java.util.HashSet<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT DISTINCT lms_table FROM edu2lms.parked")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** Rows parked now. */
  static long count(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM edu2lms.parked")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
