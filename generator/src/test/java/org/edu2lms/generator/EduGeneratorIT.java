package org.edu2lms.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generator on a real PostgreSQL: the row counts and anomaly kinds of the profile in
 * ../shared/spec/README.md at a small scale, and determinism for a seed.
 */
class EduGeneratorIT {

  private static final double SCALE = 0.02;
  private static final long SEED = 7;

  private static EmbeddedPostgres pg;
  private static Connection edu;

  @BeforeAll
  static void generate() throws Exception {
    pg = EmbeddedPostgres.builder().start();
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE edu");
      st.execute("CREATE DATABASE edu_again");
    }
    edu = connect("edu");
    assertThat(EduSchema.migrate(url("edu"), "postgres", "")).isEqualTo(1);
    new EduGenerator(new Profile(SCALE), SEED).generate(edu, n -> {});
  }

  @AfterAll
  static void stop() throws Exception {
    edu.close();
    pg.close();
  }

  private static String url(String db) {
    return "jdbc:postgresql://localhost:" + pg.getPort() + "/" + db;
  }

  private static Connection connect(String db) throws SQLException {
    return pg.getDatabase("postgres", db).getConnection();
  }

  private static long count(String sql) throws SQLException {
    try (Statement st = edu.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long scaled(int base) {
    return Math.max(1, Math.round(base * SCALE));
  }

  @Test
  void rowCountsFollowTheProfile() throws SQLException {
    Map<String, Long> expected = new EduGenerator(new Profile(SCALE), SEED).expectedRows();
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      assertThat(count("SELECT count(*) FROM " + e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    assertThat(count("SELECT count(*) FROM users")).isEqualTo(scaled(6_987));
    assertThat(count("SELECT count(*) FROM journal")).isEqualTo(scaled(510_269));
    assertThat(count("SELECT count(*) FROM journal_details")).isEqualTo(scaled(3_209_747));
    assertThat(count("SELECT count(*) FROM exam_result")).isEqualTo(scaled(66_337));
    assertThat(count("SELECT count(*) FROM edu_years")).isEqualTo(12);
    assertThat(count("SELECT count(*) FROM semesters")).isEqualTo(3);
    assertThat(count("SELECT count(*) FROM points")).isEqualTo(12);
  }

  @Test
  void lookupTablesAreAsSpecified() throws SQLException {
    assertThat(count("SELECT count(*) FROM points WHERE code = 'qb' AND value IS NULL")).isEqualTo(1);
    assertThat(count("SELECT count(DISTINCT value) FROM points WHERE value BETWEEN 0 AND 10")).isEqualTo(11);
    assertThat(count("SELECT count(*) FROM edu_years WHERE name = '2014/2015' OR name = '2025/2026'")).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM dictionaries WHERE type_id = 4 AND name_en IN ('Exam','Quiz','Midterm','Final')")).isEqualTo(4);
    assertThat(count("SELECT count(*) FROM dictionaries WHERE type_id = 6 AND name_en IN ('Azerbaijani','English','Russian')")).isEqualTo(3);
    assertThat(count("SELECT count(*) FROM dictionaries WHERE name_az = '' OR trim(name_ru) = '' OR name_ru IS NULL")).isPositive();
  }

  @Test
  void everyAnomalyKindIsPresentInItsScaledCount() throws SQLException {
    long missing = EduGenerator.MISSING_BASE;
    assertThat(count("SELECT count(*) FROM persons p WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id)"))
        .isEqualTo(scaled(40));
    assertThat(count("SELECT count(*) FROM students WHERE status = 0")).isEqualTo(scaled(385));
    assertThat(count("SELECT count(*) FROM students s WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = s.person_id)"))
        .isEqualTo(scaled(30));
    assertThat(count("SELECT count(*) FROM teachers WHERE status = 0")).isEqualTo(scaled(74));
    assertThat(count("SELECT count(*) FROM organizations o WHERE o.parent_id > 0 AND NOT EXISTS (SELECT 1 FROM organizations p WHERE p.id = o.parent_id)"))
        .isEqualTo(scaled(3));
    assertThat(count("SELECT count(DISTINCT type_id) FROM organizations")).isGreaterThanOrEqualTo(4);
    assertThat(count("SELECT count(*) FROM course c WHERE NOT EXISTS (SELECT 1 FROM education_plan_subject e WHERE e.id = c.education_plan_subject_id)"))
        .isEqualTo(scaled(44));
    assertThat(count("SELECT count(*) FROM journal j WHERE NOT EXISTS (SELECT 1 FROM students s WHERE s.id = j.student_id)"))
        .isEqualTo(scaled(17_835));
    assertThat(count("SELECT count(*) FROM exam_result r WHERE NOT EXISTS (SELECT 1 FROM students s WHERE s.id = r.student_id)"))
        .isEqualTo(scaled(2_556));
    assertThat(count("SELECT count(*) FROM course_teacher ct WHERE ct.teacher_id >= " + missing)).isPositive();
    assertThat(count("SELECT count(*) FROM files f WHERE f.user_id >= " + missing)).isPositive();
    assertThat(count("SELECT count(*) FROM course_meeting_topic WHERE length(topic) > 4096")).isPositive();
    assertThat(count("SELECT count(*) FROM journal_details WHERE 99 IN (point_id_1, point_id_2, point_id_3)")).isPositive();
    assertThat(count("SELECT count(*) FROM journal_details WHERE 12 IN (point_id_1, point_id_2, point_id_3)")).isPositive();
    // Retakes: ~8 % of journal rows.
    double retakes = count("SELECT count(*) FROM journal WHERE retake % 10 >= 1") / (double) count("SELECT count(*) FROM journal");
    assertThat(retakes).isBetween(0.05, 0.11);
    // The orphan sections hold ~5,400 rows at scale 1.0.
    assertThat(count("SELECT count(*) FROM journal j WHERE j.course_id <= " + scaled(44))).isEqualTo(Math.round(5_400 * SCALE));
    // About 1.8 non-NULL marks per journal_details row.
    double marks = count("SELECT count(point_id_1) + count(point_id_2) + count(point_id_3) FROM journal_details")
        / (double) count("SELECT count(*) FROM journal_details");
    assertThat(marks).isBetween(1.7, 1.9);
  }

  @Test
  void usersCarryEveryEmailAndDateAnomaly() throws SQLException {
    assertThat(count("SELECT count(*) FROM users WHERE email IS NULL OR trim(email) = ''"))
        .isEqualTo(Profile.share(0.01, (int) count("SELECT count(*) FROM users")));
    assertThat(count("SELECT count(*) FROM users WHERE email !~ '^\\s*[^@\\s]+@[^@\\s]+\\.[^@\\s]+\\s*$' AND trim(email) <> ''")).isPositive();
    assertThat(count("SELECT count(*) FROM (SELECT lower(trim(email)) FROM users WHERE trim(email) <> '' GROUP BY 1 HAVING count(*) > 1) d")).isPositive();
    assertThat(count("SELECT count(*) FROM users WHERE email <> lower(email)")).isPositive();
    assertThat(count("SELECT count(*) FROM users WHERE create_date !~ '^\\d{2}([/.])\\d{2}\\1\\d{4}( \\d{2}:\\d{2}(:\\d{2})?)?$' OR create_date IN ('31/02/2020','00/00/0000')")).isPositive();
    assertThat(count("SELECT count(*) FROM users WHERE create_date ~ '^\\d{2}\\.\\d{2}\\.\\d{4}$'")).isPositive();
    assertThat(count("SELECT count(*) - count(DISTINCT username) FROM users")).isZero();
  }

  @Test
  void uniqueInPracticeKeysAreUnique() throws SQLException {
    assertThat(count("SELECT count(*) FROM (SELECT 1 FROM journal GROUP BY course_id, student_id, retake HAVING count(*) > 1) d")).isZero();
    assertThat(count("SELECT count(*) FROM (SELECT 1 FROM exam_result GROUP BY exam_id, student_id, attempt HAVING count(*) > 1) d")).isZero();
    assertThat(count("SELECT count(*) - count(DISTINCT card_number) FROM students")).isZero();
  }

  @Test
  void theSameSeedGivesTheSameDatabase() throws Exception {
    try (Connection again = connect("edu_again")) {
      EduSchema.migrate(url("edu_again"), "postgres", "");
      new EduGenerator(new Profile(SCALE), SEED).generate(again, n -> {});
      for (String table : new EduGenerator(new Profile(SCALE), SEED).expectedRows().keySet()) {
        assertThat(digest(again, table)).as(table).isEqualTo(digest(edu, table));
      }
    }
  }

  @Test
  void refusesToGenerateIntoANonEmptyDatabase() {
    assertThatThrownBy(() -> new EduGenerator(new Profile(SCALE), SEED).generate(edu, n -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already holds rows");
  }

  private static String digest(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM " + table + " t")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
