package org.edu2lms.generator;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Streams rows into one table with PostgreSQL {@code COPY … FROM STDIN} (text format), buffering
 * about 1 MiB at a time. Values are escaped as the text format requires (backslash, tab, newline,
 * carriage return); {@code null} is written as {@code \N}.
 *
 * <p>Usage: {@code try (CopyRows c = CopyRows.open(mgr, "users", "id,username")) { c.add(1).add("a").end(); }}
 */
final class CopyRows implements AutoCloseable {

  private static final int FLUSH_CHARS = 1 << 20;

  private final CopyIn copy;
  private final String table;
  private final StringBuilder buf = new StringBuilder(FLUSH_CHARS + 64 * 1024);
  private boolean firstField = true;
  private long rows;

  private CopyRows(CopyIn copy, String table) {
    this.copy = copy;
    this.table = table;
  }

  /**
   * Starts a COPY into {@code table (columns)}.
   *
   * @throws SQLException when the server refuses the COPY (unknown table or column)
   */
  static CopyRows open(CopyManager manager, String table, String columns) throws SQLException {
    return new CopyRows(manager.copyIn("COPY " + table + " (" + columns + ") FROM STDIN"), table);
  }

  CopyRows add(long v) {
    sep();
    buf.append(v);
    return this;
  }

  /** A nullable integer column. */
  CopyRows add(Long v) {
    sep();
    if (v == null) {
      buf.append("\\N");
    } else {
      buf.append(v.longValue());
    }
    return this;
  }

  /** A text column; {@code null} → NULL. */
  CopyRows add(String v) {
    sep();
    if (v == null) {
      buf.append("\\N");
      return this;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> buf.append("\\\\");
        case '\t' -> buf.append("\\t");
        case '\n' -> buf.append("\\n");
        case '\r' -> buf.append("\\r");
        default -> buf.append(c);
      }
    }
    return this;
  }

  /** Ends the current row; flushes the buffer to the server when it is full. */
  void end() throws SQLException {
    buf.append('\n');
    firstField = true;
    rows++;
    if (buf.length() >= FLUSH_CHARS) {
      flush();
    }
  }

  long rows() {
    return rows;
  }

  private void sep() {
    if (!firstField) {
      buf.append('\t');
    }
    firstField = false;
  }

  private void flush() throws SQLException {
    byte[] bytes = buf.toString().getBytes(StandardCharsets.UTF_8);
    copy.writeToCopy(bytes, 0, bytes.length);
    buf.setLength(0);
  }

  /**
   * Sends the rest and ends the COPY.
   *
   * @throws SQLException naming the table when the server rejects a row
   */
  @Override
  public void close() throws SQLException {
    try {
      flush();
      copy.endCopy();
    } catch (SQLException e) {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
      throw new SQLException("COPY into " + table + " failed after " + rows + " rows: " + e.getMessage(), e.getSQLState(), e);
    }
  }
}
