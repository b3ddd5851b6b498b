package org.edu2lms.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** {@link LiveCommits}: when a wrapped processor asks Kafka Streams for a commit. */
class LiveCommitsTest {

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final LiveCommits.Pacer pacer = new LiveCommits.Pacer(20, clock::get);

  private Processor<String, String, String, String> wrapped(MockProcessorContext<String, String> context) {
    LiveCommits wrapper = new LiveCommits();
    wrapper.configure(Map.of(LiveCommits.PACER, pacer));
    ProcessorSupplier<String, String, String, String> supplier = () -> new Processor<>() {
      private org.apache.kafka.streams.processor.api.ProcessorContext<String, String> ctx;

      @Override
      public void init(org.apache.kafka.streams.processor.api.ProcessorContext<String, String> c) {
        ctx = c;
      }

      @Override
      public void process(Record<String, String> r) {
        ctx.forward(r.withValue(r.value().toUpperCase()));
      }
    };
    Processor<String, String, String, String> p = wrapper.wrapProcessorSupplier("upper", supplier).get();
    p.init(context);
    return p;
  }

  private static MockProcessorContext<String, String> task(int partition) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "live-commits-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    return new MockProcessorContext<>(props, new TaskId(0, partition), null);
  }

  private static Record<String, String> record(String v) {
    return new Record<>("k", v, 0L);
  }

  @Test
  void theFirstRecordOfAnIntervalAsksForACommitAtOnceAndTheRestOnceTheIntervalHasPassed() {
    MockProcessorContext<String, String> context = task(0);
    Processor<String, String, String, String> p = wrapped(context);

    p.process(record("a"));
    assertThat(context.forwarded()).hasSize(1);
    assertThat(context.forwarded().get(0).record().value()).isEqualTo("A");
    assertThat(context.committed()).isTrue();
    assertThat(context.scheduledPunctuators()).isEmpty();

    context.resetCommit();
    clock.addAndGet(5);
    p.process(record("b"));
    p.process(record("c"));
    assertThat(context.committed()).isFalse();
    List<CapturedPunctuator> scheduled = context.scheduledPunctuators();
    assertThat(scheduled).hasSize(1);
    assertThat(scheduled.get(0).getInterval()).isEqualTo(Duration.ofMillis(20));
    assertThat(scheduled.get(0).getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);

    // Kafka Streams fires the punctuation once the interval has passed: the deferred request.
    clock.addAndGet(20);
    scheduled.get(0).getPunctuator().punctuate(clock.get());
    assertThat(context.committed()).isTrue();
    assertThat(scheduled.get(0).cancelled()).isTrue();

    // The request just made counts for the interval: the next record waits again.
    context.resetCommit();
    clock.addAndGet(1);
    p.process(record("d"));
    assertThat(context.committed()).isFalse();
    assertThat(context.scheduledPunctuators()).hasSize(2);
    assertThat(context.scheduledPunctuators().get(1).cancelled()).isFalse();

    clock.addAndGet(20);
    p.process(record("e"));
    assertThat(context.committed()).isTrue();
  }

  @Test
  void inCatchUpModeNothingAsksForACommitAndAPendingRequestIsDropped() {
    MockProcessorContext<String, String> context = task(0);
    Processor<String, String, String, String> p = wrapped(context);
    p.process(record("a"));
    context.resetCommit();
    clock.addAndGet(1);
    p.process(record("b"));
    assertThat(context.scheduledPunctuators()).hasSize(1);

    pacer.setLive(false);
    clock.addAndGet(100);
    p.process(record("c"));
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(clock.get());
    assertThat(context.committed()).isFalse();
    assertThat(context.scheduledPunctuators()).hasSize(1);

    pacer.setLive(true);
    p.process(record("d"));
    assertThat(context.committed()).isTrue();
  }

  @Test
  void oneRequestPerStreamThreadAndIntervalWhateverTheTask() {
    MockProcessorContext<String, String> first = task(0);
    MockProcessorContext<String, String> second = task(1);
    Processor<String, String, String, String> p0 = wrapped(first);
    Processor<String, String, String, String> p1 = wrapped(second);

    p0.process(record("a"));
    clock.addAndGet(1);
    p1.process(record("b"));
    assertThat(first.committed()).isTrue();
    // Kafka Streams commits every task of the thread on one request: the second task waits.
    assertThat(second.committed()).isFalse();
    assertThat(second.scheduledPunctuators()).hasSize(1);
  }

  @Test
  void aTaskInitialisedAgainSchedulesItsDeferredRequestAgain() {
    MockProcessorContext<String, String> context = task(0);
    Processor<String, String, String, String> p = wrapped(context);
    p.process(record("a"));
    clock.addAndGet(1);
    p.process(record("b"));
    assertThat(context.scheduledPunctuators()).hasSize(1);

    // The task is closed and revived (a rebalance): its punctuations are gone with it.
    MockProcessorContext<String, String> revived = task(0);
    Processor<String, String, String, String> again = wrapped(revived);
    clock.addAndGet(1);
    again.process(record("c"));
    assertThat(revived.committed()).isFalse();
    assertThat(revived.scheduledPunctuators()).hasSize(1);
  }

  @Test
  void withoutAPacerTheSupplierGivesTheProcessorItself() {
    LiveCommits wrapper = new LiveCommits();
    wrapper.configure(Map.of());
    Processor<String, String, String, String> inner = r -> {};
    ProcessorSupplier<String, String, String, String> supplier = () -> inner;
    assertThat(wrapper.wrapProcessorSupplier("p", supplier).get()).isSameAs(inner);
  }

  @Test
  void everySubTopologyOfTheTransformHasAProcessorToWrap() {
    // A task whose records crossed no processor would never ask for a commit while live.
    var subtopologies = EduToLmsTopology.buildTopology().describe().subtopologies();
    assertThat(subtopologies).hasSizeGreaterThan(10);
    assertThat(subtopologies)
        .allSatisfy(s -> assertThat(s.nodes()).as("sub-topology %d", s.id()).anyMatch(n -> n instanceof org.apache.kafka.streams.TopologyDescription.Processor));
  }

  @Test
  void aDeferredRequestIsDroppedWhenALaterRequestOfTheThreadCoversItsTask() {
    MockProcessorContext<String, String> first = task(0);
    MockProcessorContext<String, String> second = task(1);
    Processor<String, String, String, String> p0 = wrapped(first);
    Processor<String, String, String, String> p1 = wrapped(second);
    p0.process(record("a"));
    clock.addAndGet(5);
    p1.process(record("b"));
    CapturedPunctuator deferred = second.scheduledPunctuators().get(0);
    // The first task's next record asks for the thread's next commit, which takes the second's too.
    clock.addAndGet(15);
    first.resetCommit();
    p0.process(record("c"));
    assertThat(first.committed()).isTrue();
    clock.addAndGet(5);
    deferred.getPunctuator().punctuate(clock.get());
    assertThat(second.committed()).isFalse();
    assertThat(deferred.cancelled()).isTrue();
  }

  @Test
  void aDeferredRequestNotCoveredWaitsUntilTheThreadMayAskAgain() {
    MockProcessorContext<String, String> first = task(0);
    MockProcessorContext<String, String> second = task(1);
    Processor<String, String, String, String> p0 = wrapped(first);
    Processor<String, String, String, String> p1 = wrapped(second);
    p0.process(record("a"));
    clock.addAndGet(5);
    p1.process(record("b"));
    CapturedPunctuator deferred = second.scheduledPunctuators().get(0);
    clock.addAndGet(16);
    p0.process(record("c")); // the thread's request at 21 ms
    clock.addAndGet(1);
    p1.process(record("d")); // after that request: not covered by it
    assertThat(second.scheduledPunctuators()).hasSize(1);

    clock.addAndGet(3);
    deferred.getPunctuator().punctuate(clock.get());
    assertThat(second.committed()).as("4 ms after the thread's last request").isFalse();
    assertThat(deferred.cancelled()).isFalse();

    clock.addAndGet(20);
    deferred.getPunctuator().punctuate(clock.get());
    assertThat(second.committed()).isTrue();
    assertThat(deferred.cancelled()).isTrue();
  }
}
