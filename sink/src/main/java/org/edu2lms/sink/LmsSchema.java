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
import org.flywaydb.core.api.FlywayException;

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

  /** Classpath resource of the LMS role setup SQL (idempotent; run by the schema owner). */
  public static final String SETUP_SQL = "/sql/lms-setup.sql";

  /** The role name {@link #SETUP_SQL} creates. */
  public static final String SINK_ROLE = "edu2lms_sink";

  /**
   * Creates or upgrades the LMS schema when a migration is pending; does nothing (and needs no DDL
   * right) when the schema is current, so a least-privilege sink role starts on a schema its
   * owner migrated ({@code edu2lms setup lms}).
   *
   * @return the number of migrations applied now
   * @throws IllegalStateException when migrations are pending and the role may not apply them
   *     (SQLSTATE 42501), naming the migrations and the command that applies them
   * @throws org.flywaydb.core.api.FlywayException when the database cannot be reached or a
   *     migration fails
   */
  public static int migrate(String jdbcUrl, String user, String password) {
    Flyway flyway = flyway(jdbcUrl, user, password);
    var pending = flyway.info().pending();
    if (pending.length == 0) {
      return 0;
    }
    try {
      return flyway.migrate().migrationsExecuted;
    } catch (FlywayException e) {
      if (sqlState(e).equals("42501")) {
        List<String> versions = new ArrayList<>();
        for (var m : pending) {
          versions.add("V" + m.getVersion() + " " + m.getDescription());
        }
        throw new IllegalStateException(
            "the LMS schema needs migrations (" + String.join(", ", versions) + ") that sink.lms.user " + user
                + " may not apply (no DDL rights, as in production): run `edu2lms setup lms` as the owner of the LMS"
                + " schema, then start the sink again",
            e);
      }
      throw e;
    }
  }

  /**
   * Applies every pending migration, as the owner of the LMS schema ({@code edu2lms setup lms}).
   *
   * @return the number of migrations applied now
   * @throws org.flywaydb.core.api.FlywayException when a migration fails
   */
  public static int migrateAsOwner(String jdbcUrl, String user, String password) {
    return flyway(jdbcUrl, user, password).migrate().migrationsExecuted;
  }

  private static Flyway flyway(String jdbcUrl, String user, String password) {
    return Flyway.configure()
        .dataSource(jdbcUrl, user, password)
        .locations("classpath:db/lms")
        .table("edu2lms_lms_schema_history")
        .load();
  }

  private static String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return "";
  }

  /** The text of {@link #SETUP_SQL}. */
  public static String setupSql() {
    return org.edu2lms.schemas.ClasspathResources.text(LmsSchema.class, SETUP_SQL);
  }

  /**
   * The rights the connected role lacks to run the sink, as phrases ({@code INSERT on
   * public.grades}): SELECT, INSERT, UPDATE and DELETE on every LMS table and edu2lms bookkeeping
   * table it writes, and TEMPORARY on the database (the staging tables). Empty when it has them.
   *
   * @throws SQLException when the catalog cannot be read
   */
  public static List<String> missingRights(Connection c) throws SQLException {
    List<String> tables = new ArrayList<>(BOOKKEEPING.keySet());
    LmsCatalog.TABLES.forEach(t -> tables.add("public." + t.name()));
    tables.sort(null);
    List<String> missing = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT t, p FROM unnest(?::text[]) AS t, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p"
                + " WHERE to_regclass(t) IS NOT NULL AND NOT has_table_privilege(to_regclass(t), p) ORDER BY t, p")) {
      ps.setArray(1, c.createArrayOf("text", tables.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          missing.add(rs.getString(2) + " on " + rs.getString(1));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT has_database_privilege(current_database(), 'TEMPORARY')");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      if (!rs.getBoolean(1)) {
        missing.add("TEMPORARY on the database (the staging tables)");
      }
    }
    return missing;
  }

  /**
   * Checks that every table and column the sink writes exists (the {@link LmsCatalog} tables with
   * {@code source_lsn} and {@code updated_at}, and the bookkeeping tables), so a sink pointed at
   * the wrong or an old database stops at start-up with the missing names, not at the first row;
   * then that the role has the rights of {@link #missingRights}.
   *
   * @throws IllegalStateException listing what is missing (tables, columns, rights)
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
    List<String> rights = missingRights(c);
    if (!rights.isEmpty()) {
      throw new IllegalStateException(
          "sink.lms.user lacks: " + String.join(", ", rights) + ". Run `edu2lms setup lms` (the SQL " + SETUP_SQL
              + " in the sink jar) as the owner of the LMS schema; it grants exactly these rights to role " + SINK_ROLE + ".");
    }
  }
}
