package org.edu2lms.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * The versioned LMS DDL of lms.md ({@code classpath:db/lms}), applied with Flyway: every table,
 * CHECK, UNIQUE and FOREIGN KEY as specified, plus the {@code edu2lms} bookkeeping schema
 * (quarantine, parked rows, data-quality notes, waiting deletes, the capture's heartbeat).
 */
public final class LmsSchema {

  /** Columns of the bookkeeping tables the sink writes (Flyway V1–V6). */
  private static final Map<String, List<String>> BOOKKEEPING =
      Map.of(
          "edu2lms.quarantine",
          List.of("source_table", "source_id", "component", "reason", "detail", "first_seen", "last_seen", "source_lsn", "origin"),
          "edu2lms.parked",
          List.of(
              "lms_table", "id", "payload", "source_lsn", "reason", "first_seen", "last_try", "source_table",
              "source_id", "component", "detail", "waiting_table", "waiting_for"),
          "edu2lms.data_quality_notes",
          List.of("source_table", "source_id", "component", "notes", "last_seen"),
          "edu2lms.pending_deletes",
          List.of("lms_table", "id", "first_seen"),
          "edu2lms.heartbeat",
          List.of("id", "edu_committed_at", "lms_committed_at"));

  private LmsSchema() {}

  /**
   * Creates or upgrades the LMS schema.
   *
   * @return the number of migrations applied now
   * @throws org.flywaydb.core.api.FlywayException when the database cannot be reached or a
   *     migration fails
   */
  public static int migrate(String jdbcUrl, String user, String password) {
    return Flyway.configure()
        .dataSource(jdbcUrl, user, password)
        .locations("classpath:db/lms")
        .table("edu2lms_lms_schema_history")
        .load()
        .migrate()
        .migrationsExecuted;
  }

  /**
   * Checks that every table and column the sink writes exists (the {@link LmsCatalog} tables with
   * {@code source_lsn} and {@code updated_at}, and the bookkeeping tables), so a sink pointed at
   * the wrong or an old database stops at start-up with the missing names, not at the first row.
   *
   * @throws IllegalStateException listing what is missing
   * @throws SQLException when the catalog cannot be read
   */
  public static void verify(Connection c) throws SQLException {
    Map<String, List<String>> wanted = new HashMap<>(BOOKKEEPING);
    for (LmsTable t : LmsCatalog.TABLES) {
      List<String> cols = new ArrayList<>();
      t.columns().forEach(col -> cols.add(col.name()));
      cols.add("updated_at");
      wanted.put("public." + t.name(), cols);
    }
    Map<String, List<String>> present = new HashMap<>();
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT table_schema || '.' || table_name, column_name FROM information_schema.columns"
                    + " WHERE table_schema IN ('public', 'edu2lms')");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        present.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    List<String> missing = new ArrayList<>();
    wanted.forEach(
        (table, cols) -> {
          List<String> have = present.get(table);
          if (have == null) {
            missing.add("table " + table);
          } else {
            cols.stream().filter(col -> !have.contains(col)).forEach(col -> missing.add("column " + table + "." + col));
          }
        });
    if (!missing.isEmpty()) {
      missing.sort(null);
      throw new IllegalStateException(
          "the LMS schema does not match what the sink writes; missing: " + String.join(", ", missing)
              + ". Apply the LMS migrations (edu2lms migrates at start-up), check sink.lms.url, and that sink.lms.user"
              + " has privileges on these tables (a role sees only the columns it may use).");
    }
  }
}
