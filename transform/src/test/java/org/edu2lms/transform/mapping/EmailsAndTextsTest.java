package org.edu2lms.transform.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** mapping.md §Values (text, multilingual) and §users (e-mail). */
class EmailsAndTextsTest {

  @ParameterizedTest
  @CsvSource({
    "'user1@edu.example.az', 'user1@edu.example.az'",
    "'  USER5@EDU.EXAMPLE.AZ ', 'user5@edu.example.az'",
    "'Demo.User@Example.AZ', 'demo.user@example.az'",
    "'a@b.c', 'a@b.c'"
  })
  void validAddressesAreTrimmedAndLowerCased(String raw, String expected) {
    assertThat(Emails.normalizedValid(raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "   ", "user1@@edu.example.az", "user1.edu.example.az", "user 1@edu.example.az", "user1@localhost", "@x.az", "a@.", "a@b."})
  void malformedOrEmptyAddressesAreNotValid(String raw) {
    assertThat(Emails.normalizedValid(raw)).isNull();
  }

  @Test
  void textIsTrimmedLikeStringTrimAndEmptyBecomesNull() {
    assertThat(Texts.clean("\t x y \n")).isEqualTo("x y");
    assertThat(Texts.clean("\u0001 a \u0020")).isEqualTo("a");
    assertThat(Texts.clean(" \t\n ")).isNull();
    assertThat(Texts.clean(null)).isNull();
    // Non-breaking space (U+00A0) is above U+0020: String.trim keeps it.
    assertThat(Texts.clean("\u00a0a")).isEqualTo("\u00a0a");
  }

  @Test
  void labelsLeaveOutNullAndEmptyTexts() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThat(Labels.fromDictionary(json.readTree("{\"name_az\":\" Fənn \",\"name_en\":\"Subject\",\"name_ru\":\"Предмет\"}")))
        .isEqualTo("{\"az\":\"Fənn\",\"en\":\"Subject\",\"ru\":\"Предмет\"}");
    assertThat(Labels.fromDictionary(json.readTree("{\"name_az\":\"\",\"name_en\":\"Unit\",\"name_ru\":null}")))
        .isEqualTo("{\"en\":\"Unit\"}");
    assertThat(Labels.fromDictionary(json.readTree("{\"name_az\":\"  \",\"name_en\":null,\"name_ru\":\"\"}"))).isEqualTo("{}");
  }
}
