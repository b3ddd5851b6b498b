package org.edu2lms.cli.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The accounting of mapping.md §Accounting: per LMS table, rows in LMS + rows in
 * {@code edu2lms.quarantine} = the expected count derived from EDU. "100 % accounted" means every
 * line balances.
 */
public final class Accounting {

  /**
   * One line of the accounting table.
   *
   * @param label the LMS table (and which part of it)
   * @param eduSource the EDU table whose rows are quarantined for this line, or {@code null} when
   *     the line is never quarantined
   * @param expectedSql the expected count: run on EDU, or on LMS when {@link #expectedOnLms}
   * @param expectedOnLms whether {@code expectedSql} runs on LMS (component assessments)
   * @param lmsSql the count of LMS rows
   * @param lmsTable the LMS table, used to decide whether the transform produces it yet
   */
  public record Line(
      String label, String eduSource, String expectedSql, boolean expectedOnLms, String lmsSql, String lmsTable) {}

  /**
   * A computed line. {@code built} is false for a table the pipeline does not produce yet; its
   * figures are then not a verdict.
   */
  public record Row(String label, boolean built, long lms, long quarantined, long expected) {
    /** LMS + quarantine = expected. */
    public boolean balanced() {
      return lms + quarantined == expected;
    }

    /** The line for JSON: label, built, lms, quarantined, expected, balanced. */
    public Map<String, Object> asMap() {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("label", label);
      l.put("built", built);
      l.put("lms", lms);
      l.put("quarantined", quarantined);
      l.put("expected", expected);
      l.put("balanced", balanced());
      return l;
    }
  }

  /** The 16 lines of mapping.md §Accounting, in its order. */
  public static final List<Line> LINES =
      List.of(
          simple("users", "users", "users"),
          simple("persons", "persons", "persons"),
          simple("organization_units", "organizations", "organization_units"),
          simple("students", "students", "students"),
          simple("staff_members", "teachers", "staff_members"),
          new Line(
              "academic_terms",
              null,
              // Pairs of a year with a name and a semester with a known code; the other years and
              // semesters are quarantined themselves (CurriculumMappings.termSourceProblem).
              "SELECT (SELECT count(*) FROM edu_years WHERE name ~ '[^\\x01-\\x20]')"
                  + " * (SELECT count(*) FROM semesters WHERE code IN (1, 2, 3))",
              false,
              "SELECT count(*) FROM academic_terms",
              "academic_terms"),
          simple("courses", "education_plan_subject", "courses"),
          simple("course_offerings", "course", "course_offerings"),
          simple("course_instructors", "course_teacher", "course_instructors"),
          simple("course_enrollments", "journal", "course_enrollments"),
          new Line(
              "assessments (exam)",
              "exam",
              "SELECT count(*) FROM exam",
              false,
              "SELECT count(*) FROM assessments WHERE legacy_exam_id IS NOT NULL",
              "assessments"),
          new Line(
              "assessments (component)",
              null,
              "SELECT 3 * count(*) FROM course_offerings",
              true,
              "SELECT count(*) FROM assessments WHERE legacy_exam_id IS NULL",
              "assessments"),
          simple("assessment_submissions", "exam_result", "assessment_submissions"),
          new Line(
              "grades",
              "journal_details",
              "SELECT count(point_id_1) + count(point_id_2) + count(point_id_3) FROM journal_details",
              false,
              "SELECT count(*) FROM grades",
              "grades"),
          simple("file_uploads", "files", "file_uploads"),
          simple("course_materials", "course_meeting_topic_file", "course_materials"));

  private Accounting() {}

  private static Line simple(String lmsTable, String eduTable, String label) {
    return new Line(
        label, eduTable, "SELECT count(*) FROM " + eduTable, false, "SELECT count(*) FROM " + lmsTable, lmsTable);
  }

  /**
   * Computes every line.
   *
   * @param built the LMS tables the pipeline produces; other lines are reported as not built
   * @throws SQLException when a count fails
   */
  public static List<Row> compute(Connection edu, Connection lms, Set<String> built) throws SQLException {
    Map<String, Long> quarantined = new LinkedHashMap<>();
    try (Statement st = lms.createStatement();
        ResultSet rs = st.executeQuery("SELECT source_table, count(*) FROM edu2lms.quarantine GROUP BY source_table")) {
      while (rs.next()) {
        quarantined.put(rs.getString(1), rs.getLong(2));
      }
    }
    List<Row> rows = new ArrayList<>();
    for (Line line : LINES) {
      long expected = count(line.expectedOnLms() ? lms : edu, line.expectedSql());
      long inLms = count(lms, line.lmsSql());
      long q = line.eduSource() == null ? 0 : quarantined.getOrDefault(line.eduSource(), 0L);
      rows.add(new Row(line.label(), built.contains(line.lmsTable()), inLms, q, expected));
    }
    return rows;
  }

  /** Quarantine rows per (source_table, reason), most first. */
  public static Map<String, Long> reasons(Connection lms) throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    try (PreparedStatement ps =
            lms.prepareStatement(
                "SELECT source_table || '  ' || reason, count(*) FROM edu2lms.quarantine GROUP BY 1 ORDER BY 2 DESC, 1");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  /** Data-quality notes per (source_table, note), most first (accepted rows; not quarantine). */
  public static Map<String, Long> notes(Connection lms) throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    try (PreparedStatement ps =
            lms.prepareStatement(
                "SELECT source_table || '  ' || n, count(*) FROM edu2lms.data_quality_notes, unnest(notes) n"
                    + " GROUP BY 1 ORDER BY 2 DESC, 1");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The table as text: one line per accounting line, then a verdict line. */
  public static String format(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-26s %10s %11s %10s  %s%n", "LMS table", "in LMS", "quarantine", "expected", "status"));
    for (Row r : rows) {
      if (!r.built()) {
        sb.append(String.format("%-26s %10s %11s %10d  %s%n", r.label(), "-", "-", r.expected(), "not built yet"));
      } else {
        sb.append(
            String.format(
                "%-26s %10d %11d %10d  %s%n",
                r.label(),
                r.lms(),
                r.quarantined(),
                r.expected(),
                r.balanced() ? "balanced" : "OFF BY " + (r.lms() + r.quarantined() - r.expected())));
      }
    }
    return sb.toString();
  }

  /**
   * Rows the sink holds in {@code edu2lms.parked} (waiting for a parent or a unique value in
   * flight); 0 once everything has landed.
   *
   * @throws SQLException when the count fails
   */
  public static long parkedRows(Connection lms) throws SQLException {
    return count(lms, "SELECT count(*) FROM edu2lms.parked");
  }

  /**
   * Deletes the sink holds in {@code edu2lms.pending_deletes} (a parent tombstone waiting until no
   * LMS row references the parent); 0 once the pipeline has caught up.
   *
   * @throws SQLException when LMS cannot be read
   */
  public static long pendingDeletes(Connection lms) throws SQLException {
    return count(lms, "SELECT count(*) FROM edu2lms.pending_deletes");
  }
}
