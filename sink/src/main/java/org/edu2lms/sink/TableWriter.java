package org.edu2lms.sink;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.commons.csv.CSVFormat;
import org.edu2lms.sink.LmsTable.Column;
import org.edu2lms.sink.LmsTable.Reference;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Writes the desired rows of one LMS table inside the caller's transaction.
 *
 * <p>Upserts go through a session-local staging table: the batch is loaded into {@code
 * pg_temp.stage_<table>} (by {@code COPY … FROM STDIN} or by a batched multi-row {@code INSERT},
 * {@link StageMethod}), then applied with one {@code INSERT … SELECT … ON CONFLICT (id) DO UPDATE …
 * WHERE <table>.source_lsn < EXCLUDED.source_lsn OR (<same source_lsn> AND <values differ>)} that
 * takes only the rows whose referenced rows exist. The others are returned as {@link
 * Outcome.Kind#PARKED} with the reason (their parent is in flight); the position guard keeps a
 * replayed older value from overwriting a newer one, and leaves a row untouched when the same
 * values arrive again at the same position (a redelivery, or a re-derivation that changed nothing).
 *
 * <p>A small batch (at most {@link #ARRAY_UPSERT_MAX_ROWS} rows, the live case) first tries the
 * same upsert in one statement over the rows bound as arrays ({@code … SELECT … FROM unnest(?::text[]
 * ::uuid[], …) s …}), without the staging table: when it writes every row, that is all; when it
 * writes fewer (a parent in flight, an older or identical position) or fails on a row, it is
 * rolled back to its savepoint and the batch takes the staged path below, which finds out which
 * rows and why. Measured (docs/benchmarks §The sink's round trips per batch): one grades batch of
 * 25 rows, 1.0–1.1 ms of PostgreSQL against 2.7–2.9 ms through the staging table.
 *
 * <p>When the set-based statement fails on a constraint or a bad value, the batch is applied row
 * by row under savepoints: a unique violation (a counterpart still in flight, e.g. an e-mail that
 * moves between users) or a foreign-key violation parks the row; any other rejection (a CHECK, a
 * NOT NULL, an invalid value) makes it {@link Outcome.Kind#REJECTED}: the mapping produced a row
 * the LMS cannot hold, which is a {@code mapping_error} (mapping.md §Reason codes).
 */
final class TableWriter {

  /**
   * What became of one row that was not written.
   *
   * @param kind parked (retry later) or rejected (never writable as it is)
   * @param reason {@code missing_parent:<edu table>}, {@code conflict:<lms constraint>} or {@code
   *     mapping_error} (mapping.md §Reason codes)
   * @param detail the LMS table, column or constraint and value, for people
   * @param waitingTable the LMS table of the missing parent, {@value ParkedRows#NEVER} for a
   *     rejected row, {@code null} when unknown (retried whenever the table changes)
   * @param waitingFor the id of the missing parent, or {@code null}
   */
  record Outcome(Kind kind, String reason, String detail, String waitingTable, String waitingFor) {
    enum Kind {
      PARKED,
      REJECTED
    }
  }

  private final LmsTable table;
  private final StageMethod method;
  private final String stage;
  private final String stageInsert;
  private final String parentsPresent;
  private final String missingColumn;
  private final String apply;
  /** {@link #apply} over the rows bound as one text array per column; see {@link #upsertArrays}. */
  private final String applyArrays;
  private final String applyOne;
  private final String applyMany;
  /**
   * The condition on a staged row {@code s} that the table holds neither it nor a newer version;
   * see {@link #findHeldBack}.
   */
  private final String notHeld;
  /** The upsert of a cycle of self-references (null when the table has none); see {@link #landCycles}. */
  private final String applyCycle;
  private String movableUnique;
  private final int[] fieldPositions;
  private final LmsCopy copier;
  private boolean stageReady;

  TableWriter(LmsTable table, StageMethod method) {
    this.table = table;
    this.method = method;
    this.stage = "stage_" + table.name();
    List<Column> cols = table.columns();
    String names = cols.stream().map(Column::name).collect(Collectors.joining(", "));
    this.stageInsert =
        "INSERT INTO pg_temp." + stage + " (" + names + ") VALUES ("
            + cols.stream().map(c -> "?::" + c.sqlType()).collect(Collectors.joining(", ")) + ")";
    this.parentsPresent = parentsPresent(table, null);
    this.missingColumn =
        table.references().isEmpty()
            ? "NULL"
            : "CASE "
                + table.references().stream()
                    .map(
                        r ->
                            "WHEN s." + r.column() + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + r.parent()
                                + " p WHERE p.id = s." + r.column() + ") THEN '" + r.column() + "'")
                    .collect(Collectors.joining(" "))
                + " END";
    String updates =
        cols.stream()
                .skip(1)
                .map(c -> c.name() + " = EXCLUDED." + c.name())
                .collect(Collectors.joining(", "))
            + ", updated_at = now()";
    // The position guard: a newer position wins; at the same position (a row re-derived because a
    // parent changed) only different values are written, so a redelivered or re-derived identical
    // row leaves the LMS row as it is (no new row version, updated_at kept).
    String upsertTail =
        " ON CONFLICT (id) DO UPDATE SET " + updates + " WHERE " + table.name() + ".source_lsn < EXCLUDED.source_lsn OR ("
            + table.name() + ".source_lsn = EXCLUDED.source_lsn AND (" + qualified(cols, table.name()) + ") IS DISTINCT FROM ("
            + qualified(cols, "EXCLUDED") + "))";
    String insertFromStage = "INSERT INTO " + table.name() + " (" + names + ") SELECT " + names + " FROM pg_temp." + stage + " s WHERE ";
    this.apply = insertFromStage + parentsPresent + upsertTail;
    this.applyArrays =
        "INSERT INTO " + table.name() + " (" + names + ") SELECT " + names + " FROM unnest("
            + cols.stream().map(c -> "?::text[]::" + c.sqlType() + "[]").collect(Collectors.joining(", "))
            + ") AS s (" + names + ") WHERE " + parentsPresent + upsertTail;
    this.applyOne = insertFromStage + "s.id = ?::uuid AND " + parentsPresent + upsertTail;
    this.applyMany = insertFromStage + "s.id = ANY (?) AND " + parentsPresent + upsertTail;
    this.notHeld =
        "NOT EXISTS (SELECT 1 FROM " + table.name() + " t WHERE t.id = s.id AND (t.source_lsn > s.source_lsn"
            + " OR (t.source_lsn = s.source_lsn AND (" + qualified(cols, "t") + ") IS NOT DISTINCT FROM (" + qualified(cols, "s") + "))))";
    this.applyCycle =
        table.selfReference().map(self -> insertFromStage + "s.id = ANY (?) AND " + parentsPresent(table, self) + upsertTail).orElse(null);
    this.copier = new LmsCopy(table);
    this.fieldPositions = copier.fieldPositions();
  }

  /** The columns as {@code alias.a, alias.b, …}, for row comparisons. */
  private static String qualified(List<Column> cols, String alias) {
    return cols.stream().map(col -> alias + "." + col.name()).collect(Collectors.joining(", "));
  }

  LmsTable table() {
    return table;
  }

  /** Forgets the staging table: a new connection (session) has none yet. */
  void newSession() {
    stageReady = false;
    movableUnique = null;
  }

  /**
   * Upserts the rows (one per id; the caller has reduced them).
   *
   * @param rows id → decoded record
   * @return id → outcome for every row that was not written (parked or rejected)
   * @throws SQLException on any other database error (connection, permissions, schema), with the
   *     table named and the SQLSTATE kept
   */
  Map<String, Outcome> upsert(Connection c, Map<String, ? extends SpecificRecord> rows) throws SQLException {
    Map<String, Outcome> notWritten = new LinkedHashMap<>();
    if (rows.isEmpty()) {
      return notWritten;
    }
    try {
      if (rows.size() <= ARRAY_UPSERT_MAX_ROWS && upsertArrays(c, rows)) {
        return notWritten;
      }
      stage(c, rows, notWritten);
      int staged = rows.size() - notWritten.size();
      Savepoint sp = c.setSavepoint();
      try (Statement st = c.createStatement()) {
        int affected = st.executeUpdate(apply);
        c.releaseSavepoint(sp);
        if (affected < staged) {
          // Some rows were held back (a missing parent) or skipped as older by the guard. Only
          // then look for them (the common path checks each reference once).
          Map<String, Outcome> heldBack = new LinkedHashMap<>();
          findHeldBack(c, rows, heldBack);
          if (landCycles(c, heldBack)) {
            heldBack.clear();
            findHeldBack(c, rows, heldBack);
          }
          notWritten.putAll(heldBack);
        }
      } catch (PSQLException e) {
        if (!isRowLevel(e)) {
          throw e;
        }
        c.rollback(sp);
        findMissingParents(c, rows, notWritten);
        rowByRow(c, rows, notWritten);
        moveHeldValuesAside(c, rows, notWritten);
      }
      return notWritten;
    } catch (SQLException e) {
      throw new SQLException(
          "failed to upsert " + rows.size() + " rows into " + table.name() + ": " + e.getMessage(), e.getSQLState(), e);
    }
  }

  /**
   * Batches of at most this many rows try {@link #upsertArrays} before the staging table. Live
   * batches are tens of rows; an initial load's are thousands and go straight to the staging
   * table (COPY, shared across upsert connections).
   */
  static final int ARRAY_UPSERT_MAX_ROWS = 500;

  /**
   * The upsert of every row in one statement, the rows bound as one {@code text[]} per column and
   * cast to the column's type by PostgreSQL ({@link #arrayText}), under a savepoint.
   *
   * @return true when every row was written; false when the statement wrote fewer rows or a row
   *     failed on a constraint or a value: then nothing of it remains (rolled back to the
   *     savepoint) and the caller takes the staged path, which tells why
   * @throws SQLException on any error that is not about a row (connection, permissions, schema)
   */
  private boolean upsertArrays(Connection c, Map<String, ? extends SpecificRecord> rows) throws SQLException {
    List<Column> cols = table.columns();
    String[][] columns = new String[cols.size()][rows.size()];
    int r = 0;
    for (SpecificRecord row : rows.values()) {
      for (int i = 0; i < cols.size(); i++) {
        Object v = row.get(fieldPositions[i]);
        if (v != null && !hasArrayText(v)) {
          return false;
        }
        columns[i][r] = v == null ? null : arrayText(v);
      }
      r++;
    }
    Savepoint sp = c.setSavepoint();
    try (PreparedStatement ps = c.prepareStatement(applyArrays)) {
      for (int i = 0; i < cols.size(); i++) {
        ps.setArray(i + 1, c.createArrayOf("text", columns[i]));
      }
      if (ps.executeUpdate() == rows.size()) {
        c.releaseSavepoint(sp);
        return true;
      }
      c.rollback(sp);
      return false;
    } catch (PSQLException e) {
      if (!isRowLevel(e)) {
        throw e;
      }
      c.rollback(sp);
      return false;
    }
  }

  /**
   * Whether a value has a text form PostgreSQL reads back as the same value of its column: every
   * type {@link #bind} takes, except dates and instants outside years 1–9999 (their ISO-8601
   * form carries a sign PostgreSQL does not read), which take the staged path.
   */
  static boolean hasArrayText(Object value) {
    if (value instanceof LocalDate d) {
      return d.getYear() >= 1 && d.getYear() <= 9999;
    }
    if (value instanceof Instant t) {
      int year = t.atOffset(ZoneOffset.UTC).getYear();
      return year >= 1 && year <= 9999;
    }
    return value instanceof CharSequence || value instanceof Long || value instanceof Integer || value instanceof Boolean
        || value instanceof BigDecimal;
  }

  /**
   * The text form of a value for a {@code text[]} element cast to its column's type: strings as
   * they are, numbers in plain notation, {@code true}/{@code false}, dates as {@code yyyy-mm-dd},
   * instants in ISO-8601 with {@code Z} (UTC).
   *
   * @throws IllegalArgumentException for a value {@link #hasArrayText} refuses
   */
  static String arrayText(Object value) {
    if (!hasArrayText(value)) {
      throw new IllegalArgumentException("no array text for a " + value.getClass().getName() + ": " + value);
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return value.toString();
  }

  private void findMissingParents(Connection c, Map<String, ? extends SpecificRecord> rows, Map<String, Outcome> notWritten)
      throws SQLException {
    if (table.references().isEmpty()) {
      return;
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT s.id::text, " + missingColumn + " FROM pg_temp." + stage + " s WHERE NOT (" + parentsPresent + ")")) {
      while (rs.next()) {
        String id = rs.getString(1);
        notWritten.put(id, missingParent(rs.getString(2), rows.get(id)));
      }
    }
  }

  /**
   * After the set-based upsert: the staged rows that the table holds neither as they are nor at a
   * newer source position were held back by a missing parent. Equal positions are compared by
   * content, not by position alone: a row re-derived by the transform (a late parent re-triggers
   * its child, mapping.md §organization_units) keeps the LSN of its own change, so the table may
   * hold the same position with the old derivation (parent NULL) while the new one (parent set)
   * waits for its parent. The reason is evaluated now, after the insert: a row whose parent was
   * inserted by the same statement (a self-reference, e.g. a faculty and its department in one
   * batch) has no missing column any more; it is parked waiting for that parent, which exists, so
   * the retry that follows in the same transaction writes it.
   */
  private void findHeldBack(Connection c, Map<String, ? extends SpecificRecord> rows, Map<String, Outcome> notWritten)
      throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT s.id::text, " + missingColumn + " FROM pg_temp." + stage + " s WHERE " + notHeld)) {
      while (rs.next()) {
        String id = rs.getString(1);
        notWritten.put(id, missingParent(rs.getString(2), rows.get(id)));
      }
    }
  }

  /**
   * The SQL condition that every reference of a staged row {@code s} resolves: NULL, or the
   * parent row exists. With {@code alsoStaged}, that reference may also point at one of the rows
   * the statement writes (bound as its second {@code uuid[]} parameter, for {@link #landCycles}).
   */
  private static String parentsPresent(LmsTable table, Reference alsoStaged) {
    if (table.references().isEmpty()) {
      return "TRUE";
    }
    return table.references().stream()
        .map(
            r ->
                "(s." + r.column() + " IS NULL OR EXISTS (SELECT 1 FROM " + r.parent() + " p WHERE p.id = s." + r.column() + ")"
                    + (r.equals(alsoStaged) ? " OR s." + r.column() + " = ANY (?)" : "") + ")")
        .collect(Collectors.joining(" AND "));
  }

  /**
   * Writes the held-back rows that wait only for each other through the table's self-reference
   * (organization units that are each other's parent: A → B → A), in one statement: PostgreSQL
   * checks the foreign keys of a statement at its end, so a cycle that is whole lands together,
   * where row-by-row each member would wait for the other forever. Runs in a savepoint; when a
   * member's parent is missing after all (a chain, not a cycle) the statement fails with 23503,
   * is rolled back, and the rows stay held back.
   *
   * @param heldBack the held-back rows of this batch (id → outcome)
   * @return true when the statement wrote rows (the caller then re-evaluates what is held back)
   * @throws SQLException on an error that is not about a row's values
   */
  private boolean landCycles(Connection c, Map<String, Outcome> heldBack) throws SQLException {
    if (applyCycle == null) {
      return false;
    }
    List<String> members = new ArrayList<>();
    heldBack.forEach((id, o) -> {
      if (table.name().equals(o.waitingTable()) && heldBack.containsKey(o.waitingFor())) {
        members.add(id);
      }
    });
    if (members.isEmpty()) {
      return false;
    }
    Savepoint sp = c.setSavepoint();
    try (PreparedStatement ps = c.prepareStatement(applyCycle)) {
      Array ids = c.createArrayOf("uuid", members.stream().map(UUID::fromString).toArray());
      ps.setArray(1, ids);
      ps.setArray(2, ids);
      int n = ps.executeUpdate();
      c.releaseSavepoint(sp);
      return n > 0;
    } catch (PSQLException e) {
      if (!isRowLevel(e)) {
        throw e;
      }
      c.rollback(sp);
      return false;
    }
  }

  /**
   * @param column the reference whose parent is missing; {@code null} when the parent was written
   *     by the same statement (then the self-reference, or the first reference)
   */
  private Outcome missingParent(String column, SpecificRecord row) {
    Reference ref =
        table.references().stream()
            .filter(r -> column == null ? r.parent().equals(table.name()) : r.column().equals(column))
            .findFirst()
            .orElse(table.references().get(0));
    Object value = row == null ? null : row.get(row.getSchema().getField(ref.column()).pos());
    return new Outcome(
        Outcome.Kind.PARKED,
        "missing_parent:" + SourceIdentity.eduTableOf(ref.parent()),
        table.name() + "." + ref.column() + " = " + value + ": no such row in " + ref.parent(),
        value == null ? null : ref.parent(),
        value == null ? null : value.toString());
  }

  private void rowByRow(Connection c, Map<String, ? extends SpecificRecord> rows, Map<String, Outcome> notWritten)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(applyOne)) {
      for (String id : rows.keySet()) {
        if (notWritten.containsKey(id)) {
          continue;
        }
        Savepoint sp = c.setSavepoint();
        try {
          ps.setString(1, id);
          ps.executeUpdate();
          c.releaseSavepoint(sp);
        } catch (PSQLException e) {
          if (!isRowLevel(e)) {
            throw e;
          }
          c.rollback(sp);
          notWritten.put(id, classify(e));
        }
      }
    }
  }

  /**
   * Resolves a cycle of unique values (two users swapping e-mails, reduced to their final values
   * in one batch): each wants a value the other holds, so neither can be written first. Inside a
   * savepoint, the rows that are about to get a newer version have their single-column unique
   * values moved aside (NULL where the column allows it, {@code 'edu2lms-swap:<id>'} for NOT NULL
   * text), then the new versions are applied together. The intermediate values are never visible
   * outside the transaction. When that does not succeed either (the value is held by a row that
   * is not changing), everything is rolled back and the rows stay parked.
   */
  private void moveHeldValuesAside(
      Connection c, Map<String, ? extends SpecificRecord> rows, Map<String, Outcome> notWritten) throws SQLException {
    List<String> conflicted =
        notWritten.entrySet().stream()
            .filter(e -> e.getValue().reason().startsWith("conflict:"))
            .map(Map.Entry::getKey)
            .toList();
    if (conflicted.size() < 2) {
      return;
    }
    String assignments = movableUniqueColumns(c);
    if (assignments.isEmpty()) {
      return;
    }
    UUID[] ids = conflicted.stream().map(UUID::fromString).toArray(UUID[]::new);
    Long[] lsns = conflicted.stream().map(id -> lsnOf(rows.get(id))).toArray(Long[]::new);
    Savepoint sp = c.setSavepoint();
    try (PreparedStatement aside =
            c.prepareStatement(
                "UPDATE " + table.name() + " t SET " + assignments + " FROM unnest(?::uuid[], ?::bigint[]) AS p(id, lsn)"
                    + " WHERE t.id = p.id AND t.source_lsn <= p.lsn");
        PreparedStatement again = c.prepareStatement(applyMany)) {
      aside.setArray(1, c.createArrayOf("uuid", ids));
      aside.setArray(2, c.createArrayOf("bigint", lsns));
      aside.executeUpdate();
      again.setArray(1, c.createArrayOf("uuid", ids));
      again.executeUpdate();
      c.releaseSavepoint(sp);
      conflicted.forEach(notWritten::remove);
    } catch (PSQLException e) {
      if (!isRowLevel(e)) {
        throw e;
      }
      c.rollback(sp);
    }
  }

  /**
   * {@code col = <placeholder>, …} for the table's single-column UNIQUE constraints other than
   * the legacy ids (which never change for a row), read from the database once per session.
   */
  private String movableUniqueColumns(Connection c) throws SQLException {
    if (movableUnique == null) {
      List<String> parts = new java.util.ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT a.attname, a.attnotnull, a.atttypid = 'text'::regtype FROM pg_constraint k"
                  + " JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]"
                  + " WHERE k.conrelid = ?::regclass AND k.contype = 'u' AND cardinality(k.conkey) = 1"
                  + " AND a.attname NOT LIKE 'legacy\\_%'")) {
        ps.setString(1, table.name());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (!rs.getBoolean(2)) {
              parts.add(rs.getString(1) + " = NULL");
            } else if (rs.getBoolean(3)) {
              parts.add(rs.getString(1) + " = 'edu2lms-swap:' || t.id");
            }
          }
        }
      }
      movableUnique = String.join(", ", parts);
    }
    return movableUnique;
  }

  /** A row's own failure: a constraint (class 23) or an invalid value (class 22). */
  private static boolean isRowLevel(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("23") || state.startsWith("22"));
  }

  private Outcome classify(PSQLException e) {
    ServerErrorMessage m = e.getServerErrorMessage();
    String constraint = m == null || m.getConstraint() == null ? table.name() : m.getConstraint();
    String detail = m == null || m.getDetail() == null ? e.getMessage() : m.getDetail();
    if ("23505".equals(e.getSQLState())) {
      return new Outcome(Outcome.Kind.PARKED, "conflict:" + constraint, table.name() + ": " + detail, null, null);
    }
    if ("23503".equals(e.getSQLState())) {
      String parent =
          table.references().stream()
              .filter(r -> constraint.equals(table.name() + "_" + r.column() + "_fkey"))
              .map(Reference::parent)
              .findFirst()
              .orElse(table.name());
      return new Outcome(
          Outcome.Kind.PARKED, "missing_parent:" + SourceIdentity.eduTableOf(parent), table.name() + ": " + detail, null, null);
    }
    return new Outcome(
        Outcome.Kind.REJECTED,
        "mapping_error",
        "LMS rejected the " + table.name() + " row (SQLSTATE " + e.getSQLState() + ", " + constraint + "): "
            + (m == null ? e.getMessage() : m.getMessage()),
        ParkedRows.NEVER,
        null);
  }

  private void stage(Connection c, Map<String, ? extends SpecificRecord> rows, Map<String, Outcome> notWritten)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      if (!stageReady) {
        st.execute("CREATE TEMP TABLE IF NOT EXISTS " + stage + " (LIKE " + table.name() + " INCLUDING DEFAULTS)");
        stageReady = true;
      }
      st.execute("TRUNCATE pg_temp." + stage);
    }
    Savepoint sp = c.setSavepoint();
    try {
      if (method == StageMethod.COPY) {
        copier.copy(c, "pg_temp." + stage, rows.values());
      } else {
        insert(c, rows.values());
      }
      c.releaseSavepoint(sp);
    } catch (SQLException e) {
      if (!isRowLevel(e)) {
        throw e;
      }
      // One value the staging table cannot take (NOT NULL, a bad date or JSON): find it row by row.
      c.rollback(sp);
      stageRowByRow(c, rows, notWritten);
    }
  }

  private void insert(Connection c, Collection<? extends SpecificRecord> rows) throws SQLException {
    List<Column> cols = table.columns();
    try (PreparedStatement ps = c.prepareStatement(stageInsert)) {
      int n = 0;
      for (SpecificRecord row : rows) {
        for (int i = 0; i < cols.size(); i++) {
          bind(ps, i + 1, row.get(fieldPositions[i]));
        }
        ps.addBatch();
        if (++n % 2000 == 0) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
    }
  }

  private void stageRowByRow(Connection c, Map<String, ? extends SpecificRecord> rows, Map<String, Outcome> notWritten)
      throws SQLException {
    List<Column> cols = table.columns();
    try (PreparedStatement ps = c.prepareStatement(stageInsert)) {
      for (Map.Entry<String, ? extends SpecificRecord> e : rows.entrySet()) {
        Savepoint sp = c.setSavepoint();
        try {
          for (int i = 0; i < cols.size(); i++) {
            bind(ps, i + 1, e.getValue().get(fieldPositions[i]));
          }
          ps.executeUpdate();
          c.releaseSavepoint(sp);
        } catch (PSQLException ex) {
          if (!isRowLevel(ex)) {
            throw ex;
          }
          c.rollback(sp);
          notWritten.put(e.getKey(), classify(ex));
        }
      }
    }
  }

  /** Binds one Avro field value; the SQL casts each parameter to its column type. */
  static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else if (value instanceof CharSequence s) {
      ps.setString(index, s.toString());
    } else if (value instanceof Long l) {
      ps.setLong(index, l);
    } else if (value instanceof Integer i) {
      ps.setInt(index, i);
    } else if (value instanceof Boolean b) {
      ps.setBoolean(index, b);
    } else if (value instanceof Instant t) {
      ps.setObject(index, t.atOffset(ZoneOffset.UTC));
    } else if (value instanceof LocalDate d) {
      ps.setObject(index, d);
    } else if (value instanceof BigDecimal d) {
      ps.setBigDecimal(index, d);
    } else {
      throw new IllegalArgumentException("cannot bind a " + value.getClass().getName());
    }
  }

  /**
   * Deletes rows by id (tombstones). Children of a deleted row go by ON DELETE CASCADE / SET NULL
   * (lms.md).
   *
   * @return the number of rows deleted
   */
  int delete(Connection c, Collection<String> ids) throws SQLException {
    if (ids.isEmpty()) {
      return 0;
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table.name() + " WHERE id = ANY (?)")) {
      Array arr = c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray());
      ps.setArray(1, arr);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new SQLException(
          "failed to delete " + ids.size() + " rows from " + table.name() + ": " + e.getMessage(), e.getSQLState(), e);
    }
  }

  /** The source LSN of a record of this table. */
  long lsnOf(SpecificRecord row) {
    return (Long) row.get(fieldPositions[fieldPositions.length - 1]);
  }

  /** The id (UUID text) of a record of this table. */
  String idOf(SpecificRecord row) {
    return row.get(fieldPositions[0]).toString();
  }

  /** The references of the table, for deciding which parked rows a batch may have unblocked. */
  List<Reference> references() {
    return table.references();
  }
}
