package org.edu2lms.transform.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** mapping.md §Values, text dates. */
class TextDatesTest {

  @ParameterizedTest
  @CsvSource({
    "'05/06/1999', 1999-06-05",
    "'05.06.1999', 1999-06-05",
    "'  05/06/1999 ', 1999-06-05",
    "'29/02/2024', 2024-02-29",
    "'31/12/2025 23:59', 2025-12-31",
    "'01.01.2020 00:00:59', 2020-01-01"
  })
  void acceptedDates(String text, LocalDate expected) {
    assertThat(TextDates.parseDate(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "", "   ", "31/02/2020", "00/00/0000", "29/02/2023", "2020-05-17", "5/6/1999", "05/06/99", "05/06.1999",
        "05/06/1999 24:00", "05/06/1999 10:60", "05/06/1999 10:00:60", "05/06/1999  10:00", "05/06/1999T10:00",
        "05/06/1999 1:00", "n/a"
      })
  void rejectedTextsAreNull(String text) {
    assertThat(TextDates.parseDate(text)).isNull();
    assertThat(TextDates.parseTimestamp(text)).isNull();
  }

  @ParameterizedTest
  @CsvSource({
    // Asia/Baku is UTC+4 (no DST since 2016; +5 in summer before that).
    "'24/11/2026 10:15:00', 2026-11-24T06:15:00Z",
    "'24/11/2026 10:15', 2026-11-24T06:15:00Z",
    "'24.11.2026', 2026-11-23T20:00:00Z",
    "'01/07/2015 12:00:00', 2015-07-01T07:00:00Z"
  })
  void timestampsAreBakuLocalTime(String text, Instant expected) {
    assertThat(TextDates.parseTimestamp(text)).isEqualTo(expected);
  }
}
