package org.edu2lms.transform.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.edu2lms.schemas.LegacyIds;
import org.edu2lms.transform.serde.EduRow;

/**
 * Typed, rule-applying reads of one (possibly enriched) EDU row while it is mapped: text trimmed,
 * dates parsed with a data-quality note when unparseable, flags, decimals kept as exact text, and
 * the derived columns the topology's joins added (names starting with {@code _}).
 */
public final class Source {

  private final EduRow row;
  private final List<String> notes = new ArrayList<>(2);

  /**
   * @param row the EDU row, with derived columns if the topology joined any
   */
  public Source(EduRow row) {
    this.row = row;
  }

  /** The EDU id. */
  public long id() {
    return Rows.id(row.row());
  }

  /** The highest LSN of the row and its joined inputs. */
  public long lsn() {
    return row.lsn();
  }

  /** A text column, trimmed, empty → null (mapping.md §Values). */
  public String text(String column) {
    return Texts.clean(Rows.text(row.row(), column));
  }

  /** An integer column; null for SQL NULL. */
  public Long number(String column) {
    return Rows.longValue(row.row(), column);
  }

  /** An integer column as int; null for SQL NULL. */
  public Integer integer(String column) {
    Long v = number(column);
    return v == null ? null : Math.toIntExact(v);
  }

  /** {@code column = 1}. */
  public boolean flag(String column) {
    return Rows.flag(row.row(), column);
  }

  /**
   * A numeric column as exact decimal text (Debezium sends numerics as strings); null for NULL.
   *
   * @throws NumberFormatException when the text is not a number (a mapping_error)
   */
  public String decimal(String column) {
    String t = Rows.text(row.row(), column);
    return t == null ? null : new BigDecimal(t.trim()).toPlainString();
  }

  /** A text date column's date part; NULL + note {@code unparseable_date:<column>} when unparseable. */
  public LocalDate date(String column) {
    String t = Rows.text(row.row(), column);
    LocalDate d = TextDates.parseDate(t);
    if (d == null && t != null) {
      notes.add("unparseable_date:" + column);
    }
    return d;
  }

  /** A text timestamp column in Asia/Baku; NULL + note when unparseable. */
  public Instant timestamp(String column) {
    String t = Rows.text(row.row(), column);
    Instant i = TextDates.parseTimestamp(t);
    if (i == null && t != null) {
      notes.add("unparseable_date:" + column);
    }
    return i;
  }

  /** A derived column added by a join; null when absent or JSON null (the parent did not resolve). */
  public JsonNode derived(String name) {
    JsonNode v = row.row().get(name);
    return v == null || v.isNull() ? null : v;
  }

  /** Whether a join's parent resolved (its derived column is set). */
  public boolean resolved(String name) {
    return derived(name) != null;
  }

  /** The LMS UUID (text) of the row mapped from {@code <eduTable>:<id>}; null for a null id. */
  public static String uuid(String eduTable, Long id) {
    return id == null ? null : LegacyIds.forRow(eduTable, id).toString();
  }

  /**
   * A soft reference: the parent's UUID when it resolved, else NULL with the note
   * {@code soft_reference_null:<column>} (no note when the column itself is NULL).
   */
  public String soft(String column, String derived, String eduTable) {
    Long ref = number(column);
    if (ref == null) {
      return null;
    }
    if (resolved(derived)) {
      return uuid(eduTable, ref);
    }
    notes.add("soft_reference_null:" + column);
    return null;
  }

  /** Adds a data-quality note. */
  public void note(String note) {
    notes.add(note);
  }

  /** An accepted result with the collected notes. */
  public <T> MappingResult<T> ok(T record) {
    return MappingResult.ok(record, lsn(), notes);
  }

  /** A quarantine result. */
  public <T> MappingResult<T> quarantine(String reason, String detail) {
    return MappingResult.quarantine(reason, detail, lsn());
  }
}
