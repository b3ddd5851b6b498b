package org.edu2lms.sink;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * Streams decoded LMS records into a table shaped like their LMS table with {@code COPY … FROM
 * STDIN (FORMAT csv)}: the sink's staging tables and {@code edu2lms verify}'s expected rows.
 * {@link CSVFormat#POSTGRESQL_CSV}: NULL is an empty unquoted field, every non-NULL value is
 * quoted; instants are written as ISO-8601 in UTC.
 */
public final class LmsCopy {

  private static final CSVFormat CSV = CSVFormat.POSTGRESQL_CSV;

  private final LmsTable table;
  private final int[] fieldPositions;
  private final String columns;

  /**
   * @param table the LMS table whose columns ({@link LmsTable#columns()}) are copied
   * @throws IllegalStateException when a column has no field in the table's Avro schema
   */
  public LmsCopy(LmsTable table) {
    this.table = table;
    this.fieldPositions = new int[table.columns().size()];
    Schema schema = table.valueSchema();
    for (int i = 0; i < fieldPositions.length; i++) {
      Schema.Field f = schema.getField(table.columns().get(i).name());
      if (f == null) {
        throw new IllegalStateException(
            "column " + table.name() + "." + table.columns().get(i).name() + " has no field in " + schema.getFullName());
      }
      fieldPositions[i] = f.pos();
    }
    this.columns = table.columns().stream().map(LmsTable.Column::name).collect(Collectors.joining(", "));
  }

  /** The Avro field position of each column, in {@link LmsTable#columns()} order. */
  int[] fieldPositions() {
    return fieldPositions;
  }

  /**
   * Copies the rows into {@code target} (a table with at least the LMS table's columns).
   *
   * @param target a table name as SQL, e.g. {@code pg_temp.stage_users}; never a value
   * @throws SQLException when the COPY fails (a value the target cannot hold, the connection)
   */
  public void copy(Connection c, String target, Iterable<? extends SpecificRecord> rows) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    String sql = "COPY " + target + " (" + columns + ") FROM STDIN (FORMAT csv)";
    try (PGCopyOutputStream out = new PGCopyOutputStream(pg, sql, 1 << 16);
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        CSVPrinter csv = new CSVPrinter(w, CSV)) {
      Object[] values = new Object[fieldPositions.length];
      for (SpecificRecord row : rows) {
        for (int i = 0; i < fieldPositions.length; i++) {
          values[i] = csvValue(row.get(fieldPositions[i]));
        }
        csv.printRecord(values);
      }
    } catch (IOException e) {
      if (e.getCause() instanceof SQLException s) {
        throw s;
      }
      throw new SQLException("COPY into " + target + " for " + table.name() + " failed: " + e.getMessage(), "08006", e);
    }
  }

  private static Object csvValue(Object value) {
    if (value instanceof Instant t) {
      return t.atOffset(ZoneOffset.UTC).toString();
    }
    return value;
  }
}
