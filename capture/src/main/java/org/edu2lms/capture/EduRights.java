package org.edu2lms.capture;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.edu2lms.schemas.ClasspathResources;
import org.edu2lms.schemas.EduTables;

/**
 * What the capture's EDU role must be allowed to do, checked at start-up so a missing right stops
 * the capture with that right named instead of failing somewhere inside Debezium; and the SQL that
 * grants exactly that ({@link #SETUP_SQL}, README §Production "Database roles"):
 *
 * <ul>
 *   <li>{@code LOGIN} and {@code REPLICATION} (the replication slot and the walsender);
 *   <li>{@code SELECT} on the 20 tables of edu.md (initial snapshot, {@code reload});
 *   <li>{@code SELECT, INSERT, UPDATE} on {@link EduTables#HEARTBEAT}, {@code SELECT, INSERT} on
 *       {@link EduTables#SIGNAL} (Debezium's watermarks);
 *   <li>a publication over exactly those 22 tables; creating or changing one needs ownership of
 *       the tables, so {@link #SETUP_SQL} creates it, run once by their owner.
 * </ul>
 *
 * A publication that publishes all 22 tables is used as it is (Debezium's {@code
 * publication.autocreate.mode=disabled}), whoever owns it; extra tables in it are not read. A
 * superuser (the embedded demo) has everything, and the capture then creates the heartbeat and
 * signal tables (with CREATE on schema public) and the publication itself.
 */
public final class EduRights {

  /** Classpath resource of the EDU setup SQL (idempotent; run by the owner of the EDU tables). */
  public static final String SETUP_SQL = "/sql/edu-setup.sql";

  /** The role name {@link #SETUP_SQL} creates. */
  public static final String CAPTURE_ROLE = "edu2lms_capture";

  private EduRights() {}

  /** The text of {@link #SETUP_SQL}. */
  public static String setupSql() {
    return ClasspathResources.text(EduRights.class, SETUP_SQL);
  }

  /**
   * What the capture's publication is, seen from the connected role.
   *
   * @param exists whether it exists
   * @param covered how many of the {@link #publishedTables()} it publishes (all of them for a
   *     {@code FOR ALL TABLES} publication)
   * @param owned whether the role is its owner (or a member of the owner, or a superuser)
   */
  public record Publication(boolean exists, int covered, boolean owned) {

    /** Whether it publishes every table the capture reads: Debezium can then use it as it is. */
    public boolean coversAll() {
      return exists && covered == publishedTables().size();
    }
  }

  /**
   * Reads the state of a publication.
   *
   * @throws SQLException when the catalog cannot be read
   */
  public static Publication publication(Connection c, String publication) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ?),"
                + " (SELECT count(*) FROM pg_publication_tables WHERE pubname = ? AND schemaname = 'public' AND tablename = ANY (?::text[])),"
                + " EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ? AND pg_has_role(pubowner, 'USAGE'))")) {
      ps.setString(1, publication);
      ps.setString(2, publication);
      ps.setArray(3, c.createArrayOf("text", publishedTables().toArray()));
      ps.setString(4, publication);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Publication(rs.getBoolean(1), rs.getInt(2), rs.getBoolean(3));
      }
    }
  }

  private static boolean ownsAll(Connection c, Array names) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY (?::text[])"
                + " AND NOT pg_has_role(tableowner, 'USAGE')")) {
      ps.setArray(1, names);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1) == 0;
      }
    }
  }

  /** The 22 tables the publication covers: {@link EduTables#ALL}, heartbeat and signal. */
  public static List<String> publishedTables() {
    return Stream.concat(EduTables.ALL.stream(), Stream.of(EduTables.HEARTBEAT, EduTables.SIGNAL)).toList();
  }

  /**
   * The rights the connected role lacks, as phrases ({@code SELECT on public.exam_result}); empty
   * when it can run the capture. Tables that do not exist are named as such.
   *
   * @param c a connection to EDU as the capture's role
   * @param publication the publication name ({@code capture.publication.name})
   * @throws SQLException when the catalog cannot be read
   */
  public static List<String> missing(Connection c, String publication) throws SQLException {
    List<String> missing = new ArrayList<>();
    boolean superuser;
    try (PreparedStatement ps = c.prepareStatement("SELECT rolsuper, rolreplication FROM pg_roles WHERE rolname = current_user");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      superuser = rs.getBoolean(1);
      if (!superuser && !rs.getBoolean(2)) {
        missing.add("the REPLICATION attribute (ALTER ROLE … REPLICATION)");
      }
    }
    List<String> tables = publishedTables();
    Array names = c.createArrayOf("text", tables.toArray());
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT t, r IS NOT NULL,"
                + " r IS NOT NULL AND has_table_privilege(r, 'SELECT'),"
                + " r IS NOT NULL AND has_table_privilege(r, 'INSERT'),"
                + " r IS NOT NULL AND has_table_privilege(r, 'UPDATE')"
                + " FROM unnest(?::text[]) AS t, LATERAL to_regclass('public.' || quote_ident(t)) AS r")) {
      ps.setArray(1, names);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String table = rs.getString(1);
          if (!rs.getBoolean(2)) {
            missing.add("table public." + table + " (it does not exist)");
            continue;
          }
          if (!rs.getBoolean(3)) {
            missing.add("SELECT on public." + table);
          }
          boolean heartbeat = table.equals(EduTables.HEARTBEAT);
          if ((heartbeat || table.equals(EduTables.SIGNAL)) && !rs.getBoolean(4)) {
            missing.add("INSERT on public." + table);
          }
          if (heartbeat && !rs.getBoolean(5)) {
            missing.add("UPDATE on public." + table);
          }
        }
      }
    }
    Publication p = publication(c, publication);
    boolean ownsTables = superuser || ownsAll(c, names);
    if (!p.exists() && !ownsTables) {
      missing.add("publication " + publication + " (it does not exist, and only the owner of the EDU tables can create it)");
    } else if (p.exists() && !p.coversAll() && !(ownsTables && p.owned())) {
      missing.add("publication " + publication + " over all " + tables.size() + " tables (it covers " + p.covered()
          + "; only its owner, owning the EDU tables, can add them)");
    }
    return missing;
  }
}
