package org.edu2lms.transform.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Reading Debezium change-event envelopes in one streaming pass (EduRowSerde), value by value. */
class EduRowSerdeTest {

  private static final String TOPIC = "edu.public.users";
  private final EduRowSerde serde = new EduRowSerde();

  private EduRow read(String json) {
    return serde.deserializer().deserialize(TOPIC, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anUpdateKeepsTheAfterImageAndTheSourceLsnAndSkipsEverythingElse() throws Exception {
    EduRow row =
        read(
            """
            {"before":{"id":7,"username":"old"},
             "after":{"id":7,"username":"nigar","mark":"4.50","tags":[1,{"a":null}],"born":null},
             "source":{"version":"3.3.1.Final","connector":"postgresql","name":"edu","ts_ms":1,
                       "snapshot":"false","db":"edu","sequence":"[\\"1\\",\\"2\\"]","schema":"public",
                       "table":"users","txId":9,"lsn":123456789,"xmin":null},
             "transaction":{"id":"9:123","total_order":1,"data_collection_order":1},
             "op":"u","ts_ms":2}
            """);
    assertThat(row.lsn()).isEqualTo(123456789L);
    assertThat(row.row()).isEqualTo(new ObjectMapper().readTree("{\"id\":7,\"username\":\"nigar\",\"mark\":\"4.50\",\"tags\":[1,{\"a\":null}],\"born\":null}"));
  }

  @Test
  void fieldOrderDoesNotMatterAndAMissingLsnIsZero() {
    EduRow row = read("{\"op\":\"c\",\"source\":{\"table\":\"users\",\"nested\":{\"lsn\":5}},\"after\":{\"id\":1}}");
    assertThat(row.row().get("id").asLong()).isEqualTo(1);
    assertThat(row.lsn()).as("only source.lsn counts, not a deeper lsn").isZero();
    assertThat(read("{\"after\":{\"id\":2},\"source\":{\"lsn\":\"42\"},\"op\":\"r\"}").lsn()).isEqualTo(42);
  }

  @Test
  void deletesTombstonesAndNullsReadAsNoRow() {
    assertThat(read("{\"before\":{\"id\":7},\"after\":null,\"source\":{\"lsn\":9},\"op\":\"d\"}")).isNull();
    assertThat(read("{\"after\":{\"id\":7},\"op\":\"d\"}")).as("op d wins over an after image").isNull();
    assertThat(read("null")).isNull();
    assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
  }

  @Test
  void aSchemaWrappedEnvelopeIsReadFromItsPayload() {
    EduRow row =
        read("{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"after\"}]},\"payload\":{\"after\":{\"id\":3},\"source\":{\"lsn\":77},\"op\":\"c\"}}");
    assertThat(row.row().get("id").asLong()).isEqualTo(3);
    assertThat(row.lsn()).isEqualTo(77);
    assertThat(read("{\"schema\":{},\"payload\":null}")).isNull();
  }

  @Test
  void whatIsNotAChangeEventIsASerializationErrorNamingTheTopic() {
    assertThatThrownBy(() -> read("{\"after\":{\"id\":1},"))
        .isInstanceOf(SerializationException.class)
        .hasMessage("change event on edu.public.users is not JSON");
    assertThatThrownBy(() -> read("{\"after\":[1,2],\"op\":\"c\"}"))
        .isInstanceOf(SerializationException.class)
        .hasMessage("change event on edu.public.users has a non-object after image");
  }

  @Test
  void oddShapesReadAsTheWholeTreeReadDid() {
    assertThat(read("{\"op\":[\"c\"],\"after\":{\"id\":1}}").row().get("id").asLong()).as("an array op is skipped, not a delete").isEqualTo(1);
    assertThat(read("{\"payload\":{\"after\":[1]},\"after\":{\"id\":4},\"op\":\"c\"}").row().get("id").asLong())
        .as("a payload without a schema is not the envelope")
        .isEqualTo(4);
    assertThat(read("{\"after\":{\"id\":5},\"source\":{\"lsn\":\"12.5\"}}").lsn()).isEqualTo(12);
    assertThat(read("{\"after\":{\"id\":5},\"source\":{\"lsn\":12.9}}").lsn()).isEqualTo(12);
    assertThat(read("{\"after\":{\"id\":5},\"source\":\"x\"}").lsn()).isZero();
  }

  @Test
  void whatTheSerializerWritesReadsBackEqual() throws Exception {
    EduRow row = new EduRow(new ObjectMapper().readTree("{\"id\":5,\"name\":\"Ä \\\"q\\\"\",\"n\":[1,2]}"), 987654321L);
    EduRow back = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, row));
    assertThat(back).isEqualTo(row);
  }
}
