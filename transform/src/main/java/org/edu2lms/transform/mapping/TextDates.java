package org.edu2lms.transform.mapping;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The legacy text dates of mapping.md §Values: {@code DD/MM/YYYY} or {@code DD.MM.YYYY} (two-digit
 * day and month, four-digit year, surrounding blanks trimmed), optionally followed by one space and
 * {@code HH24:MI} or {@code HH24:MI:SS}. Timestamps are local time in {@link #ZONE}. Anything else
 * (empty, impossible date, garbage) is {@code null}; the caller records the data-quality note
 * {@code unparseable_date:<column>}.
 */
public final class TextDates {

  /** The time zone legacy timestamps are in (mapping.md §Values). */
  public static final ZoneId ZONE = ZoneId.of("Asia/Baku");

  private static final Pattern FORMAT =
      Pattern.compile("(\\d{2})([/.])(\\d{2})\\2(\\d{4})(?: (\\d{2}):(\\d{2})(?::(\\d{2}))?)?");

  private TextDates() {}

  /**
   * The date part of a legacy text date or timestamp.
   *
   * @return the date, or {@code null} when the text is null, empty or not a valid date
   */
  public static LocalDate parseDate(String text) {
    LocalDateTime t = parse(text);
    return t == null ? null : t.toLocalDate();
  }

  /**
   * A legacy text timestamp as an instant; a text with only a date is midnight local time.
   *
   * @return the instant, or {@code null} when the text is null, empty or not a valid date/time
   */
  public static Instant parseTimestamp(String text) {
    LocalDateTime t = parse(text);
    return t == null ? null : t.atZone(ZONE).toInstant();
  }

  private static LocalDateTime parse(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    try {
      LocalDate date =
          LocalDate.of(Integer.parseInt(m.group(4)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(1)));
      LocalTime time = LocalTime.MIDNIGHT;
      if (m.group(5) != null) {
        int seconds = m.group(7) == null ? 0 : Integer.parseInt(m.group(7));
        time = LocalTime.of(Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)), seconds);
      }
      return LocalDateTime.of(date, time);
    } catch (DateTimeException e) {
      return null;
    }
  }
}
