package org.edu2lms.sink;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The {@code edu2lms.parked} table: rows the sink could not write yet because a referenced row (or
 * the other side of a unique constraint) is still in flight. Written in the batch's transaction,
 * so a parked row survives a sink restart; retried after later batches.
 */
final class ParkedRows {

  /**
   * One parked row.
   *
   * @param table the LMS table
   * @param id the row's UUID
   * @param payload the record as it arrived (Avro single-object encoding)
   * @param sourceLsn the record's source position
   * @param reason why it could not be written ({@code missing_parent:<table>}, {@code conflict:<constraint>})
   */
  record Parked(String table, String id, byte[] payload, long sourceLsn, String reason) {}

  private static final String SAVE =
      "INSERT INTO edu2lms.parked (lms_table, id, payload, source_lsn, reason, first_seen, last_try)"
          + " VALUES (?, ?::uuid, ?, ?, ?, now(), now())"
          + " ON CONFLICT (lms_table, id) DO UPDATE SET payload = EXCLUDED.payload, source_lsn = EXCLUDED.source_lsn,"
          + " reason = EXCLUDED.reason, last_try = now() WHERE edu2lms.parked.source_lsn <= EXCLUDED.source_lsn";

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
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  void remove(Connection c, String table, Collection<String> ids) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM edu2lms.parked WHERE lms_table = ? AND id = ANY (?)")) {
      ps.setString(1, table);
      Array arr = c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray());
      ps.setArray(2, arr);
      ps.executeUpdate();
    }
  }

  List<Parked> load(Connection c, String table) throws SQLException {
    List<Parked> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT id::text, payload, source_lsn, reason FROM edu2lms.parked WHERE lms_table = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Parked(table, rs.getString(1), rs.getBytes(2), rs.getLong(3), rs.getString(4)));
        }
      }
    }
    return out;
  }
}
