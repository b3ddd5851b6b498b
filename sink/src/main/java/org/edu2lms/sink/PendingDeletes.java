package org.edu2lms.sink;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The {@code edu2lms.pending_deletes} table (Flyway V5): parent tombstones held back while LMS
 * rows still reference the parent, so that neither {@code ON DELETE CASCADE} nor {@code ON DELETE
 * SET NULL} (lms.md §References) changes a child row whose own latest record says otherwise.
 *
 * <p>The rule: a tombstone deletes the rows nobody references at once; the others wait. A waiting
 * delete is applied once its references are gone (the transform sends each child's tombstone or
 * re-pointed value: mapping.md §The invariant), and cancelled by a newer value of the same row.
 * Rows of one table that reference only each other (organization units deleted together) do not
 * hold each other back. All statements run in the sink's batch transaction.
 */
final class PendingDeletes {

  /** A reference into a table: the child table and its column. */
  private record Child(String table, String column) {}

  private final Map<String, List<Child>> children;

  /** @param tables the LMS catalog; the references of each table decide what holds a delete back */
  PendingDeletes(List<LmsTable> tables) {
    this.children =
        tables.stream()
            .flatMap(t -> t.references().stream().map(r -> Map.entry(r.parent(), new Child(t.name(), r.column()))))
            .collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
  }

  /**
   * Deletes the rows of {@code table} among {@code ids} that no LMS row references and holds the
   * others back. A row referenced only by rows of the same table that are in {@code ids} too is
   * deleted with them.
   *
   * @param ids row ids (UUID text) whose tombstone arrived
   * @param pendingTables the tables known to have waiting deletes; {@code table} is added when a
   *     delete is held back, and only for these tables are earlier waiting deletes cleared
   * @return the number of rows deleted now
   * @throws SQLException on a database error
   */
  int deleteOrHold(Connection c, TableWriter writer, Collection<String> ids, Set<String> pendingTables) throws SQLException {
    if (ids.isEmpty()) {
      return 0;
    }
    String table = writer.table().name();
    Set<String> held = referenced(c, table, ids);
    int deleted = deleteUnreferenced(c, writer, ids, held, pendingTables);
    if (!held.isEmpty()) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO edu2lms.pending_deletes (lms_table, id) SELECT ?, unnest(?::uuid[]) ON CONFLICT DO NOTHING")) {
        ps.setString(1, table);
        ps.setArray(2, uuids(c, held));
        ps.executeUpdate();
      }
      pendingTables.add(table);
    }
    return deleted;
  }

  /** Deletes {@code ids} minus {@code held} and forgets their waiting deletes, if the table has any. */
  private int deleteUnreferenced(
      Connection c, TableWriter writer, Collection<String> ids, Set<String> held, Set<String> pendingTables) throws SQLException {
    String table = writer.table().name();
    List<String> now = ids.stream().filter(id -> !held.contains(id)).toList();
    int deleted = writer.delete(c, now);
    if (!now.isEmpty() && pendingTables.contains(table)) {
      cancel(c, table, now);
    }
    return deleted;
  }

  /**
   * Forgets the waiting deletes of rows that were written again (a newer value) or deleted.
   *
   * @throws SQLException on a database error
   */
  void cancel(Connection c, String table, Collection<String> ids) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM edu2lms.pending_deletes WHERE lms_table = ? AND id = ANY (?)")) {
      ps.setString(1, table);
      ps.setArray(2, uuids(c, ids));
      ps.executeUpdate();
    }
  }

  /**
   * Applies the waiting deletes whose references are gone, children's tables first.
   *
   * @param writers the writers in parents-first order
   * @param tables the tables with waiting deletes
   * @return rows deleted per table (tables with none left out)
   * @throws SQLException on a database error
   */
  Map<String, Integer> retry(Connection c, List<TableWriter> writers, Set<String> tables) throws SQLException {
    Map<String, Integer> deleted = new LinkedHashMap<>();
    for (int i = writers.size() - 1; i >= 0; i--) {
      TableWriter w = writers.get(i);
      if (!tables.contains(w.table().name())) {
        continue;
      }
      List<String> waiting = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id::text FROM edu2lms.pending_deletes WHERE lms_table = ?")) {
        ps.setString(1, w.table().name());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            waiting.add(rs.getString(1));
          }
        }
      }
      // The rows still referenced stay in the table as they are.
      int n = waiting.isEmpty() ? 0 : deleteUnreferenced(c, w, waiting, referenced(c, w.table().name(), waiting), tables);
      if (n > 0) {
        deleted.put(w.table().name(), n);
      }
    }
    return deleted;
  }

  /** The tables with waiting deletes. */
  static Set<String> tables(Connection c) throws SQLException {
    Set<String> out = new HashSet<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT DISTINCT lms_table FROM edu2lms.pending_deletes")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /**
   * How many deletes wait.
   *
   * @param count waiting now
   * @param overdue of those, waiting longer than the grace period
   */
  record Waiting(long count, long overdue) {}

  /** The waiting deletes now, and how many of them wait longer than {@code grace}. */
  static Waiting count(Connection c, Duration grace) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*), count(*) FILTER (WHERE first_seen < now() - ?::interval) FROM edu2lms.pending_deletes")) {
      ps.setString(1, grace.toMillis() + " milliseconds");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Waiting(rs.getLong(1), rs.getLong(2));
      }
    }
  }

  private Set<String> referenced(Connection c, String table, Collection<String> ids) throws SQLException {
    Set<String> out = new LinkedHashSet<>();
    Array arr = uuids(c, ids);
    for (Child child : children.getOrDefault(table, List.of())) {
      // Identifiers come from the fixed catalog, values are bound.
      String sql =
          "SELECT DISTINCT " + child.column() + "::text FROM " + child.table() + " WHERE " + child.column() + " = ANY (?)"
              + (child.table().equals(table) ? " AND NOT (id = ANY (?))" : "");
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setArray(1, arr);
        if (child.table().equals(table)) {
          ps.setArray(2, arr);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
    }
    return out;
  }

  private static Array uuids(Connection c, Collection<String> ids) throws SQLException {
    return c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray());
  }
}
