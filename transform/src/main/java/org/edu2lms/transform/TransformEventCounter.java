package org.edu2lms.transform;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.edu2lms.schemas.EduTables;

/**
 * Counts the change events the transform's main consumer reads, per EDU table: the counter {@code
 * edu2lms.transform.events{table}} (Prometheus {@code edu2lms_transform_events_total}) in
 * Micrometer's global registry, to which a process adds its own registry. Installed through {@code
 * main.consumer.interceptor.classes} ({@link EduToLmsTopology#streamsConfig}); the Streams
 * application's own repartition and join topics are not counted. Kafka's per-topic fetch metrics
 * carry the same figure but with a tag set Prometheus cannot hold beside the per-client series.
 */
public final class TransformEventCounter implements ConsumerInterceptor<byte[], byte[]> {

  private static final String PREFIX = EduTables.TOPIC_PREFIX + ".public.";
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  @Override
  public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      if (tp.topic().startsWith(PREFIX)) {
        counters
            .computeIfAbsent(
                tp.topic(),
                t -> Counter.builder("edu2lms.transform.events")
                    .description("change events the transform read, per EDU table")
                    .tag("table", t.substring(PREFIX.length()))
                    .register(Metrics.globalRegistry))
            .increment(records.records(tp).size());
      }
    }
    return records;
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
