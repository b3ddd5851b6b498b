package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edu2lms.cli.ops.Accounting;
import org.edu2lms.cli.verify.Verifier;
import org.edu2lms.cli.verify.VerifyReport;
import org.edu2lms.transform.EduToLmsTopology;

/**
 * The invariant of mapping.md checked on live databases, shared by the integration tests: every
 * column of the 15 LMS tables and every quarantine key and reason equal an SQL recomputation from
 * EDU that shares no code with the transform ({@link MappingInSql}), the accounting balances, and
 * {@code edu2lms verify} (the transform's mapping code recomputing every table) passes.
 */
final class LmsMatchesEdu {

  private LmsMatchesEdu() {}

  /** Users as mapping.md §users says, recomputed in SQL on EDU. */
  static final String EDU_USERS = MappingInSql.USERS.edu();

  static final String LMS_USERS = MappingInSql.USERS.lms();

  /**
   * All 15 LMS tables, the whole quarantine (no row for any other table, none missing) and the
   * data-quality notes equal their SQL recomputation from EDU.
   */
  static void everyTable(Connection edu, Connection lms) throws SQLException {
    for (MappingInSql.Table t : MappingInSql.PEOPLE) {
      same(edu, lms, t);
    }
    for (MappingInSql.Table t : MappingInSql.TEACHING) {
      same(edu, lms, t);
    }
    same("quarantine", rows(edu, MappingInSql.eduQuarantine(MappingInSql.QUARANTINABLE)), rows(lms, MappingInSql.lmsQuarantine(null)));
    same("data_quality_notes", rows(edu, MappingInSql.EDU_NOTES), rows(lms, MappingInSql.LMS_NOTES));
  }

  /**
   * Users, persons, organization units, students and staff members in LMS, and the quarantine rows
   * of their EDU tables, equal their SQL recomputation from EDU.
   */
  static void people(Connection edu, Connection lms) throws SQLException {
    for (MappingInSql.Table t : MappingInSql.PEOPLE) {
      same(edu, lms, t);
    }
    quarantine(edu, lms, MappingInSql.PEOPLE_SOURCES);
  }

  /**
   * Terms, courses, offerings, instructors, enrollments, assessments, submissions, grades, files and
   * materials in LMS, and the quarantine rows of their EDU tables, equal their SQL recomputation
   * from EDU. With {@link #people} every LMS table.
   */
  static void gradebook(Connection edu, Connection lms) throws SQLException {
    for (MappingInSql.Table t : MappingInSql.TEACHING) {
      same(edu, lms, t);
    }
    quarantine(edu, lms, MappingInSql.QUARANTINABLE.stream().filter(t -> !MappingInSql.PEOPLE_SOURCES.contains(t)).toList());
  }

  private static void quarantine(Connection edu, Connection lms, List<String> tables) throws SQLException {
    same("quarantine of " + tables, rows(edu, MappingInSql.eduQuarantine(tables)), rows(lms, MappingInSql.lmsQuarantine(tables)));
  }

  private static void same(Connection edu, Connection lms, MappingInSql.Table t) throws SQLException {
    same(t.name(), rows(edu, t.edu()), rows(lms, t.lms()));
  }

  /**
   * The rows, each a "|"-joined string, are the same multiset; on failure the message shows up to
   * 20 rows expected but not in LMS and 20 in LMS but not expected.
   */
  static void same(String what, List<String> expected, List<String> actual) {
    List<String> e = new ArrayList<>(expected);
    List<String> a = new ArrayList<>(actual);
    Collections.sort(e);
    Collections.sort(a);
    List<String> missing = minus(e, a);
    List<String> extra = minus(a, e);
    assertThat(missing.size() + extra.size())
        .as("%s: %d rows expected, %d in LMS;%n expected, not in LMS (%d):%n   %s%n in LMS, not expected (%d):%n   %s",
            what, e.size(), a.size(), missing.size(), head(missing), extra.size(), head(extra))
        .isZero();
  }

  private static List<String> minus(List<String> from, List<String> remove) {
    Map<String, Integer> left = new HashMap<>();
    remove.forEach(r -> left.merge(r, 1, Integer::sum));
    List<String> out = new ArrayList<>();
    for (String r : from) {
      if (left.merge(r, -1, Integer::sum) < 0) {
        out.add(r);
      }
    }
    return out;
  }

  private static String head(List<String> rows) {
    return String.join("\n   ", rows.subList(0, Math.min(20, rows.size())));
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
}
