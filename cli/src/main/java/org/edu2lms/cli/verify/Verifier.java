package org.edu2lms.cli.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.edu2lms.cli.ops.Accounting;
import org.edu2lms.cli.ops.StatusJson;
import org.edu2lms.cli.verify.LmsComparison.Side;
import org.edu2lms.cli.verify.LmsComparison.SideRow;
import org.edu2lms.sink.LmsCatalog;
import org.edu2lms.sink.LmsTable;
import org.edu2lms.transform.EduToLmsTopology;
import org.edu2lms.transform.mapping.MappingResult;

/**
 * {@code edu2lms verify}: reconciliation through the mapping (issue "Operate the transition"). The
 * EDU tables are read in one snapshot and mapped by the transform's own code ({@link
 * ExpectedLms}); the expected rows are compared with LMS by per-row hash in chunks of EDU ids
 * ({@link LmsComparison}), never a whole table in memory. Every LMS table, the quarantine (reason
 * per EDU row) and the data-quality notes are checked, and the accounting of mapping.md
 * §Accounting is added.
 *
 * <p>Meaningful when the pipeline is caught up (lag 0): changes in flight show as differences.
 * Memory: the chunk's expected rows plus the ids of mappable parents (for scale 1.0, about the
 * 0.5 M journal rows).
 */
public final class Verifier {

  /** EDU rows per compared chunk. */
  public static final int DEFAULT_CHUNK_ROWS = 50_000;

  /** Differences kept as samples per check and kind. */
  public static final int SAMPLES = 10;

  /** The EDU table → the LMS table it maps to, and the LMS column holding the EDU id. */
  private static final Map<String, String[]> STEPS = new LinkedHashMap<>();

  static {
    STEPS.put("users", new String[] {"users", "legacy_id"});
    STEPS.put("persons", new String[] {"persons", "legacy_id"});
    STEPS.put("organizations", new String[] {"organization_units", "legacy_id"});
    STEPS.put("students", new String[] {"students", "legacy_id"});
    STEPS.put("teachers", new String[] {"staff_members", "legacy_id"});
    STEPS.put("education_plan_subject", new String[] {"courses", "legacy_id"});
    STEPS.put("course", new String[] {"course_offerings", "legacy_id"});
    STEPS.put("course_teacher", new String[] {"course_instructors", "legacy_id"});
    STEPS.put("journal", new String[] {"course_enrollments", "legacy_id"});
    STEPS.put("exam", new String[] {"assessments", "legacy_exam_id"});
    STEPS.put("exam_result", new String[] {"assessment_submissions", "legacy_id"});
    STEPS.put("journal_details", new String[] {"grades", "legacy_detail_id"});
    STEPS.put("files", new String[] {"file_uploads", "legacy_id"});
    STEPS.put("course_meeting_topic_file", new String[] {"course_materials", "legacy_id"});
    // No LMS rows of their own (their pairs are academic_terms, compared whole), but quarantine
    // rows when a year has no name or a semester no known code.
    STEPS.put("edu_years", null);
    STEPS.put("semesters", null);
  }

  private final Connection edu;
  private final Connection lms;
  private final int chunkRows;
  private final Consumer<VerifyReport.Check> onCheck;
  private final LmsComparison compare;
  private final List<VerifyReport.Check> checks = new ArrayList<>();
  private Chunk chunk;

  /**
   * @param edu EDU (read in one REPEATABLE READ snapshot)
   * @param lms LMS (temporary tables are created in its session)
   * @param chunkRows EDU rows per compared chunk, at least 1
   * @param onCheck told of each check as it ends (progress), in report order
   */
  public Verifier(Connection edu, Connection lms, int chunkRows, Consumer<VerifyReport.Check> onCheck) {
    if (chunkRows < 1) {
      throw new IllegalArgumentException("chunk rows must be at least 1, got " + chunkRows);
    }
    this.edu = edu;
    this.lms = lms;
    this.chunkRows = chunkRows;
    this.onCheck = onCheck;
    this.compare = new LmsComparison(lms);
  }

  /**
   * Runs every check.
   *
   * @throws SQLException when EDU or LMS cannot be read
   */
  public VerifyReport run() throws SQLException {
    Instant started = Instant.now();
    List<SpecificRecord> terms = new ArrayList<>();
    List<SpecificRecord> components = new ArrayList<>();
    long eduRows;
    List<Map<String, Object>> accounting = new ArrayList<>();
    try (EduSnapshot snapshot = new EduSnapshot(edu)) {
      ExpectedLms.Receiver receiver =
          new ExpectedLms.Receiver() {
            @Override
            public void result(String eduTable, long id, int component, MappingResult<? extends SpecificRecord> result) throws SQLException {
              if (chunk == null || !chunk.eduTable.equals(eduTable)) {
                chunk = new Chunk(eduTable);
              }
              chunk.add(id, component, result);
            }

            @Override
            public void derived(String lmsTable, SpecificRecord record) {
              (lmsTable.equals("academic_terms") ? terms : components).add(record);
            }

            @Override
            public void tableDone(String eduTable) throws SQLException {
              if (chunk == null || !chunk.eduTable.equals(eduTable)) {
                chunk = new Chunk(eduTable);
              }
              chunk.finish();
              chunk = null;
            }
          };
      try {
        new ExpectedLms(snapshot, receiver).run();
      } catch (ExpectedLms.ReceiverFailure e) {
        throw e.getCause();
      } finally {
        chunk = null;
      }
      CheckBuilder termCheck = new CheckBuilder("lms", "academic_terms");
      compare.compareRows(table("academic_terms"), null, "true", null, terms, termCheck);
      done(termCheck);
      CheckBuilder componentCheck = new CheckBuilder("lms", "assessments (components)");
      compare.compareRows(table("assessments"), null, "legacy_exam_id IS NULL", null, components, componentCheck);
      done(componentCheck);
      for (Side side : Side.values()) {
        CheckBuilder orphans = new CheckBuilder(side.kind, "(tables without LMS rows)");
        compare.orphans(side, STEPS.keySet(), orphans);
        done(orphans);
      }
      eduRows = snapshot.rowsRead();
      compare.dropTemporaryTables();
      // The accounting inside the same EDU snapshot.
      for (Accounting.Row r : Accounting.compute(edu, lms, new HashSet<>(EduToLmsTopology.OUTPUT_TABLES))) {
        accounting.add(r.asMap());
      }
    }
    long parked = Accounting.parkedRows(lms);
    long pending = Accounting.pendingDeletes(lms);
    boolean passed =
        checks.stream().allMatch(VerifyReport.Check::clean)
            && accounting.stream().allMatch(l -> !Boolean.TRUE.equals(l.get("built")) || Boolean.TRUE.equals(l.get("balanced")));
    return new VerifyReport(started, Instant.now(), eduRows, checks, accounting, parked, pending, passed);
  }

  private void done(CheckBuilder b) {
    VerifyReport.Check c = b.build();
    checks.add(c);
    onCheck.accept(c);
  }

  private static LmsTable table(String name) {
    return LmsCatalog.TABLES.stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no LMS table " + name + " in LmsCatalog"));
  }

  /** The rows of one EDU table between two flushes: EDU ids in (lo, last]. */
  private final class Chunk {
    final String eduTable;
    final LmsTable lmsTable;
    final String keyColumn;
    final CheckBuilder rows;
    final CheckBuilder quarantine;
    final CheckBuilder notes;
    final List<SpecificRecord> records = new ArrayList<>();
    final List<SideRow> quarantined = new ArrayList<>();
    final List<SideRow> noted = new ArrayList<>();
    long lo = Long.MIN_VALUE;
    long last = Long.MIN_VALUE;
    int count;

    Chunk(String eduTable) {
      if (!STEPS.containsKey(eduTable)) {
        throw new IllegalStateException("EDU table " + eduTable + " is not verified row by row");
      }
      String[] step = STEPS.get(eduTable);
      this.eduTable = eduTable;
      this.lmsTable = step == null ? null : table(step[0]);
      this.keyColumn = step == null ? null : step[1];
      this.rows = step == null ? null : new CheckBuilder("lms", lmsTable.name());
      this.quarantine = new CheckBuilder("quarantine", eduTable);
      this.notes = new CheckBuilder("notes", eduTable);
    }

    void add(long id, int component, MappingResult<? extends SpecificRecord> r) throws SQLException {
      if (id != last && count >= chunkRows) {
        flush(last);
        lo = last;
      }
      if (id != last) {
        count++;
        last = id;
      }
      if (r == null) {
        return;
      }
      if (r.isOk()) {
        records.add(r.record());
        if (!r.notes().isEmpty()) {
          noted.add(new SideRow(id, component, String.join(",", r.notes())));
        }
      } else {
        quarantined.add(new SideRow(id, component, r.reason()));
      }
    }

    void finish() throws SQLException {
      flush(Long.MAX_VALUE);
      if (rows != null) {
        done(rows);
      }
      done(quarantine);
      done(notes);
    }

    private void flush(long hi) throws SQLException {
      long[] bounds = {lo, hi};
      if (lmsTable != null) {
        compare.compareRows(lmsTable, keyColumn, keyColumn + " > ? AND " + keyColumn + " <= ?", bounds, records, rows);
      }
      compare.compareSide(Side.QUARANTINE, eduTable, lo, hi, quarantined, quarantine);
      compare.compareSide(Side.NOTES, eduTable, lo, hi, noted, notes);
      records.clear();
      quarantined.clear();
      noted.clear();
      count = 0;
    }
  }

  // ------------------------------------------------------------------ edu2lms.verify_runs

  /**
   * The latest recorded run.
   *
   * @param finishedAt when it ended
   * @param passed its verdict
   * @param problems its failing checks, one line each
   */
  public record LastRun(Instant finishedAt, boolean passed, List<String> problems) {}

  /**
   * Records a run in {@code edu2lms.verify_runs} (the status page and {@code cutover-check} read
   * the latest).
   *
   * @throws SQLException when LMS cannot be written
   */
  public static void record(Connection lms, VerifyReport report) throws SQLException {
    ObjectMapper json = StatusJson.mapper();
    try (PreparedStatement ps =
        lms.prepareStatement(
            "INSERT INTO edu2lms.verify_runs (started_at, finished_at, passed, problems, report) VALUES (?, ?, ?, ?, ?::jsonb)")) {
      ps.setTimestamp(1, Timestamp.from(report.startedAt()));
      ps.setTimestamp(2, Timestamp.from(report.finishedAt()));
      ps.setBoolean(3, report.passed());
      ps.setArray(4, lms.createArrayOf("text", report.problems().toArray()));
      ps.setString(5, json.writeValueAsString(report));
      ps.executeUpdate();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the verify report as JSON", e);
    }
  }

  /**
   * The latest recorded run, if any.
   *
   * @throws SQLException when LMS cannot be read
   */
  public static Optional<LastRun> last(Connection lms) throws SQLException {
    try (PreparedStatement ps =
            lms.prepareStatement("SELECT finished_at, passed, problems FROM edu2lms.verify_runs ORDER BY finished_at DESC LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      String[] problems = (String[]) rs.getArray(3).getArray();
      return Optional.of(new LastRun(rs.getTimestamp(1).toInstant(), rs.getBoolean(2), List.of(problems)));
    }
  }
}
