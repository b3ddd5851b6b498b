package org.edu2lms.generator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of the generated legacy data (../shared/spec/README.md, "The legacy data's profile at
 * scale 1.0"): every count multiplied by {@code scale} and rounded, lookup tables excepted, keeping
 * at least one row of each anomaly kind where the table's scaled count is above zero.
 *
 * @param scale the multiplier, &gt; 0 (1.0 ≈ 3.9 M rows)
 */
public record Profile(double scale) {

  /** Scale-1.0 row counts of the scaled tables (spec/README.md). */
  public static final Map<String, Integer> BASE_ROWS = baseRows();

  /** edu_years rows (not scaled): 2014/2015 … 2025/2026. */
  public static final int EDU_YEARS = 12;
  /** semesters rows (not scaled): fall, spring, summer. */
  public static final int SEMESTERS = 3;
  /** points rows (not scaled): values 0..10 and one {@code qb}. */
  public static final int POINTS = 12;

  /**
   * @throws IllegalArgumentException when scale is not a positive finite number
   */
  public Profile {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be a positive number, got " + scale);
    }
  }

  private static Map<String, Integer> baseRows() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("users", 6_987);
    m.put("persons", 6_469);
    m.put("organizations", 419);
    m.put("education_plan", 240);
    m.put("education_plan_subject", 883);
    m.put("course", 6_064);
    m.put("course_teacher", 11_693);
    m.put("course_meeting_topic", 30_000);
    m.put("files", 14_816);
    m.put("course_meeting_topic_file", 9_324);
    m.put("students", 6_344);
    m.put("teachers", 424);
    m.put("journal", 510_269);
    m.put("journal_details", 3_209_747);
    m.put("exam", 5_719);
    m.put("exam_result", 66_337);
    return Map.copyOf(m);
  }

  /** The scaled row count of a scaled table, at least 1. */
  public int rows(String table) {
    Integer base = BASE_ROWS.get(table);
    if (base == null) {
      throw new IllegalArgumentException("not a scaled EDU table: " + table);
    }
    return (int) Math.max(1, Math.round(base * scale));
  }

  /**
   * The scaled count of an anomaly kind: {@code round(base × scale)}, at least 1, at most
   * {@code tableRows}.
   */
  public int anomalies(int baseCount, int tableRows) {
    return (int) Math.min(tableRows, Math.max(1, Math.round(baseCount * scale)));
  }

  /** The count of an anomaly given as a share of a table's rows (e.g. ~1 % → 0.01), at least 1. */
  public static int share(double fraction, int tableRows) {
    return (int) Math.min(tableRows, Math.max(1, Math.round(fraction * tableRows)));
  }

  /** Total rows the generator writes at this scale, for progress reporting. */
  public long totalRows(int dictionaryRows) {
    long total = dictionaryRows + (long) EDU_YEARS + SEMESTERS + POINTS;
    for (String t : BASE_ROWS.keySet()) {
      total += rows(t);
    }
    return total;
  }
}
