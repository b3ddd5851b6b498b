package org.edu2lms.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class LegacyIdsTest {

  /** RFC 4122 Appendix C: the URL namespace. */
  private static final UUID NAMESPACE_URL = UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

  @Test
  void namespaceIsUuid5OfTheUrnInTheUrlNamespace() {
    assertThat(LegacyIds.uuid5(NAMESPACE_URL, "urn:edu2lms:legacy"))
        .isEqualTo(UUID.fromString("e5f135c8-ba1d-52fb-b924-ebdd608a3580"))
        .isEqualTo(LegacyIds.NAMESPACE);
  }

  @Test
  void rowVectorOfMappingMd() {
    assertThat(LegacyIds.forRow("students", 42)).isEqualTo(UUID.fromString("a87da4be-f509-5f59-949d-d5e6f0c65989"));
  }

  @Test
  void termVectorOfMappingMd() {
    assertThat(LegacyIds.forTerm(3, 1)).isEqualTo(UUID.fromString("39a0b594-85bb-512d-80c8-bc18e35a0f76"));
  }

  @Test
  void knownUuid5VectorOfTheDnsNamespace() {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
    UUID dns = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    assertThat(LegacyIds.uuid5(dns, "python.org")).isEqualTo(UUID.fromString("886313e1-3b8a-5372-9b90-0c9aee199e5d"));
  }

  @Test
  void idsAreVersion5AndDistinctPerNameKind() {
    UUID grade = LegacyIds.forGrade(7, 2);
    assertThat(grade.version()).isEqualTo(5);
    assertThat(grade.variant()).isEqualTo(2);
    assertThat(grade).isEqualTo(LegacyIds.uuid5("journal_details:7:2"));
    assertThat(LegacyIds.forComponent(7, 2)).isEqualTo(LegacyIds.uuid5("component:7:2")).isNotEqualTo(grade);
    assertThat(LegacyIds.forRow("users", 1)).isNotEqualTo(LegacyIds.forRow("persons", 1));
  }

  @Test
  void quarantineKeyShape() {
    assertThat(LmsTopics.quarantineKey("journal_details", 12, 3)).isEqualTo("journal_details:12:3");
  }
}
