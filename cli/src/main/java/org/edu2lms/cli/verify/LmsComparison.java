package org.edu2lms.cli.verify;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.edu2lms.sink.LmsCopy;
import org.edu2lms.sink.LmsTable;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * Compares expected rows with LMS, one chunk at a time, inside LMS: the expected rows are copied
 * into a temporary table with the LMS table's own column types ({@code CREATE TEMP TABLE … AS
 * SELECT … WITH NO DATA}, so numeric scales, jsonb normalization and time zones are applied the
 * same way on both sides), then each side's rows are reduced to a per-row hash ({@code
 * md5(ROW(columns)::text)}, every mapped column but {@code source_lsn}) and the two hash lists
 * are joined by key: a key on one side only is missing or extra, a key with two hashes differs.
 *
 * <p>SQL text is built only from {@link LmsTable} names and columns (the fixed schema); bounds are
 * parameters.
 */
final class LmsComparison {

  /** A side table of the sink: {@code edu2lms.quarantine} or {@code edu2lms.data_quality_notes}. */
  enum Side {
    QUARANTINE("quarantine", "edu2lms.quarantine", "reason"),
    NOTES("notes", "edu2lms.data_quality_notes", "array_to_string(notes, ',')");

    final String kind;
    final String table;
    final String valueExpr;

    Side(String kind, String table, String valueExpr) {
      this.kind = kind;
      this.table = table;
      this.valueExpr = valueExpr;
    }
  }

  /**
   * One expected row of a side table.
   *
   * @param sourceId the EDU id
   * @param component 0, or 1..3 for grades
   * @param value the reason, or the comma-separated notes
   */
  record SideRow(long sourceId, int component, String value) {}

  private final Connection lms;
  private final Set<String> created = new HashSet<>();

  LmsComparison(Connection lms) {
    this.lms = lms;
  }

  /**
   * Compares one chunk of an LMS table.
   *
   * @param table the LMS table
   * @param keyColumn the EDU-id column ({@code legacy_id}, …) reported with each difference, or
   *     null (academic_terms)
   * @param filter the LMS rows of this chunk, as SQL over the table's columns with two {@code ?}
   *     bounds when {@code bounds} is non-null, e.g. {@code legacy_id > ? AND legacy_id <= ?}
   * @param bounds the two bounds, or null
   * @param expected the expected rows of the chunk
   * @throws SQLException when LMS cannot be read or an expected row does not fit the table
   */
  void compareRows(LmsTable table, String keyColumn, String filter, long[] bounds, List<? extends SpecificRecord> expected, CheckBuilder into)
      throws SQLException {
    String temp = "pg_temp.verify_" + table.name();
    List<String> columns = table.columns().stream().map(LmsTable.Column::name).collect(Collectors.toList());
    List<String> compared = columns.stream().filter(c -> !c.equals("source_lsn")).collect(Collectors.toList());
    try (Statement st = lms.createStatement()) {
      if (created.add(temp)) {
        st.execute("DROP TABLE IF EXISTS " + temp);
        st.execute("CREATE TEMP TABLE verify_" + table.name() + " AS SELECT " + String.join(", ", columns) + " FROM public." + table.name() + " WITH NO DATA");
      } else {
        st.execute("TRUNCATE " + temp);
      }
    }
    new LmsCopy(table).copy(lms, temp, expected);
    into.expected += expected.size();
    String key = keyColumn == null ? "NULL::bigint" : keyColumn;
    String hash = "md5(ROW(" + String.join(", ", compared) + ")::text)";
    String sql =
        "SELECT coalesce(e.id, l.id)::text, coalesce(e.k, l.k),"
            + " CASE WHEN l.id IS NULL THEN 'missing' WHEN e.id IS NULL THEN 'extra' ELSE 'differs' END"
            + " FROM (SELECT id, " + key + " AS k, " + hash + " AS h FROM " + temp + ") e"
            + " FULL JOIN (SELECT id, " + key + " AS k, " + hash + " AS h FROM public." + table.name() + " WHERE " + filter + ") l"
            + " ON l.id = e.id WHERE e.h IS DISTINCT FROM l.h ORDER BY 2, 1";
    List<String> differs = new ArrayList<>();
    try (PreparedStatement ps = lms.prepareStatement(sql)) {
      if (bounds != null) {
        ps.setLong(1, bounds[0]);
        ps.setLong(2, bounds[1]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1);
          long k = rs.getLong(2);
          Long legacy = rs.wasNull() ? null : k;
          String kind = rs.getString(3);
          if (into.count(kind, id, legacy) && kind.equals("differs")) {
            differs.add(id);
          }
        }
      }
    }
    for (String id : differs) {
      into.columns(id, columnDifferences(table, temp, compared, id));
    }
  }

  private List<VerifyReport.ColumnDifference> columnDifferences(LmsTable table, String temp, List<String> compared, String id)
      throws SQLException {
    String select =
        compared.stream().map(c -> "e." + c + "::text, l." + c + "::text").collect(Collectors.joining(", "));
    List<VerifyReport.ColumnDifference> out = new ArrayList<>();
    try (PreparedStatement ps =
        lms.prepareStatement("SELECT " + select + " FROM " + temp + " e JOIN public." + table.name() + " l ON l.id = e.id WHERE e.id = ?::uuid")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          for (int i = 0; i < compared.size(); i++) {
            String e = rs.getString(2 * i + 1);
            String l = rs.getString(2 * i + 2);
            if (!Objects.equals(e, l)) {
              out.add(new VerifyReport.ColumnDifference(compared.get(i), e, l));
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Compares one chunk of a side table: the rows of {@code eduTable} with {@code lo < source_id
   * <= hi}.
   *
   * @throws SQLException when LMS cannot be read
   */
  void compareSide(Side side, String eduTable, long lo, long hi, List<SideRow> expected, CheckBuilder into) throws SQLException {
    String temp = "pg_temp.verify_side";
    try (Statement st = lms.createStatement()) {
      if (created.add(temp)) {
        st.execute("DROP TABLE IF EXISTS " + temp);
        st.execute("CREATE TEMP TABLE verify_side (source_id bigint NOT NULL, component smallint NOT NULL, value text)");
      } else {
        st.execute("TRUNCATE " + temp);
      }
    }
    copySide(temp, expected);
    into.expected += expected.size();
    String sql =
        "SELECT coalesce(e.source_id, a.source_id), coalesce(e.component, a.component),"
            + " CASE WHEN a.source_id IS NULL THEN 'missing' WHEN e.source_id IS NULL THEN 'extra' ELSE 'differs' END, e.value, a.value"
            + " FROM " + temp + " e FULL JOIN (SELECT source_id, component, " + side.valueExpr + " AS value FROM " + side.table
            + " WHERE source_table = ? AND source_id > ? AND source_id <= ?) a"
            + " ON a.source_id = e.source_id AND a.component = e.component"
            + " WHERE e.value IS DISTINCT FROM a.value ORDER BY 1, 2";
    try (PreparedStatement ps = lms.prepareStatement(sql)) {
      ps.setString(1, eduTable);
      ps.setLong(2, lo);
      ps.setLong(3, hi);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          String key = eduTable + ":" + id + ":" + rs.getInt(2);
          String kind = rs.getString(3);
          if (into.count(kind, key, id) && kind.equals("differs")) {
            into.columns(key, List.of(new VerifyReport.ColumnDifference(side == Side.QUARANTINE ? "reason" : "notes", rs.getString(4), rs.getString(5))));
          }
        }
      }
    }
  }

  /**
   * Counts the side-table rows of EDU tables that produce none ({@code source_table} not in
   * {@code known}) as extra rows of one check.
   *
   * @throws SQLException when LMS cannot be read
   */
  void orphans(Side side, Set<String> known, CheckBuilder into) throws SQLException {
    try (PreparedStatement ps =
        lms.prepareStatement("SELECT source_table, source_id, component FROM " + side.table + " WHERE NOT (source_table = ANY (?)) ORDER BY 1, 2, 3")) {
      ps.setArray(1, lms.createArrayOf("text", known.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          into.count("extra", rs.getString(1) + ":" + rs.getLong(2) + ":" + rs.getInt(3), rs.getLong(2));
        }
      }
    }
  }

  /**
   * Drops the temporary tables of this comparison (they would also go with the session).
   *
   * @throws SQLException when LMS cannot be reached
   */
  void dropTemporaryTables() throws SQLException {
    try (Statement st = lms.createStatement()) {
      for (String temp : created) {
        st.execute("DROP TABLE IF EXISTS " + temp);
      }
    }
    created.clear();
  }

  private void copySide(String temp, List<SideRow> rows) throws SQLException {
    PGConnection pg = lms.unwrap(PGConnection.class);
    try (PGCopyOutputStream out = new PGCopyOutputStream(pg, "COPY " + temp + " (source_id, component, value) FROM STDIN (FORMAT csv)", 1 << 16);
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        CSVPrinter csv = new CSVPrinter(w, CSVFormat.POSTGRESQL_CSV)) {
      for (SideRow r : rows) {
        csv.printRecord(r.sourceId(), r.component(), r.value());
      }
    } catch (IOException e) {
      if (e.getCause() instanceof SQLException s) {
        throw s;
      }
      throw new SQLException("COPY into " + temp + " failed: " + e.getMessage(), "08006", e);
    }
  }
}
