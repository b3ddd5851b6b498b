package org.edu2lms.cli.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The result of one {@code edu2lms verify} run: the content checks (every LMS table, the
 * quarantine and the data-quality notes, row by row against the mapping of EDU) and the
 * accounting of mapping.md §Accounting. Serialized as the {@code --json} output and into {@code
 * edu2lms.verify_runs.report}.
 *
 * @param startedAt when the EDU snapshot was taken
 * @param finishedAt when the last check ended
 * @param eduRows EDU rows read
 * @param checks one per LMS table (kind {@code lms}) and per EDU table for its quarantine and
 *     notes rows (kinds {@code quarantine}, {@code notes})
 * @param accounting the lines of mapping.md §Accounting ({@code Accounting.Row#asMap})
 * @param parkedRows rows the sink holds back (information; they show as missing rows too)
 * @param pendingDeletes deletes the sink holds back (information; they show as extra rows too)
 * @param passed every check clean and every accounting line balanced
 */
public record VerifyReport(
    Instant startedAt,
    Instant finishedAt,
    long eduRows,
    List<Check> checks,
    List<Map<String, Object>> accounting,
    long parkedRows,
    long pendingDeletes,
    boolean passed) {

  public VerifyReport {
    checks = List.copyOf(checks);
    accounting = List.copyOf(accounting);
  }

  /**
   * One content check.
   *
   * @param kind {@code lms}, {@code quarantine} or {@code notes}
   * @param name the LMS table ({@code assessments (components)} for the component assessments),
   *     or the EDU table whose quarantine or notes rows are checked
   * @param expected rows the mapping of EDU gives
   * @param missing expected rows absent from LMS
   * @param extra LMS rows the mapping does not give
   * @param differing rows present on both sides with different content (LMS: another column
   *     value; quarantine: another reason; notes: other notes)
   * @param samples up to {@link Verifier#SAMPLES} differences of each kind, with the differing
   *     columns of the {@code differs} ones
   */
  public record Check(String kind, String name, long expected, long missing, long extra, long differing, List<Difference> samples) {
    public Check {
      samples = List.copyOf(samples);
    }

    /** Nothing missing, extra or differing. */
    public boolean clean() {
      return missing == 0 && extra == 0 && differing == 0;
    }
  }

  /**
   * One row that is not as the mapping says.
   *
   * @param kind {@code missing}, {@code extra} or {@code differs}
   * @param key the LMS id (uuid), or {@code <source_table>:<source_id>:<component>} for
   *     quarantine and notes rows
   * @param legacyId the EDU id the row comes from (legacy_id, legacy_exam_id, legacy_detail_id or
   *     source_id); null for academic_terms and component assessments
   * @param columns the differing columns of a {@code differs} row (empty otherwise)
   */
  public record Difference(String kind, String key, Long legacyId, List<ColumnDifference> columns) {
    public Difference {
      columns = List.copyOf(columns);
    }
  }

  /**
   * @param column the column name
   * @param expected its value by the mapping of EDU, as PostgreSQL text (null for NULL)
   * @param lms its value in LMS
   */
  public record ColumnDifference(String column, String expected, String lms) {}

  /** The checks that are not clean, and the accounting lines that do not balance, one line each. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    for (Check c : checks) {
      if (!c.clean()) {
        out.add(
            String.format(
                "%s %s: %d missing, %d extra, %d differing of %d expected", c.kind(), c.name(), c.missing(), c.extra(), c.differing(), c.expected()));
      }
    }
    for (Map<String, Object> line : accounting) {
      if (Boolean.TRUE.equals(line.get("built")) && !Boolean.TRUE.equals(line.get("balanced"))) {
        out.add(
            String.format(
                "accounting %s: %s in LMS + %s quarantined != %s expected",
                line.get("label"), line.get("lms"), line.get("quarantined"), line.get("expected")));
      }
    }
    return out;
  }

  /** The report as text: one line per check, the samples of the failing ones, the verdict. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-11s %-28s %10s %8s %8s %9s%n", "kind", "table", "expected", "missing", "extra", "differing"));
    for (Check c : checks) {
      sb.append(String.format("%-11s %-28s %10d %8d %8d %9d%n", c.kind(), c.name(), c.expected(), c.missing(), c.extra(), c.differing()));
      for (Difference d : c.samples()) {
        sb.append(String.format("    %-8s %s%s%n", d.kind(), d.key(), d.legacyId() == null ? "" : " (EDU id " + d.legacyId() + ")"));
        for (ColumnDifference col : d.columns()) {
          sb.append(String.format("        %s: expected %s, LMS has %s%n", col.column(), show(col.expected()), show(col.lms())));
        }
      }
    }
    sb.append(String.format("parked rows %d, pending deletes %d; %,d EDU rows read in %.1f s%n",
        parkedRows, pendingDeletes, eduRows, Duration.between(startedAt, finishedAt).toMillis() / 1000.0));
    List<String> problems = problems();
    if (passed) {
      sb.append("VERIFY PASSED: every LMS, quarantine and notes row is as the mapping of EDU says, and every accounting line balances.\n");
    } else {
      sb.append("VERIFY FAILED:\n");
      problems.forEach(p -> sb.append("  ").append(p).append('\n'));
    }
    return sb.toString();
  }

  private static String show(String v) {
    if (v == null) {
      return "NULL";
    }
    return "'" + (v.length() > 120 ? v.substring(0, 120) + "…" : v) + "'";
  }
}
