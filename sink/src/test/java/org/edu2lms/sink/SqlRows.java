package org.edu2lms.sink;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Query results as text, for value-by-value assertions in the sink's tests. */
final class SqlRows {

  private SqlRows() {}

  /** Each row of the result as its columns' text joined by {@code |} ({@code null} for NULL). */
  static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> cells = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          cells.add(rs.getString(i));
        }
        out.add(String.join("|", cells));
      }
    }
    return out;
  }
}
