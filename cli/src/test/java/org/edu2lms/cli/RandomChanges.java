package org.edu2lms.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded random stream of inserts, updates and deletes across every EDU table, some grouped in
 * multi-table transactions: children before parents, references re-pointed to existing or missing
 * rows, parents deleted and re-inserted, e-mails moved between users, marks changed to {@code qb}
 * or unknown points, points re-valued, deleted and re-inserted under the marks that reference them,
 * TOAST-sparing updates of long topics. For the invariant test of mapping.md.
 */
final class RandomChanges {

  private static final String[] TABLES = {
    "users", "persons", "organizations", "students", "teachers", "education_plan", "education_plan_subject", "course",
    "course_teacher", "course_meeting_topic", "files", "course_meeting_topic_file", "journal", "journal_details", "exam",
    "exam_result", "dictionaries", "points"
  };

  private final SplittableRandom random;
  private final Map<String, Long> nextId = new HashMap<>();
  private final Map<String, List<Long>> deleted = new HashMap<>();

  RandomChanges(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /**
   * Applies {@code count} changes to EDU, in transactions of 1 to 4 statements, and writes them
   * with their transaction boundaries to {@code log} (a test artifact: the history behind a
   * failed invariant).
   *
   * @return the number of statements that changed a row
   */
  int apply(Connection edu, int count, Path log) throws SQLException, IOException {
    for (String t : TABLES) {
      // Never below an id this stream handed out before: a deleted row of the previous call may come back.
      nextId.merge(t, max(edu, t) + 1, Math::max);
    }
    int changed = 0;
    edu.setAutoCommit(false);
    try (Statement st = edu.createStatement(); Writer out = Files.newBufferedWriter(log)) {
      int done = 0;
      while (done < count) {
        int inTx = 1 + random.nextInt(4);
        out.write("BEGIN;\n");
        for (int i = 0; i < inTx && done < count; i++, done++) {
          String sql = next(edu);
          int rows = st.executeUpdate(sql);
          out.write(sql + "; -- " + rows + " row(s)\n");
          changed += rows;
        }
        edu.commit();
        out.write("COMMIT;\n");
      }
    } finally {
      edu.setAutoCommit(true);
    }
    return changed;
  }

  private String next(Connection edu) throws SQLException {
    String table = TABLES[random.nextInt(TABLES.length)];
    int kind = random.nextInt(10);
    if (kind < 4) {
      return insert(edu, table);
    }
    if (kind < 8) {
      return update(edu, table);
    }
    if (kind < 9 && deleted.containsKey(table) && !deleted.get(table).isEmpty()) {
      return reinsert(edu, table);
    }
    long id = existing(edu, table);
    deleted.computeIfAbsent(table, k -> new ArrayList<>()).add(id);
    return "DELETE FROM " + table + " WHERE id = " + id;
  }

  /** A parent id: usually an existing row, sometimes a missing one (a child before its parent). */
  private long ref(Connection edu, String table) throws SQLException {
    return random.nextInt(8) == 0 ? nextId.get(table) + 5 + random.nextInt(3) : existing(edu, table);
  }

  /** A random existing id, drawn from the seeded random source (deterministic for a seed and database). */
  private long existing(Connection edu, String table) throws SQLException {
    long rows;
    try (Statement st = edu.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      rows = rs.getLong(1);
    }
    if (rows == 0) {
      return 1;
    }
    try (Statement st = edu.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM " + table + " ORDER BY id OFFSET " + random.nextLong(rows) + " LIMIT 1")) {
      return rs.next() ? rs.getLong(1) : 1;
    }
  }

  private String insert(Connection edu, String table) throws SQLException {
    long id = nextId.merge(table, 1L, Long::sum) - 1;
    return insertWithId(edu, table, id);
  }

  private String reinsert(Connection edu, String table) throws SQLException {
    List<Long> gone = deleted.get(table);
    long id = gone.remove(gone.size() - 1);
    return insertWithId(edu, table, id) + " ON CONFLICT (id) DO NOTHING";
  }

  private String date() {
    return String.format("%02d/%02d/%d", 1 + random.nextInt(28), 1 + random.nextInt(12), 2015 + random.nextInt(10));
  }

  private String insertWithId(Connection edu, String table, long id) throws SQLException {
    return switch (table) {
      case "users" -> "INSERT INTO users (id, username, email, password, active, create_date) VALUES (" + id + ", 'r" + id + "', "
          + (random.nextBoolean() ? "'R" + id + "@Random.az'" : "(SELECT email FROM users WHERE id = " + existing(edu, "users") + ")")
          + ", 'h', 1, '" + date() + " 10:00:00')";
      case "persons" -> "INSERT INTO persons (id, user_id, firstname, lastname, birthdate, gender) VALUES (" + id + ", " + ref(edu, "users")
          + ", 'F" + id + "', " + (random.nextInt(10) == 0 ? "''" : "'L'") + ", '" + date() + "', " + random.nextInt(4) + ")";
      case "organizations" -> "INSERT INTO organizations (id, parent_id, dic_id, type_id, code, active) VALUES (" + id + ", "
          + ref(edu, "organizations") + ", " + ref(edu, "dictionaries") + ", " + (1 + random.nextInt(6)) + ", 'R" + id + "', 1)";
      case "students" -> "INSERT INTO students (id, person_id, org_id, card_number, status, admission_year) VALUES (" + id + ", "
          + ref(edu, "persons") + ", " + ref(edu, "organizations") + ", 'RS" + id + "', " + random.nextInt(6) + ", 2020)";
      case "teachers" -> "INSERT INTO teachers (id, person_id, org_id, position_dic_id, status) VALUES (" + id + ", " + ref(edu, "persons")
          + ", " + ref(edu, "organizations") + ", " + ref(edu, "dictionaries") + ", " + random.nextInt(2) + ")";
      case "education_plan" -> "INSERT INTO education_plan (id, org_id, edu_year_id, name, active) VALUES (" + id + ", "
          + ref(edu, "organizations") + ", 5, 'RP', 1)";
      case "education_plan_subject" -> "INSERT INTO education_plan_subject (id, education_plan_id, subject_dic_id, code, credit, hours, semester_no)"
          + " VALUES (" + id + ", " + ref(edu, "education_plan") + ", " + ref(edu, "dictionaries") + ", " + (random.nextInt(10) == 0 ? "' '" : "'RC'")
          + ", 3.5, 30, 2)";
      case "course" -> "INSERT INTO course (id, education_plan_subject_id, edu_year_id, semester_id, language_id, group_name, active)"
          + " VALUES (" + id + ", " + ref(edu, "education_plan_subject") + ", " + (1 + random.nextInt(13)) + ", " + (1 + random.nextInt(3))
          + ", " + ref(edu, "dictionaries") + ", 'G" + id + "', 1)";
      case "course_teacher" -> "INSERT INTO course_teacher (id, course_id, teacher_id, lesson_type, active) VALUES (" + id + ", "
          + ref(edu, "course") + ", " + ref(edu, "teachers") + ", " + (1 + random.nextInt(4)) + ", 1)";
      case "course_meeting_topic" -> "INSERT INTO course_meeting_topic (id, course_id, topic, meeting_date) VALUES (" + id + ", "
          + ref(edu, "course") + ", repeat('Long topic text ', " + (1 + random.nextInt(600)) + "), '" + date() + "')";
      case "files" -> "INSERT INTO files (id, original_name, path, mime_type, size, user_id, create_date) VALUES (" + id + ", "
          + (random.nextInt(10) == 0 ? "''" : "'f" + id + ".pdf'") + ", '/r/" + id + "', NULL, 10, " + ref(edu, "users") + ", '" + date() + "')";
      case "course_meeting_topic_file" -> "INSERT INTO course_meeting_topic_file (id, topic_id, file_id) VALUES (" + id + ", "
          + ref(edu, "course_meeting_topic") + ", " + ref(edu, "files") + ")";
      case "journal" -> "INSERT INTO journal (id, course_id, student_id, active, total_point, letter_grade, retake, create_date) VALUES (" + id
          + ", " + ref(edu, "course") + ", " + ref(edu, "students") + ", 0, 77.25, 'C', " + smallintFor(id) + ", '" + date() + "')";
      case "journal_details" -> "INSERT INTO journal_details (id, journal_id, lesson_date, point_id_1, point_id_2, point_id_3) VALUES (" + id
          + ", " + ref(edu, "journal") + ", '" + date() + "', " + mark() + ", " + mark() + ", " + mark() + ")";
      case "exam" -> "INSERT INTO exam (id, course_id, exam_type_dic_id, title_dic_id, max_point, pass_point, exam_date) VALUES (" + id + ", "
          + ref(edu, "course") + ", (SELECT min(id) FROM dictionaries WHERE type_id = 4), " + ref(edu, "dictionaries") + ", 100, 51, '" + date() + " 09:00')";
      case "exam_result" -> "INSERT INTO exam_result (id, exam_id, student_id, attempt, point, status, submit_date) VALUES (" + id + ", "
          + ref(edu, "exam") + ", " + ref(edu, "students") + ", " + smallintFor(id) + ", 50, " + random.nextInt(4) + ", '" + date() + "')";
      case "points" -> "INSERT INTO points (id, value, code) VALUES (" + id + ", " + random.nextInt(11) + ".50, NULL)";
      default -> "INSERT INTO dictionaries (id, type_id, name_az, name_en, name_ru, active) VALUES (" + id + ", 1, 'Az" + id + "', "
          + (random.nextBoolean() ? "''" : "'En'") + ", NULL, 1)";
    };
  }

  private String mark() {
    int r = random.nextInt(10);
    return r < 3 ? "NULL" : r == 3 ? "12" : r == 4 ? "99" : Integer.toString(1 + random.nextInt(11));
  }

  private String update(Connection edu, String table) throws SQLException {
    long id = existing(edu, table);
    return switch (table) {
      case "users" -> random.nextBoolean()
          ? "UPDATE users SET email = (SELECT email FROM users WHERE id = " + existing(edu, "users") + ") WHERE id = " + id
          : "UPDATE users SET username = " + (random.nextInt(5) == 0 ? "' '" : "'upd" + id + "'") + " WHERE id = " + id;
      case "persons" -> "UPDATE persons SET user_id = " + ref(edu, "users") + " WHERE id = " + id;
      case "organizations" -> "UPDATE organizations SET parent_id = " + ref(edu, "organizations") + " WHERE id = " + id;
      case "students" -> "UPDATE students SET person_id = " + ref(edu, "persons") + ", status = " + random.nextInt(6) + " WHERE id = " + id;
      case "teachers" -> "UPDATE teachers SET org_id = " + ref(edu, "organizations") + " WHERE id = " + id;
      case "education_plan" -> "UPDATE education_plan SET org_id = " + ref(edu, "organizations") + " WHERE id = " + id;
      case "education_plan_subject" -> "UPDATE education_plan_subject SET subject_dic_id = " + ref(edu, "dictionaries") + " WHERE id = " + id;
      case "course" -> "UPDATE course SET education_plan_subject_id = " + ref(edu, "education_plan_subject") + " WHERE id = " + id;
      case "course_teacher" -> "UPDATE course_teacher SET teacher_id = " + ref(edu, "teachers") + " WHERE id = " + id;
      case "course_meeting_topic" -> "UPDATE course_meeting_topic SET meeting_date = '" + date() + "' WHERE id = " + id;
      case "files" -> "UPDATE files SET user_id = " + ref(edu, "users") + " WHERE id = " + id;
      case "course_meeting_topic_file" -> "UPDATE course_meeting_topic_file SET topic_id = " + ref(edu, "course_meeting_topic") + " WHERE id = " + id;
      // A retake number no other row has keeps (course_id, student_id, retake) unique after the
      // move; within smallint whatever the id (EDU's retake is int2, LMS's attempt_no = retake + 1).
      case "journal" -> "UPDATE journal SET course_id = " + ref(edu, "course") + ", retake = " + smallintFor(id) + " WHERE id = " + id;
      case "journal_details" -> "UPDATE journal_details SET point_id_" + (1 + random.nextInt(3)) + " = " + mark() + " WHERE id = " + id;
      case "exam" -> "UPDATE exam SET course_id = " + ref(edu, "course") + " WHERE id = " + id;
      case "exam_result" -> "UPDATE exam_result SET status = " + random.nextInt(4) + " WHERE id = " + id;
      case "points" -> "UPDATE points SET value = " + (random.nextInt(5) == 0 ? "NULL" : random.nextInt(11) + ".25") + " WHERE id = " + id;
      default -> "UPDATE dictionaries SET name_en = " + (random.nextBoolean() ? "'Upd'" : "NULL") + " WHERE id = " + id;
    };
  }

  private static long max(Connection edu, String table) throws SQLException {
    try (Statement st = edu.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * A retake or attempt number for row {@code id} that no generated row has (those are small) and
   * that fits EDU's int2 whatever the id (ids grow past 1,000,000 after the primary-key updates
   * of FaultInjectionIT), and leaves room for LMS's attempt_no = retake + 1.
   */
  private static long smallintFor(long id) {
    return 1000 + id % 30_000;
  }
}
