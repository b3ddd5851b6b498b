package org.edu2lms.cli;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A short scripted burst of live changes on EDU, each with the LMS state it must lead to
 * (mapping.md): a child inserted before its parent in one transaction, an update of a user's
 * username and e-mail, an organization waiting in quarantine for its name label, a delete, and a
 * parent delete that sends its child to quarantine. Used by {@code edu2lms demo} and the
 * integration test.
 */
public final class LiveChanges {

  /**
   * One change.
   *
   * @param description what it does, for the demo's output
   * @param eduSql statements run on EDU in one transaction
   * @param lmsCheck a query on LMS returning one boolean: true once the change has arrived
   */
  public record Step(String description, List<String> eduSql, String lmsCheck) {}

  private LiveChanges() {}

  /**
   * Builds the steps against the current EDU contents (new ids above the current maxima).
   *
   * @throws SQLException when EDU cannot be read
   */
  public static List<Step> plan(Connection edu) throws SQLException {
    long user = max(edu, "users") + 1;
    long person = max(edu, "persons") + 1;
    long org = max(edu, "organizations") + 1;
    long dic = max(edu, "dictionaries") + 1;
    long[] victim = victim(edu);
    long victimPerson = victim[0];
    long victimUser = victim[1];
    return List.of(
        new Step(
            "insert person " + person + " before its user " + user + " (one transaction)",
            List.of(
                "INSERT INTO persons (id, user_id, firstname, lastname, birthdate, gender) VALUES ("
                    + person + ", " + user + ", ' Demo ', 'Person', '05/06/1999', 2)",
                "INSERT INTO users (id, username, email, password, active, create_date) VALUES ("
                    + user + ", 'demo.user', '  Demo.User@Example.AZ ', '$2a$10$demo', 1, '24/11/2026 10:15:00')"),
            "SELECT EXISTS (SELECT 1 FROM persons p JOIN users u ON u.id = p.user_id WHERE p.legacy_id = " + person
                + " AND u.legacy_id = " + user + " AND u.email = 'demo.user@example.az' AND p.first_name = 'Demo'"
                + " AND p.birth_date = DATE '1999-06-05' AND p.gender = 'female'"
                + " AND u.registered_at = TIMESTAMPTZ '2026-11-24 10:15:00+04')"),
        new Step(
            "update user 1: username and e-mail",
            List.of("UPDATE users SET username = 'renamed.user1', email = 'New.Mail@Example.az' WHERE id = 1"),
            "SELECT EXISTS (SELECT 1 FROM users WHERE legacy_id = 1 AND username = 'renamed.user1'"
                + " AND email = 'new.mail@example.az' AND legacy_email IS NULL)"),
        new Step(
            "insert organization " + org + " whose name label " + dic + " does not exist yet",
            List.of("INSERT INTO organizations (id, parent_id, dic_id, type_id, code, active) VALUES (" + org + ", 1, " + dic + ", 3, ' DEMO ', 1)"),
            "SELECT EXISTS (SELECT 1 FROM edu2lms.quarantine WHERE source_table = 'organizations' AND source_id = " + org
                + " AND reason = 'missing_parent:dictionaries')"),
        new Step(
            "insert its label: organization " + org + " leaves quarantine and lands",
            List.of("INSERT INTO dictionaries (id, type_id, name_az, name_en, name_ru, active) VALUES (" + dic + ", 1, 'Demo bölmə', 'Demo unit', '  ', 1)"),
            "SELECT EXISTS (SELECT 1 FROM organization_units o JOIN organization_units parent ON parent.id = o.parent_id"
                + " WHERE o.legacy_id = " + org + " AND parent.legacy_id = 1 AND o.code = 'DEMO' AND o.unit_type = 'department'"
                + " AND o.name = '{\"az\": \"Demo bölmə\", \"en\": \"Demo unit\"}'::jsonb)"
                + " AND NOT EXISTS (SELECT 1 FROM edu2lms.quarantine WHERE source_table = 'organizations' AND source_id = " + org + ")"),
        new Step(
            "delete person " + person,
            List.of("DELETE FROM persons WHERE id = " + person),
            "SELECT NOT EXISTS (SELECT 1 FROM persons WHERE legacy_id = " + person + ")"),
        new Step(
            "delete user " + victimUser + ": its person " + victimPerson + " goes to quarantine",
            List.of("DELETE FROM users WHERE id = " + victimUser),
            "SELECT NOT EXISTS (SELECT 1 FROM users WHERE legacy_id = " + victimUser + ")"
                + " AND NOT EXISTS (SELECT 1 FROM persons WHERE legacy_id = " + victimPerson + ")"
                + " AND EXISTS (SELECT 1 FROM edu2lms.quarantine WHERE source_table = 'persons' AND source_id = " + victimPerson
                + " AND reason = 'missing_parent:users')"));
  }

  /** Runs one step's statements on EDU in one transaction. */
  public static void apply(Connection edu, Step step) throws SQLException {
    boolean auto = edu.getAutoCommit();
    edu.setAutoCommit(false);
    try (Statement st = edu.createStatement()) {
      for (String sql : step.eduSql()) {
        st.executeUpdate(sql);
      }
      edu.commit();
    } catch (SQLException e) {
      edu.rollback();
      throw e;
    } finally {
      edu.setAutoCommit(auto);
    }
  }

  /** Whether the step's effect is visible in LMS. */
  public static boolean arrived(Connection lms, Step step) throws SQLException {
    try (Statement st = lms.createStatement();
        ResultSet rs = st.executeQuery(step.lmsCheck())) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  private static long max(Connection edu, String table) throws SQLException {
    try (Statement st = edu.createStatement();
        ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** A person (id &gt; 3) whose user exists, is mappable and is that person's alone: {person, user}. */
  private static long[] victim(Connection edu) throws SQLException {
    try (Statement st = edu.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT p.id, p.user_id FROM persons p JOIN users u ON u.id = p.user_id"
                    + " WHERE p.id > 3 AND trim(u.username) <> '' AND trim(p.firstname) <> '' AND trim(p.lastname) <> ''"
                    + " AND (SELECT count(*) FROM persons q WHERE q.user_id = p.user_id) = 1 ORDER BY p.id LIMIT 1")) {
      if (!rs.next()) {
        throw new IllegalStateException("EDU has no person with a user of its own; generate a larger scale");
      }
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }
}
