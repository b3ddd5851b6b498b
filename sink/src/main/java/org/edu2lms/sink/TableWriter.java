package org.edu2lms.sink;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.edu2lms.sink.LmsTable.Column;
import org.edu2lms.sink.LmsTable.Reference;
import org.postgresql.util.PSQLException;

/**
 * Writes the desired rows of one LMS table inside the caller's transaction.
 *
 * <p>Upserts go through a session-local staging table: the batch is inserted into
 * {@code pg_temp.stage_<table>} with a multi-row batch, then applied with one
 * {@code INSERT … SELECT … ON CONFLICT (id) DO UPDATE … WHERE <table>.source_lsn <=
 * EXCLUDED.source_lsn} that takes only the rows whose referenced rows exist. The others are
 * returned as parked with the reason (their parent is in flight); the position guard keeps a
 * replayed older value from overwriting a newer one. A unique violation (a counterpart still in
 * flight, e.g. an e-mail that moves between users) falls back to row-by-row application under
 * savepoints, parking only the rows that fail.
 */
final class TableWriter {

  private final LmsTable table;
  private final String stage;
  private final String stageInsert;
  private final String parentsPresent;
  private final String missingReason;
  private final String apply;
  private final String applyOne;
  private final int[] fieldPositions;
  private boolean stageReady;

  TableWriter(LmsTable table) {
    this.table = table;
    this.stage = "stage_" + table.name();
    List<Column> cols = table.columns();
    String names = cols.stream().map(Column::name).collect(Collectors.joining(", "));
    this.stageInsert =
        "INSERT INTO pg_temp." + stage + " (" + names + ") VALUES ("
            + cols.stream().map(c -> "?::" + c.sqlType()).collect(Collectors.joining(", ")) + ")";
    this.parentsPresent =
        table.references().isEmpty()
            ? "TRUE"
            : table.references().stream()
                .map(r -> "(s." + r.column() + " IS NULL OR EXISTS (SELECT 1 FROM " + r.parent() + " p WHERE p.id = s." + r.column() + "))")
                .collect(Collectors.joining(" AND "));
    this.missingReason =
        table.references().isEmpty()
            ? "NULL"
            : "CASE "
                + table.references().stream()
                    .map(
                        r ->
                            "WHEN s." + r.column() + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + r.parent()
                                + " p WHERE p.id = s." + r.column() + ") THEN 'missing_parent:" + r.parent() + "'")
                    .collect(Collectors.joining(" "))
                + " END";
    String updates =
        cols.stream()
                .skip(1)
                .map(c -> c.name() + " = EXCLUDED." + c.name())
                .collect(Collectors.joining(", "))
            + ", updated_at = now()";
    String upsertTail =
        " ON CONFLICT (id) DO UPDATE SET " + updates + " WHERE " + table.name() + ".source_lsn <= EXCLUDED.source_lsn";
    this.apply =
        "INSERT INTO " + table.name() + " (" + names + ") SELECT " + names + " FROM pg_temp." + stage + " s WHERE "
            + parentsPresent + upsertTail;
    this.applyOne =
        "INSERT INTO " + table.name() + " (" + names + ") SELECT " + names + " FROM pg_temp." + stage
            + " s WHERE s.id = ?::uuid AND " + parentsPresent + upsertTail;
    Schema schema = table.valueSchema();
    this.fieldPositions = new int[cols.size()];
    for (int i = 0; i < cols.size(); i++) {
      Schema.Field f = schema.getField(cols.get(i).name());
      if (f == null) {
        throw new IllegalStateException(
            "column " + table.name() + "." + cols.get(i).name() + " has no field in " + schema.getFullName());
      }
      fieldPositions[i] = f.pos();
    }
  }

  LmsTable table() {
    return table;
  }

  /**
   * Upserts the rows (one per id, the caller has reduced them).
   *
   * @return id → reason for every row that could not be written yet (parked)
   * @throws SQLException on any other database error, with the table named
   */
  Map<String, String> upsert(Connection c, Collection<? extends SpecificRecord> rows) throws SQLException {
    Map<String, String> parked = new LinkedHashMap<>();
    if (rows.isEmpty()) {
      return parked;
    }
    try {
      stage(c, rows);
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT s.id::text, " + missingReason + " FROM pg_temp." + stage + " s WHERE NOT (" + parentsPresent + ")")) {
        while (rs.next()) {
          parked.put(rs.getString(1), rs.getString(2));
        }
      }
      Savepoint sp = c.setSavepoint();
      try (Statement st = c.createStatement()) {
        st.executeUpdate(apply);
        c.releaseSavepoint(sp);
      } catch (PSQLException e) {
        if (!isConstraintConflict(e)) {
          throw e;
        }
        c.rollback(sp);
        rowByRow(c, rows, parked);
      }
      return parked;
    } catch (SQLException e) {
      throw new SQLException(
          "failed to upsert " + rows.size() + " rows into " + table.name() + ": " + e.getMessage(), e.getSQLState(), e);
    }
  }

  private void rowByRow(Connection c, Collection<? extends SpecificRecord> rows, Map<String, String> parked)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(applyOne)) {
      for (SpecificRecord row : rows) {
        String id = (String) row.get(fieldPositions[0]);
        if (parked.containsKey(id)) {
          continue;
        }
        Savepoint sp = c.setSavepoint();
        try {
          ps.setString(1, id);
          ps.executeUpdate();
          c.releaseSavepoint(sp);
        } catch (PSQLException e) {
          if (!isConstraintConflict(e)) {
            throw e;
          }
          c.rollback(sp);
          String constraint =
              e.getServerErrorMessage() == null ? null : e.getServerErrorMessage().getConstraint();
          parked.put(
              id,
              "23503".equals(e.getSQLState())
                  ? "missing_parent:" + table.name()
                  : "conflict:" + (constraint == null ? table.name() : constraint));
        }
      }
    }
  }

  private static boolean isConstraintConflict(SQLException e) {
    return "23505".equals(e.getSQLState()) || "23503".equals(e.getSQLState());
  }

  private void stage(Connection c, Collection<? extends SpecificRecord> rows) throws SQLException {
    try (Statement st = c.createStatement()) {
      if (!stageReady) {
        st.execute(
            "CREATE TEMP TABLE IF NOT EXISTS " + stage + " (LIKE " + table.name() + " INCLUDING DEFAULTS)");
        stageReady = true;
      }
      st.execute("TRUNCATE pg_temp." + stage);
    }
    List<Column> cols = table.columns();
    try (PreparedStatement ps = c.prepareStatement(stageInsert)) {
      int n = 0;
      for (SpecificRecord row : rows) {
        for (int i = 0; i < cols.size(); i++) {
          bind(ps, i + 1, row.get(fieldPositions[i]));
        }
        ps.addBatch();
        if (++n % 2000 == 0) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
    }
  }

  /** Binds one Avro field value; the SQL casts each parameter to its column type. */
  static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else if (value instanceof CharSequence s) {
      ps.setString(index, s.toString());
    } else if (value instanceof Long l) {
      ps.setLong(index, l);
    } else if (value instanceof Integer i) {
      ps.setInt(index, i);
    } else if (value instanceof Boolean b) {
      ps.setBoolean(index, b);
    } else if (value instanceof Instant t) {
      ps.setObject(index, t.atOffset(ZoneOffset.UTC));
    } else if (value instanceof LocalDate d) {
      ps.setObject(index, d);
    } else if (value instanceof BigDecimal d) {
      ps.setBigDecimal(index, d);
    } else {
      throw new IllegalArgumentException("cannot bind a " + value.getClass().getName());
    }
  }

  /**
   * Deletes rows by id (tombstones). Children of a deleted row go by ON DELETE CASCADE / SET NULL.
   *
   * @return the number of rows deleted
   */
  int delete(Connection c, Collection<String> ids) throws SQLException {
    if (ids.isEmpty()) {
      return 0;
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table.name() + " WHERE id = ANY (?)")) {
      Array arr = c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray());
      ps.setArray(1, arr);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new SQLException(
          "failed to delete " + ids.size() + " rows from " + table.name() + ": " + e.getMessage(), e.getSQLState(), e);
    }
  }

  /** The source LSN of a record of this table. */
  long lsnOf(SpecificRecord row) {
    return (Long) row.get(fieldPositions[fieldPositions.length - 1]);
  }

  /** The references of the table, for deciding which parked rows a batch may have unblocked. */
  List<Reference> references() {
    return table.references();
  }
}
