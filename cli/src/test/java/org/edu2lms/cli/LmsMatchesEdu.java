package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.edu2lms.cli.ops.Accounting;
import org.edu2lms.cli.verify.Verifier;
import org.edu2lms.cli.verify.VerifyReport;
import org.edu2lms.transform.EduToLmsTopology;

/**
 * The invariant of mapping.md checked on live databases, shared by the integration tests: the
 * accounting balances, and users, persons, organization units, students, enrollments and grades
 * in LMS equal an SQL recomputation from EDU that shares no code with the transform, and {@code
 * edu2lms verify} (the transform's mapping code recomputing every table) passes.
 */
final class LmsMatchesEdu {

  private LmsMatchesEdu() {}

  /** Users as mapping.md §users says, recomputed in SQL on EDU. */
  static final String EDU_USERS =
      "WITH u AS (SELECT id, trim(username) AS username, nullif(trim(email), '') AS original,"
          + "   CASE WHEN lower(trim(email)) ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' THEN lower(trim(email)) END AS valid,"
          + "   active, create_date FROM users WHERE trim(username) <> ''),"
          + " owner AS (SELECT valid, min(id) AS id FROM u WHERE valid IS NOT NULL GROUP BY valid)"
          + " SELECT u.id, u.username,"
          + "   CASE WHEN o.id = u.id THEN u.valid END,"
          + "   CASE WHEN o.id = u.id THEN NULL ELSE u.original END,"
          + "   u.active = 1,"
          + "   CASE WHEN u.create_date ~ '^\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}:\\d{2}$' THEN to_char(make_timestamptz("
          + "     substr(u.create_date, 7, 4)::int, substr(u.create_date, 4, 2)::int, substr(u.create_date, 1, 2)::int,"
          + "     substr(u.create_date, 12, 2)::int, substr(u.create_date, 15, 2)::int, substr(u.create_date, 18, 2)::int,"
          + "     'Asia/Baku') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') END"
          + " FROM u LEFT JOIN owner o ON o.valid = u.valid ORDER BY u.id";

  static final String LMS_USERS =
      "SELECT legacy_id, username, email, legacy_email, is_active,"
          + " CASE WHEN legacy_id IN (SELECT legacy_id FROM users) THEN to_char(registered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') END"
          + " FROM users ORDER BY legacy_id";

  /** Users, persons and organization units in LMS equal their SQL recomputation from EDU. */
  static void people(Connection edu, Connection lms) throws SQLException {
    List<String> expected = rows(edu, EDU_USERS);
    List<String> actual = rows(lms, LMS_USERS);
    // registered_at is compared where EDU holds the full DD/MM/YYYY HH24:MI:SS form; elsewhere only presence.
    assertThat(strip(actual, expected)).containsExactlyElementsOf(expected);
    assertThat(expected).hasSizeGreaterThan(10);

    List<String> eduPersons =
        rows(
            edu,
            "SELECT p.id, p.user_id, trim(p.firstname), trim(p.lastname), nullif(trim(p.patronymic), ''),"
                + " CASE p.gender WHEN 1 THEN 'male' WHEN 2 THEN 'female' END, nullif(trim(p.pincode), '')"
                + " FROM persons p JOIN users u ON u.id = p.user_id AND trim(u.username) <> ''"
                + " WHERE trim(p.firstname) <> '' AND trim(p.lastname) <> '' ORDER BY p.id");
    List<String> lmsPersons =
        rows(
            lms,
            "SELECT p.legacy_id, u.legacy_id, p.first_name, p.last_name, p.middle_name, p.gender, p.national_id"
                + " FROM persons p JOIN users u ON u.id = p.user_id ORDER BY p.legacy_id");
    assertThat(lmsPersons).containsExactlyElementsOf(eduPersons);

    List<String> eduOrgs =
        rows(
            edu,
            "SELECT o.id, CASE WHEN p.id IS NOT NULL THEN p.id END,"
                + " CASE o.type_id WHEN 1 THEN 'university' WHEN 2 THEN 'faculty' WHEN 3 THEN 'department' WHEN 4 THEN 'program' ELSE 'other' END,"
                + " jsonb_strip_nulls(jsonb_build_object('az', nullif(trim(d.name_az), ''), 'en', nullif(trim(d.name_en), ''), 'ru', nullif(trim(d.name_ru), '')))::text,"
                + " nullif(trim(o.code), ''), o.active = 1"
                + " FROM organizations o JOIN dictionaries d ON d.id = o.dic_id"
                + " LEFT JOIN organizations p ON p.id = o.parent_id AND EXISTS (SELECT 1 FROM dictionaries pd WHERE pd.id = p.dic_id)"
                + " ORDER BY o.id");
    List<String> lmsOrgs =
        rows(
            lms,
            "SELECT o.legacy_id, p.legacy_id, o.unit_type, o.name::text, o.code, o.is_active"
                + " FROM organization_units o LEFT JOIN organization_units p ON p.id = o.parent_id ORDER BY o.legacy_id");
    assertThat(lmsOrgs).containsExactlyElementsOf(eduOrgs);
  }

  /** Students, enrollments and grades in LMS equal their SQL recomputation from EDU. */
  static void gradebook(Connection edu, Connection lms) throws SQLException {
    // Students: the person must be an LMS person (its user exists with a username).
    List<String> eduStudents =
        rows(
            edu,
            "SELECT s.id, s.person_id, p.user_id, trim(s.card_number),"
                + " CASE s.status WHEN 1 THEN 'active' WHEN 2 THEN 'graduated' WHEN 3 THEN 'expelled' WHEN 4 THEN 'on_leave' ELSE 'inactive' END"
                + " FROM students s JOIN persons p ON p.id = s.person_id AND trim(p.firstname) <> '' AND trim(p.lastname) <> ''"
                + " JOIN users u ON u.id = p.user_id AND trim(u.username) <> '' ORDER BY s.id");
    List<String> lmsStudents =
        rows(
            lms,
            "SELECT s.legacy_id, p.legacy_id, u.legacy_id, s.student_number, s.status FROM students s"
                + " JOIN persons p ON p.id = s.person_id JOIN users u ON u.id = s.user_id ORDER BY s.legacy_id");
    assertThat(lmsStudents).containsExactlyElementsOf(eduStudents);

    // Enrollments and grades: sections whose catalog entry exists, students as above.
    String mappableSections =
        "SELECT c.id FROM course c JOIN education_plan_subject e ON e.id = c.education_plan_subject_id"
            + " JOIN dictionaries d ON d.id = e.subject_dic_id AND trim(e.code) <> ''"
            + " JOIN edu_years y ON y.id = c.edu_year_id AND y.name ~ '[^\\x01-\\x20]' JOIN semesters m ON m.id = c.semester_id AND m.code IN (1, 2, 3)";
    String mappableStudents =
        "SELECT s.id FROM students s JOIN persons p ON p.id = s.person_id AND trim(p.firstname) <> '' AND trim(p.lastname) <> ''"
            + " JOIN users u ON u.id = p.user_id AND trim(u.username) <> '' WHERE trim(s.card_number) <> ''";
    String mappableJournal =
        "SELECT j.* FROM journal j WHERE j.course_id IN (" + mappableSections + ") AND j.student_id IN (" + mappableStudents
            + ") AND j.retake IS NOT NULL AND j.retake < 32767";
    List<String> eduEnrollments =
        rows(
            edu,
            "SELECT j.id, j.course_id, j.student_id, j.retake + 1, CASE WHEN j.active = 1 THEN 'enrolled' ELSE 'completed' END,"
                + " j.letter_grade, j.total_point FROM (" + mappableJournal + ") j ORDER BY j.id");
    List<String> lmsEnrollments =
        rows(
            lms,
            "SELECT e.legacy_id, o.legacy_id, s.legacy_id, e.attempt_no, e.enrollment_status, e.grade_letter, e.grade_points"
                + " FROM course_enrollments e JOIN course_offerings o ON o.id = e.course_offering_id"
                + " JOIN students s ON s.id = e.student_id ORDER BY e.legacy_id");
    assertThat(lmsEnrollments).hasSizeGreaterThan(20).isEqualTo(eduEnrollments);

    List<String> eduGrades =
        rows(
            edu,
            "SELECT d.id, n, j.id, CASE WHEN p.code = 'qb' THEN NULL ELSE p.value END, coalesce(p.code = 'qb', false)"
                + " FROM journal_details d CROSS JOIN generate_series(1, 3) n"
                + " JOIN (" + mappableJournal + ") j ON j.id = d.journal_id"
                + " JOIN points p ON p.id = CASE n WHEN 1 THEN d.point_id_1 WHEN 2 THEN d.point_id_2 ELSE d.point_id_3 END"
                + " ORDER BY d.id, n");
    List<String> lmsGrades =
        rows(
            lms,
            "SELECT g.legacy_detail_id, g.component, e.legacy_id, g.marks_obtained, g.is_absent FROM grades g"
                + " JOIN course_enrollments e ON e.id = g.enrollment_id ORDER BY g.legacy_detail_id, g.component");
    assertThat(lmsGrades).hasSizeGreaterThan(200).hasSameSizeAs(eduGrades);
    assertThat(lmsGrades).isEqualTo(eduGrades);
  }

  /** Every accounting line of mapping.md balances, each with LMS rows, and no mapping_error. */
  static void balanced(Connection edu, Connection lms) throws SQLException {
    List<Accounting.Row> table = Accounting.compute(edu, lms, Set.copyOf(EduToLmsTopology.OUTPUT_TABLES));
    List<Accounting.Row> built = table.stream().filter(Accounting.Row::built).toList();
    assertThat(built).extracting(Accounting.Row::label).containsExactlyElementsOf(Accounting.LINES.stream().map(Accounting.Line::label).toList());
    for (Accounting.Row r : built) {
      assertThat(r.lms() + r.quarantined())
          .as("%s; parked: %s", r.label(), parkedSample(lms))
          .isEqualTo(r.expected());
      // Not balanced by quarantining everything: a line with EDU rows has some in LMS. (A random
      // stream may empty a small table in EDU: then 0 in LMS is the mapping.)
      if (r.expected() > 0) {
        assertThat(r.lms()).as("%s: %d expected, none in LMS", r.label(), r.expected()).isPositive();
      }
    }
    assertThat(rows(lms, "SELECT count(*) FROM edu2lms.quarantine WHERE reason = 'mapping_error'")).containsExactly("0");
  }

  /**
   * {@code edu2lms verify}'s reconciliation passes (every LMS, quarantine and notes row as the
   * mapping of EDU says, accounting balanced); small chunks so chunk boundaries are crossed.
   *
   * @return the report
   */
  static VerifyReport verified(Connection edu, Connection lms) throws SQLException {
    VerifyReport report = new Verifier(edu, lms, 1000, c -> {}).run();
    assertThat(report.problems()).as(report.format()).isEmpty();
    assertThat(report.passed()).isTrue();
    assertThat(report.checks()).hasSize(3 * 14 + 2 * 2 + 4);
    return report;
  }

  /** Up to 30 parked rows with what they wait for and up to 10 waiting deletes, for assertion messages. */
  static List<String> parkedSample(Connection lms) throws SQLException {
    List<String> out = rows(lms, "SELECT lms_table, reason, detail, waiting_table, waiting_for, source_id FROM edu2lms.parked LIMIT 30");
    out.addAll(rows(lms, "SELECT 'pending delete', lms_table, id FROM edu2lms.pending_deletes LIMIT 10"));
    return out;
  }

  /** Each row as one "|"-joined string. */
  static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          if (i > 1) {
            sb.append('|');
          }
          sb.append(rs.getString(i));
        }
        out.add(sb.toString());
      }
    }
    return out;
  }

  /** Blanks the last column of LMS rows where the EDU row has none to compare (a date not in full form). */
  private static List<String> strip(List<String> actual, List<String> expected) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < actual.size(); i++) {
      String a = actual.get(i);
      if (i < expected.size() && expected.get(i).endsWith("|null")) {
        a = a.substring(0, a.lastIndexOf('|')) + "|null";
      }
      out.add(a);
    }
    return out;
  }
}
