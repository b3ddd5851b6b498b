package org.edu2lms.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

/** {@link Readiness}: each stage's rule, with the bound of 60 s and a clock in seconds. */
class ReadinessTest {

  private static final Duration BOUND = Duration.ofSeconds(60);

  private static long s(long seconds) {
    return Duration.ofSeconds(seconds).toNanos();
  }

  @Test
  void theCaptureIsReadyWhileItRunsAndNotOnceWithoutEduForTheBoundOrFailed() {
    assertThat(Readiness.capture(null, 0, false, s(100), BOUND))
        .isEqualTo(new Readiness.Check("capture", true, "starting or taking the initial snapshot"));
    assertThat(Readiness.capture(null, 0, true, s(100), BOUND)).isEqualTo(new Readiness.Check("capture", true, "streaming"));
    assertThat(Readiness.capture(null, s(41), true, s(100), BOUND))
        .isEqualTo(new Readiness.Check("capture", true, "connection to EDU lost 59 s ago, reconnecting"));
    assertThat(Readiness.capture(null, s(40), true, s(100), BOUND))
        .isEqualTo(new Readiness.Check("capture", false, "connection to EDU lost 60 s ago, reconnecting"));
    assertThat(Readiness.capture(new IllegalStateException("replication slot edu2lms is gone"), 0, true, s(100), BOUND))
        .isEqualTo(new Readiness.Check("capture", false, "failed: replication slot edu2lms is gone"));
  }

  @Test
  void theTransformIsReadyWhenRunningOrRebalancingWithinTheBound() {
    assertThat(Readiness.transform(null, State.RUNNING, s(0), s(1000), BOUND))
        .isEqualTo(new Readiness.Check("transform", true, "Kafka Streams RUNNING"));
    assertThat(Readiness.transform(null, State.REBALANCING, s(50), s(100), BOUND))
        .isEqualTo(new Readiness.Check("transform", true, "Kafka Streams REBALANCING for 50 s"));
    assertThat(Readiness.transform(null, State.REBALANCING, s(40), s(100), BOUND))
        .isEqualTo(new Readiness.Check("transform", false, "Kafka Streams REBALANCING for 60 s"));
    assertThat(Readiness.transform(null, State.CREATED, s(99), s(100), BOUND))
        .isEqualTo(new Readiness.Check("transform", true, "Kafka Streams CREATED for 1 s"));
    for (State stopped : List.of(State.ERROR, State.PENDING_ERROR, State.NOT_RUNNING, State.PENDING_SHUTDOWN)) {
      assertThat(Readiness.transform(null, stopped, s(99), s(100), BOUND))
          .isEqualTo(new Readiness.Check("transform", false, "Kafka Streams " + stopped));
    }
    assertThat(Readiness.transform(new IllegalStateException("stream thread died"), State.ERROR, s(99), s(100), BOUND))
        .isEqualTo(new Readiness.Check("transform", false, "failed: stream thread died"));
  }

  @Test
  void theSinkIsNotReadyAfterRetryingForTheBoundOrWithoutAFinishedRound() {
    assertThat(Readiness.sink(null, s(99), 0, s(100), BOUND)).isEqualTo(new Readiness.Check("sink", true, "writing LMS"));
    assertThat(Readiness.sink(null, s(50), s(51), s(100), BOUND))
        .isEqualTo(new Readiness.Check("sink", true, "LMS unavailable, retrying for 49 s"));
    assertThat(Readiness.sink(null, s(30), s(40), s(100), BOUND))
        .isEqualTo(new Readiness.Check("sink", false, "LMS unavailable, retrying for 60 s"));
    assertThat(Readiness.sink(null, s(40), 0, s(100), BOUND)).isEqualTo(new Readiness.Check("sink", false, "no batch finished for 60 s"));
    assertThat(Readiness.sink(new IllegalStateException("sink.lms.user lacks DELETE"), s(99), 0, s(100), BOUND))
        .isEqualTo(new Readiness.Check("sink", false, "failed: sink.lms.user lacks DELETE"));
  }

  @Test
  void theProcessIsReadyOnlyWhenEveryStageIs() {
    Readiness.Check up = new Readiness.Check("capture", true, "streaming");
    Readiness.Check down = new Readiness.Check("sink", false, "failed: x");
    assertThat(new Readiness(List.of(up)).ready()).isTrue();
    assertThat(new Readiness(List.of(up, down)).ready()).isFalse();
    assertThat(new Readiness(List.of()).ready()).isTrue();
  }

  @Test
  void servedAsJsonWithTheVerdictAndEachCheck() throws Exception {
    Readiness r = new Readiness(List.of(new Readiness.Check("capture", true, "streaming"), new Readiness.Check("sink", false, "LMS unavailable, retrying for 61 s")));
    com.fasterxml.jackson.databind.JsonNode json = StatusJson.mapper().readTree(StatusJson.mapper().writeValueAsString(r));
    assertThat(json.get("ready").asBoolean()).isFalse();
    assertThat(json.get("checks")).hasSize(2);
    assertThat(json.at("/checks/1/stage").asText()).isEqualTo("sink");
    assertThat(json.at("/checks/1/ready").asBoolean()).isFalse();
    assertThat(json.at("/checks/1/detail").asText()).isEqualTo("LMS unavailable, retrying for 61 s");
    assertThat(json.at("/checks/0/ready").asBoolean()).isTrue();
  }
}
