package org.edu2lms.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.schemas.lms.AcademicTerm;
import org.edu2lms.schemas.lms.OrganizationUnit;
import org.edu2lms.schemas.lms.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TableWriter} on a real, migrated LMS: a small batch is one upsert over arrays with no
 * staging table, and writes exactly what the staged path writes; whenever it cannot write every
 * row it leaves nothing behind and the staged path decides, as before.
 */
class TableWriterIT {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgresServer pg;
  private Connection c;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = EmbeddedPostgresServer.start(Files.createTempDirectory("edu2lms-tablewriter-it").resolve("postgres"));
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    pg.close();
  }

  @AfterEach
  void closeConnection() throws SQLException {
    if (c != null) {
      c.close();
    }
  }

  /** A new migrated LMS database and a connection to it, in a transaction (as the sink has). */
  private Connection freshLms() throws Exception {
    String db = "lms_tw_" + DATABASES.incrementAndGet();
    try (Connection admin = DriverManager.getConnection(pg.jdbcUrl("postgres"), EmbeddedPostgresServer.USER, "");
        Statement st = admin.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    }
    LmsSchema.migrate(pg.jdbcUrl(db), EmbeddedPostgresServer.USER, "");
    Connection conn = DriverManager.getConnection(pg.jdbcUrl(db), EmbeddedPostgresServer.USER, "");
    conn.setAutoCommit(false);
    return conn;
  }

  private static TableWriter writer(String table) {
    return new TableWriter(LmsCatalog.TABLES.stream().filter(t -> t.name().equals(table)).findFirst().orElseThrow(), StageMethod.INSERT);
  }

  private static String id(String table, long legacyId) {
    return LmsRecords.id(table, legacyId);
  }

  private static User user(long legacyId, String username, String email, Instant registeredAt, long lsn) {
    return User.newBuilder(LmsRecords.user(legacyId, username, email, lsn)).setIsActive(legacyId % 2 == 0).setRegisteredAt(registeredAt).build();
  }

  private static OrganizationUnit org(long legacyId, Long parentLegacyId, String name, long lsn) {
    return OrganizationUnit.newBuilder(LmsRecords.org(legacyId, parentLegacyId, lsn)).setName(name).setCode(null).build();
  }

  private static <V extends SpecificRecord> Map<String, V> byId(List<V> rows) {
    Map<String, V> out = new LinkedHashMap<>();
    rows.forEach(r -> out.put(r.get(0).toString(), r));
    return out;
  }

  /** Whether this session has created the table's staging table. */
  private boolean staged(String table) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT to_regclass('pg_temp.stage_" + table + "') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private List<String> rows(String sql) throws SQLException {
    return SqlRows.rows(c, sql);
  }

  private static final String USER_COLUMNS =
      "SELECT legacy_id, username, email IS NULL, email, password_hash IS NULL, is_active, registered_at AT TIME ZONE 'UTC', source_lsn FROM users";
  private static final String ORG_COLUMNS = "SELECT legacy_id, parent_id IS NULL, unit_type, name::text, code IS NULL, source_lsn FROM organization_units";
  private static final String TERM_COLUMNS = "SELECT academic_year, term_type, start_date, end_date IS NULL, source_lsn FROM academic_terms";

  @Test
  void aSmallBatchIsOneArrayUpsertWithoutTheStagingTableAndWritesWhatTheStagedPathWrites() throws Exception {
    List<User> users =
        List.of(
            user(10, "quote\"comma,{braces}\nline\\back ğüşıöç 漢字 NULL", "", Instant.parse("1999-12-31T23:59:59.999999Z"), 1000),
            user(11, "plain", null, Instant.parse("0001-01-01T00:00:00Z"), 1001),
            user(12, "", "a@b.az", Instant.parse("2024-02-29T12:00:00.5Z"), 1002));
    List<OrganizationUnit> orgs =
        List.of(org(30, null, "{\"az\": \"Fakültə \\\"30\\\"\", \"en\": null}", 3000), org(31, 30L, "{\"az\": \"Kafedra\"}", 3001));
    AcademicTerm term =
        AcademicTerm.newBuilder()
            .setId(id("academic_terms", 7))
            .setAcademicYear("2024/2025")
            .setTermType("spring")
            .setStartDate(LocalDate.parse("2025-02-15"))
            .setEndDate(null)
            .setSourceLsn(5000)
            .build();

    List<List<String>> written = new ArrayList<>();
    for (boolean small : new boolean[] {true, false}) {
      c = freshLms();
      Map<String, User> userBatch = byId(users);
      // The parent first, in a batch of its own: a parent and its child in one statement is
      // the staged path's cycle landing, not this test's subject.
      assertThat(writer("organization_units").upsert(c, byId(orgs.subList(0, 1)))).isEmpty();
      Map<String, OrganizationUnit> orgBatch = byId(orgs.subList(1, 2));
      Map<String, AcademicTerm> termBatch = byId(List.of(term));
      if (!small) {
        // Past ARRAY_UPSERT_MAX_ROWS: the staged path.
        for (int i = 0; i < TableWriter.ARRAY_UPSERT_MAX_ROWS; i++) {
          User filler = user(1_000 + i, "filler" + i, null, Instant.EPOCH, 1);
          userBatch.put(filler.getId(), filler);
          OrganizationUnit o = org(1_000 + i, null, "{\"az\": \"x\"}", 1);
          orgBatch.put(o.getId(), o);
          AcademicTerm t = AcademicTerm.newBuilder(term).setId(id("academic_terms", 1_000 + i)).setAcademicYear("y" + i).build();
          termBatch.put(t.getId(), t);
        }
      }
      assertThat(writer("users").upsert(c, userBatch)).isEmpty();
      assertThat(writer("organization_units").upsert(c, orgBatch)).isEmpty();
      assertThat(writer("academic_terms").upsert(c, termBatch)).isEmpty();
      c.commit();
      assertThat(staged("users")).as("staging table used").isEqualTo(!small);
      assertThat(staged("organization_units")).isEqualTo(!small);
      assertThat(staged("academic_terms")).isEqualTo(!small);
      List<String> values = new ArrayList<>();
      values.addAll(rows(USER_COLUMNS + " WHERE legacy_id < 1000 ORDER BY legacy_id"));
      values.addAll(rows(ORG_COLUMNS + " WHERE legacy_id < 1000 ORDER BY legacy_id"));
      values.addAll(rows(TERM_COLUMNS + " WHERE academic_year = '2024/2025'"));
      written.add(values);
      c.close();
      c = null;
    }
    assertThat(written.get(0))
        .containsExactly(
            "10|quote\"comma,{braces}\nline\\back ğüşıöç 漢字 NULL|f||t|t|1999-12-31 23:59:59.999999|1000",
            "11|plain|t|null|t|f|0001-01-01 00:00:00|1001",
            "12||f|a@b.az|t|t|2024-02-29 12:00:00.5|1002",
            "30|t|faculty|{\"az\": \"Fakültə \\\"30\\\"\", \"en\": null}|t|3000",
            "31|f|faculty|{\"az\": \"Kafedra\"}|t|3001",
            "2024/2025|spring|2025-02-15|t|5000");
    assertThat(written.get(1)).isEqualTo(written.get(0));
  }

  @Test
  void aSmallBatchWithAMissingParentTakesTheStagedPathAndParksOnlyThatRow() throws Exception {
    c = freshLms();
    OrganizationUnit orphan = org(41, 99L, "{\"az\": \"Yetim\"}", 4100);
    OrganizationUnit fine = org(42, null, "{\"az\": \"Fakültə\"}", 4200);

    Map<String, TableWriter.Outcome> notWritten = writer("organization_units").upsert(c, byId(List.of(orphan, fine)));
    c.commit();

    assertThat(notWritten).containsOnlyKeys(orphan.getId());
    assertThat(notWritten.get(orphan.getId()).kind()).isEqualTo(TableWriter.Outcome.Kind.PARKED);
    assertThat(notWritten.get(orphan.getId()).waitingFor()).isEqualTo(id("organizations", 99));
    assertThat(rows(ORG_COLUMNS + " ORDER BY legacy_id")).containsExactly("42|t|faculty|{\"az\": \"Fakültə\"}|t|4200");
    assertThat(staged("organization_units")).as("the array upsert was rolled back; the staged path decided").isTrue();
  }

  @Test
  void anOlderPositionInASmallBatchChangesNothingAndTheNewerRowsOfTheSameBatchLand() throws Exception {
    c = freshLms();
    TableWriter users = writer("users");
    assertThat(users.upsert(c, byId(List.of(user(20, "newer", null, Instant.EPOCH, 2000))))).isEmpty();
    c.commit();
    assertThat(staged("users")).isFalse();

    Map<String, TableWriter.Outcome> notWritten =
        users.upsert(c, byId(List.of(user(20, "older", null, Instant.EPOCH, 1000), user(21, "new row", null, Instant.EPOCH, 2100))));
    c.commit();

    assertThat(notWritten).isEmpty();
    assertThat(rows("SELECT legacy_id, username, source_lsn FROM users ORDER BY legacy_id")).containsExactly("20|newer|2000", "21|new row|2100");
  }

  @Test
  void aValueTheLmsRejectsInASmallBatchIsRejectedAloneAsBefore() throws Exception {
    c = freshLms();
    AcademicTerm bad =
        AcademicTerm.newBuilder()
            .setId(id("academic_terms", 8))
            .setAcademicYear("2024/2025")
            .setTermType("winter")
            .setStartDate(null)
            .setEndDate(null)
            .setSourceLsn(1)
            .build();
    AcademicTerm good = AcademicTerm.newBuilder(bad).setId(id("academic_terms", 9)).setTermType("fall").build();

    Map<String, TableWriter.Outcome> notWritten = writer("academic_terms").upsert(c, byId(List.of(bad, good)));
    c.commit();

    assertThat(notWritten).containsOnlyKeys(bad.getId());
    assertThat(notWritten.get(bad.getId()).kind()).isEqualTo(TableWriter.Outcome.Kind.REJECTED);
    assertThat(notWritten.get(bad.getId()).reason()).isEqualTo("mapping_error");
    assertThat(rows(TERM_COLUMNS)).containsExactly("2024/2025|fall|null|t|1");
  }
}
