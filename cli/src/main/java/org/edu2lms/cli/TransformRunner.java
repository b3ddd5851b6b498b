package org.edu2lms.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.edu2lms.cli.ops.ConsumerLag;
import org.edu2lms.transform.CatchUpPolicy;
import org.edu2lms.transform.CatchUpPolicy.Mode;
import org.edu2lms.transform.EduToLmsTopology;
import org.edu2lms.transform.TransformConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transform's Kafka Streams instance, with its commit interval chosen by {@link CatchUpPolicy}:
 * when {@link TransformConfig#catchUpEnabled()}, a probe reads the application's consumer lag on the
 * EDU data topics every {@link #PROBE_INTERVAL} and, on a switch, closes the instance cleanly (last
 * transaction committed, state checkpointed, group left) and starts a new one of the same
 * application with the other interval, which resumes from the committed offsets. Each switch is
 * logged with the lag that caused it.
 *
 * <p>Thread-safe: {@link #start()}, {@link #close()} and the probe's restarts exclude each other.
 */
final class TransformRunner implements AutoCloseable {

  /** How often the consumer lag is read. */
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(TransformRunner.class);

  private final TransformConfig config;
  private final Admin admin;
  private final MeterRegistry registry;
  private final Consumer<Throwable> onFailure;
  private final CatchUpPolicy policy;
  private final String groupInstanceId;
  private final AtomicInteger switches = new AtomicInteger();
  private ScheduledExecutorService probe;
  private volatile KafkaStreams streams;
  private KafkaStreamsMetrics streamsMetrics;
  private volatile Mode mode = Mode.LIVE;
  private volatile boolean failed;
  private volatile boolean switching;

  /**
   * @param config the transform's settings (both commit intervals, the catch-up lag)
   * @param admin a Kafka admin client for the consumer-lag probe (not closed here)
   * @param registry where the Kafka Streams client metrics go
   * @param onFailure called with the error of a stream thread that died; the instance is then
   *     shut down and not restarted by the probe
   */
  TransformRunner(TransformConfig config, Admin admin, MeterRegistry registry, Consumer<Throwable> onFailure) {
    this.config = config;
    this.admin = admin;
    this.registry = registry;
    this.onFailure = onFailure;
    this.policy = new CatchUpPolicy(config.catchUpLag());
    this.groupInstanceId = config.applicationId() + "-" + UUID.randomUUID();
  }

  /** Starts the instance in live mode and, when catch-up is enabled, the lag probe. */
  synchronized void start() {
    open(Mode.LIVE);
    if (config.catchUpEnabled()) {
      probe =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "edu2lms-transform-catchup-probe");
                t.setDaemon(true);
                return t;
              });
      probe.scheduleWithFixedDelay(this::probeOnce, PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** The instance's state; {@code NOT_RUNNING} between the two halves of a switch. */
  KafkaStreams.State state() {
    KafkaStreams s = streams;
    return s == null ? KafkaStreams.State.NOT_RUNNING : s.state();
  }

  /** The current mode ({@link Mode#LIVE} when catch-up is disabled). */
  Mode mode() {
    return mode;
  }

  /** The commit interval of the running instance, in ms. */
  long commitIntervalMs() {
    return intervalOf(mode);
  }

  private long intervalOf(Mode m) {
    return m == Mode.LIVE ? config.commitIntervalMs() : config.catchUpCommitIntervalMs();
  }

  /** How many times the mode switched since {@link #start()}. */
  int switches() {
    return switches.get();
  }

  private void probeOnce() {
    try {
      long lag;
      try {
        lag = ConsumerLag.transformDataLag(admin, config.applicationId());
      } catch (ExecutionException e) {
        LOG.debug("transform catch-up probe: consumer lag unknown: {}", e.getMessage());
        lag = -1;
      }
      long observed = lag;
      synchronized (this) {
        if (streams == null || failed) {
          return;
        }
        policy.observe(observed, System.nanoTime()).ifPresent(next -> switchTo(next, observed));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("transform catch-up probe failed (the commit interval stays {} ms): {}", commitIntervalMs(), e.toString(), e);
    }
  }

  private void switchTo(Mode next, long lag) {
    long from = commitIntervalMs();
    long to = intervalOf(next);
    LOG.info(
        "transform: consumer lag {} records, {} mode: commit interval {} ms -> {} ms (restarting Kafka Streams)",
        lag,
        next == Mode.LIVE ? "live" : "catch-up",
        from,
        to);
    long start = System.nanoTime();
    switching = true;
    try {
      closeStreams();
      open(next);
    } catch (RuntimeException e) {
      // Not running now: a stage failure, as a dead stream thread is.
      failed = true;
      onFailure.accept(new IllegalStateException("the transform could not restart with commit interval " + to + " ms: " + e.getMessage(), e));
      return;
    } finally {
      switching = false;
    }
    switches.incrementAndGet();
    LOG.info("transform: restarted with commit interval {} ms in {} ms", to, (System.nanoTime() - start) / 1_000_000);
  }

  private void open(Mode next) {
    Properties props = EduToLmsTopology.streamsConfig(config, intervalOf(next));
    // Static membership for the life of this runner: a dynamic member of a closed instance stays
    // in the group until its session times out (Kafka Streams leaves the group on close only for
    // static members), which stalled each switch for the 10 s session timeout. Kafka Streams
    // appends the thread index to this id. A group.instance.id of the configuration wins.
    if (!props.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)
        && !props.containsKey(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))) {
      props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), groupInstanceId);
    }
    KafkaStreams s = new KafkaStreams(EduToLmsTopology.buildTopology(), props);
    streamsMetrics = new KafkaStreamsMetrics(s);
    streamsMetrics.bindTo(registry);
    s.setUncaughtExceptionHandler(
        e -> {
          failed = true;
          onFailure.accept(e);
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    mode = next;
    streams = s;
    s.start();
  }

  private void closeStreams() {
    KafkaStreams s = streams;
    if (s == null) {
      return;
    }
    streams = null;
    // The client's meters go first, so no reading of a gauge can meet a store being closed.
    streamsMetrics.close();
    streamsMetrics = null;
    // Leaving the group (its static members removed) lets the next instance's join, in this
    // process or another, rebalance at once instead of waiting for these members' session to time out.
    if (!s.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true))) {
      LOG.warn("transform: Kafka Streams did not close within 30 s (state {}); its state folder may stay locked for a while", s.state());
    }
  }

  /** Stops the probe, then closes the instance cleanly (its last transaction committed) and leaves the group. */
  @Override
  public void close() {
    ScheduledExecutorService p;
    synchronized (this) {
      p = probe;
      probe = null;
    }
    if (p != null) {
      // A switch under way finishes first (it is not interrupted half-way); a probe waiting on a
      // broker that does not answer is interrupted.
      p.shutdown();
      try {
        if (!p.awaitTermination(5, TimeUnit.SECONDS)) {
          if (switching) {
            p.awaitTermination(60, TimeUnit.SECONDS);
          }
          p.shutdownNow();
          p.awaitTermination(60, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      closeStreams();
    }
  }
}
