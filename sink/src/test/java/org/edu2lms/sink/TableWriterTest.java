package org.edu2lms.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class TableWriterTest {

  @Test
  void everyBindableValueHasTheTextPostgresReadsBack() {
    assertThat(TableWriter.arrayText("a \"quoted\", {braced}\n\\ value")).isEqualTo("a \"quoted\", {braced}\n\\ value");
    assertThat(TableWriter.arrayText(new Utf8("avro text"))).isEqualTo("avro text");
    assertThat(TableWriter.arrayText(-42L)).isEqualTo("-42");
    assertThat(TableWriter.arrayText(7)).isEqualTo("7");
    assertThat(TableWriter.arrayText(true)).isEqualTo("true");
    assertThat(TableWriter.arrayText(false)).isEqualTo("false");
    assertThat(TableWriter.arrayText(new BigDecimal("1E+2"))).as("plain notation").isEqualTo("100");
    assertThat(TableWriter.arrayText(new BigDecimal("12.50"))).isEqualTo("12.50");
    assertThat(TableWriter.arrayText(LocalDate.of(2025, 2, 15))).isEqualTo("2025-02-15");
    assertThat(TableWriter.arrayText(LocalDate.of(1, 1, 1))).isEqualTo("0001-01-01");
    assertThat(TableWriter.arrayText(Instant.parse("1999-12-31T23:59:59.999999Z"))).isEqualTo("1999-12-31T23:59:59.999999Z");
  }

  @Test
  void datesAndInstantsOutsideYears1To9999AndUnknownTypesTakeTheStagedPath() {
    assertThat(TableWriter.hasArrayText(LocalDate.of(9999, 12, 31))).isTrue();
    assertThat(TableWriter.hasArrayText(LocalDate.of(10_000, 1, 1))).isFalse();
    assertThat(TableWriter.hasArrayText(LocalDate.of(0, 12, 31))).isFalse();
    assertThat(TableWriter.hasArrayText(Instant.parse("+10000-01-01T00:00:00Z"))).isFalse();
    assertThat(TableWriter.hasArrayText(Instant.parse("-0001-01-01T00:00:00Z"))).isFalse();
    assertThat(TableWriter.hasArrayText(new Object())).isFalse();
    assertThatThrownBy(() -> TableWriter.arrayText(LocalDate.of(10_000, 1, 1))).isInstanceOf(IllegalArgumentException.class);
  }
}
