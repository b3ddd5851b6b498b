package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link Pipeline#registry()} accepts: no Kafka Streams state-store meter (KAFKA-10025). */
class PipelineMetersTest {

  @TempDir Path dir;

  @Test
  void stateStoreMetersAreRefusedAndOtherKafkaStreamsMetersKept() throws Exception {
    // No broker is contacted: the admin client connects only when used.
    try (Pipeline pipeline = new Pipeline(Pipeline.Settings.embedded(1, "postgres", "localhost:1", dir))) {
      AtomicInteger reads = new AtomicInteger();
      Gauge.builder("kafka.stream.state.estimate.num.keys", reads, AtomicInteger::incrementAndGet)
          .tag("rocksdb.state.id", "users-rows")
          .register(pipeline.registry());
      Gauge.builder("kafka.stream.thread.commit.latency.avg", () -> 12.5).register(pipeline.registry());

      String scrape = pipeline.registry().scrape();

      assertThat(scrape).contains("kafka_stream_thread_commit_latency_avg 12.5");
      assertThat(scrape).doesNotContain("kafka_stream_state_");
      assertThat(pipeline.registry().find("kafka.stream.state.estimate.num.keys").gauge()).isNull();
      assertThat(reads).as("a refused gauge is never read").hasValue(0);
    }
  }
}
