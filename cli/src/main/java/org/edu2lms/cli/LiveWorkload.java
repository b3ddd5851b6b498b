package org.edu2lms.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import org.edu2lms.schemas.LegacyIds;

/**
 * The mixed workload: 55 % updates of journal_details, 10 % each of journal, exam_result and
 * users updates, 10 % inserts of journal_details, 5 % deletes of rows it inserted. Rows are
 * chosen at random among those that are in LMS, so every timed change must reach it.
 */
final class LiveWorkload {

  /** A timed change: the LMS row it must reach and the EDU row it came from. */
  record Target(String lmsTable, String lmsId, String eduTable, long eduId) {}

  private final Connection edu;
  private final SplittableRandom random;
  private final long[] details;
  private final long[] journals;
  private final long[] results;
  private final long[] users;
  private final PreparedStatement updateDetail;
  private final PreparedStatement updateJournal;
  private final PreparedStatement updateResult;
  private final PreparedStatement updateUser;
  private final PreparedStatement insertDetail;
  private final PreparedStatement deleteDetail;
  private final Deque<Long> inserted = new ArrayDeque<>();
  private long nextDetailId;
  private long counter;
  /** The LMS grade id of the row the last delete removed. */
  String lastDeleted;

  LiveWorkload(Connection edu, Connection lms, long seed) throws SQLException {
    this.edu = edu;
    this.random = new SplittableRandom(seed);
    this.details = ids(lms, "SELECT legacy_detail_id FROM grades WHERE component = 1");
    this.journals = ids(lms, "SELECT legacy_id FROM course_enrollments");
    this.results = ids(lms, "SELECT legacy_id FROM assessment_submissions");
    this.users = ids(lms, "SELECT legacy_id FROM users");
    this.nextDetailId = ids(edu, "SELECT coalesce(max(id), 0) FROM journal_details")[0] + 1_000_000_000L;
    edu.setAutoCommit(true);
    // A writer of a production EDU commits durably (PostgreSQL's default). The embedded server runs
    // with synchronous_commit=off for the bulk generator; a change committed that way reaches
    // logical decoding only when the WAL writer flushes (wal_writer_delay, 200 ms), which is not
    // the pipeline's latency (docs/benchmarks §Live: where the capture hop went).
    try (java.sql.Statement st = edu.createStatement()) {
      st.execute("SET synchronous_commit = on");
    }
    this.updateDetail = edu.prepareStatement("UPDATE journal_details SET create_date = ? WHERE id = ?");
    this.updateJournal = edu.prepareStatement("UPDATE journal SET create_date = ? WHERE id = ?");
    this.updateResult = edu.prepareStatement("UPDATE exam_result SET submit_date = ? WHERE id = ?");
    this.updateUser = edu.prepareStatement("UPDATE users SET update_date = ? WHERE id = ?");
    this.insertDetail =
        edu.prepareStatement(
            "INSERT INTO journal_details (id, journal_id, lesson_date, point_id_1, point_id_2, point_id_3, create_date)"
                + " SELECT ?, journal_id, lesson_date, point_id_1, NULL, NULL, create_date FROM journal_details WHERE id = ?");
    this.deleteDetail = edu.prepareStatement("DELETE FROM journal_details WHERE id = ?");
  }

  private static long[] ids(Connection c, String sql) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("no rows for the workload: " + sql);
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private long pick(long[] from) {
    return from[random.nextInt(from.length)];
  }

  /** Applies one change (one EDU transaction); returns what to time, or null for a delete. */
  Target next() throws SQLException {
    counter++;
    String stamp = String.format("%02d/%02d/2026 %02d:%02d:%02d", 1 + counter % 28, 1 + counter % 12, counter % 24, counter % 60, (counter / 60) % 60);
    int dice = random.nextInt(100);
    if (dice < 55) {
      long id = pick(details);
      run(updateDetail, stamp, id);
      return new Target("grades", LegacyIds.forGrade(id, 1).toString(), "journal_details", id);
    } else if (dice < 65) {
      long id = pick(journals);
      run(updateJournal, stamp, id);
      return new Target("course_enrollments", LegacyIds.forRow("journal", id).toString(), "journal", id);
    } else if (dice < 75) {
      long id = pick(results);
      run(updateResult, stamp, id);
      return new Target("assessment_submissions", LegacyIds.forRow("exam_result", id).toString(), "exam_result", id);
    } else if (dice < 85) {
      long id = pick(users);
      run(updateUser, stamp, id);
      return new Target("users", LegacyIds.forRow("users", id).toString(), "users", id);
    } else if (dice < 95 || inserted.isEmpty()) {
      long id = nextDetailId++;
      insertDetail.setLong(1, id);
      insertDetail.setLong(2, pick(details));
      insertDetail.executeUpdate();
      inserted.add(id);
      return new Target("grades", LegacyIds.forGrade(id, 1).toString(), "journal_details", id);
    } else {
      long id = inserted.poll();
      deleteDetail.setLong(1, id);
      deleteDetail.executeUpdate();
      lastDeleted = LegacyIds.forGrade(id, 1).toString();
      return null;
    }
  }

  private static void run(PreparedStatement ps, String stamp, long id) throws SQLException {
    ps.setString(1, stamp);
    ps.setLong(2, id);
    ps.executeUpdate();
  }
}
