package org.edu2lms.cli.verify;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.edu2lms.schemas.EduTables;

/**
 * Reads EDU tables for {@code edu2lms verify} in one consistent snapshot (a {@code REPEATABLE
 * READ READ ONLY} transaction: every table as of the same moment), each row shaped as the
 * transform sees it in a Debezium change event: integers as JSON numbers, {@code numeric} as
 * exact text ({@code decimal.handling.mode=string}), text as text, SQL NULL as JSON null.
 *
 * <p>Table names come only from {@link EduTables#ALL}; nothing from the command line reaches the
 * SQL text.
 */
final class EduSnapshot implements AutoCloseable {

  private static final int FETCH_SIZE = 10_000;

  private final Connection edu;
  private final boolean autoCommit;
  private long rowsRead;

  /**
   * Opens the snapshot on {@code edu} (the connection is borrowed; {@link #close()} ends the
   * transaction and restores its auto-commit).
   *
   * @throws SQLException when the transaction cannot be started
   */
  EduSnapshot(Connection edu) throws SQLException {
    this.edu = edu;
    this.autoCommit = edu.getAutoCommit();
    edu.setAutoCommit(false);
    edu.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    edu.setReadOnly(true);
  }

  /**
   * Streams every row of {@code table} in ascending id order.
   *
   * @param table an EDU table of {@link EduTables#ALL}
   * @throws IllegalArgumentException for another table name
   * @throws SQLException when the table cannot be read
   */
  void forEach(String table, Consumer<ObjectNode> row) throws SQLException {
    if (!EduTables.ALL.contains(table)) {
      throw new IllegalArgumentException("not an EDU table: " + table);
    }
    // A plain statement, not a prepared one: a server-side prepared "SELECT *" cached on a reused
    // connection fails with "cached plan must not change result type" once a column has been
    // added to the table (FaultInjectionIT's schema-change scenario).
    try (Statement s = edu.createStatement()) {
      s.setFetchSize(FETCH_SIZE);
      try (ResultSet rs = s.executeQuery("SELECT * FROM public." + table + " ORDER BY id")) {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        String[] names = new String[n];
        boolean[] integral = new boolean[n];
        for (int i = 0; i < n; i++) {
          names[i] = md.getColumnName(i + 1);
          int type = md.getColumnType(i + 1);
          integral[i] = type == Types.SMALLINT || type == Types.INTEGER || type == Types.BIGINT;
        }
        while (rs.next()) {
          ObjectNode o = JsonNodeFactory.instance.objectNode();
          for (int i = 0; i < n; i++) {
            if (integral[i]) {
              long v = rs.getLong(i + 1);
              if (rs.wasNull()) {
                o.putNull(names[i]);
              } else {
                o.put(names[i], v);
              }
            } else {
              o.put(names[i], rs.getString(i + 1));
            }
          }
          rowsRead++;
          row.accept(o);
        }
      }
    }
  }

  /** Every row of a (small) table, in ascending id order. */
  List<ObjectNode> all(String table) throws SQLException {
    List<ObjectNode> out = new ArrayList<>();
    forEach(table, out::add);
    return out;
  }

  /** Rows read so far. */
  long rowsRead() {
    return rowsRead;
  }

  /** Ends the read-only transaction. */
  @Override
  public void close() throws SQLException {
    try {
      edu.rollback();
    } finally {
      edu.setReadOnly(false);
      edu.setAutoCommit(autoCommit);
    }
  }
}
