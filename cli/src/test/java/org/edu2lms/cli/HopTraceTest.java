package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The parts of bench live's hop trace that read Kafka Streams' own record layouts. */
class HopTraceTest {

  private static ConsumerRecord<byte[], byte[]> subscription(byte[] value) {
    return new ConsumerRecord<>("t", 0, 0, "{\"id\":7}".getBytes(StandardCharsets.UTF_8), value);
  }

  /** Kafka Streams 4.1's SubscriptionWrapper v1: version, instruction, a 16-byte hash, the primary key, the primary partition. */
  private static byte[] wrapper(byte[] hash, String primaryKey) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1);
    out.write(0);
    out.writeBytes(hash);
    out.writeBytes(primaryKey.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(ByteBuffer.allocate(4).putInt(125).array());
    return out.toByteArray();
  }

  @Test
  void theJournalDetailsIdIsReadFromTheEndOfTheSubscriptionValueNotFromItsKey() {
    byte[] hash = new byte[16];
    for (int i = 0; i < hash.length; i++) {
      hash[i] = (byte) (i * 37 + 11);
    }
    assertThat(HopTrace.primaryKeyOfSubscription(subscription(wrapper(hash, "{\"id\":1279}")))).isEqualTo(1279L);
    assertThat(HopTrace.primaryKeyOfSubscription(subscription(wrapper(new byte[0], "{\"id\":-5}")))).isEqualTo(-5L);
  }

  @Test
  void aValueWithoutAnIdKeyAtItsEndIsNotTraced() {
    assertThat(HopTrace.primaryKeyOfSubscription(subscription(null))).isNull();
    assertThat(HopTrace.primaryKeyOfSubscription(subscription(wrapper(new byte[16], "x")))).isNull();
  }

  @Test
  void eachHopTakesTheFirstRecordAtOrAfterThePreviousOne() {
    assertThat(HopTrace.firstAtOrAfter(List.of(100L, 250L, 400L), 200)).isEqualTo(250L);
    assertThat(HopTrace.firstAtOrAfter(List.of(100L, 250L), 250)).isEqualTo(250L);
    assertThat(HopTrace.firstAtOrAfter(List.of(100L), 101)).isNull();
    assertThat(HopTrace.firstAtOrAfter(null, 0)).isNull();
  }
}
