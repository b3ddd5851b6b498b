package org.edu2lms.cli;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
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
import org.edu2lms.transform.LiveCommits;
import org.edu2lms.transform.ReplacementBudget;
import org.edu2lms.transform.TransformConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transform's Kafka Streams instance, with its commit interval chosen by {@link CatchUpPolicy}
 * and applied without a restart: the instance runs with the catch-up interval as its {@code
 * commit.interval.ms}, and {@link LiveCommits} asks for commits at the live interval while the
 * policy says live. When {@link TransformConfig#catchUpEnabled()}, a probe reads the application's
 * consumer lag on the EDU data topics every {@link #PROBE_INTERVAL}; each switch is logged with the
 * lag that caused it.
 *
 * <p>The instance's consumers are static members of the group with an id kept in the state folder
 * ({@link GroupInstanceId}): a process restarted after a crash takes its partitions back at once
 * instead of waiting for the old members' session to time out.
 *
 * <p>Thread-safe: {@link #start()}, {@link #close()} and the probe exclude each other.
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
  private final LiveCommits.Pacer pacer;
  private final AtomicInteger switches = new AtomicInteger();
  private final ReplacementBudget replacements = new ReplacementBudget(ReplacementBudget.DEFAULT_MAX, ReplacementBudget.DEFAULT_WINDOW);
  private final Counter threadsReplaced;
  private ScheduledExecutorService probe;
  private volatile KafkaStreams streams;
  /** {@link System#nanoTime()} of the instance's last state change. */
  private volatile long stateSinceNanos = System.nanoTime();
  private KafkaStreamsMetrics streamsMetrics;

  /**
   * @param config the transform's settings (both commit intervals, the catch-up lag)
   * @param admin a Kafka admin client for the consumer-lag probe (not closed here)
   * @param registry where the Kafka Streams client metrics go
   * @param onFailure called with the error of a stream thread that failed when the {@link
   *     ReplacementBudget} is used up; the instance is then shut down (a failed thread within the
   *     budget is replaced instead)
   */
  TransformRunner(TransformConfig config, Admin admin, MeterRegistry registry, Consumer<Throwable> onFailure) {
    this.config = config;
    this.admin = admin;
    this.registry = registry;
    this.onFailure = onFailure;
    this.policy = new CatchUpPolicy(config.catchUpLag());
    this.pacer = new LiveCommits.Pacer(config.commitIntervalMs());
    this.threadsReplaced =
        Counter.builder("edu2lms.transform.threads.replaced")
            .description("stream threads that failed and were replaced (at most " + ReplacementBudget.DEFAULT_MAX + " within "
                + ReplacementBudget.DEFAULT_WINDOW.toMinutes() + " min, then the transform stops)")
            .register(registry);
  }

  /**
   * Starts the instance in live mode and, when catch-up is enabled, the lag probe.
   *
   * @throws java.io.UncheckedIOException when the group instance id cannot be read or written in
   *     the state folder
   */
  synchronized void start() {
    Properties props = EduToLmsTopology.streamsConfig(config, config.catchUpCommitIntervalMs());
    props.put(StreamsConfig.PROCESSOR_WRAPPER_CLASS_CONFIG, LiveCommits.class);
    props.put(LiveCommits.PACER, pacer);
    // A group.instance.id of the configuration wins; Kafka Streams appends the thread index.
    if (!props.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)
        && !props.containsKey(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))) {
      props.put(
          StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
          GroupInstanceId.of(config.stateDir(), config.applicationId()));
    }
    KafkaStreams s = new KafkaStreams(EduToLmsTopology.buildTopology(props), props);
    streamsMetrics = new KafkaStreamsMetrics(s);
    streamsMetrics.bindTo(registry);
    s.setStateListener((now, before) -> stateSinceNanos = System.nanoTime());
    s.setUncaughtExceptionHandler(
        e -> {
          if (replacements.tryTake(System.nanoTime())) {
            threadsReplaced.increment();
            LOG.warn("transform: a stream thread failed; replacing it (its tasks resume from their last committed transaction): {}", e.toString(), e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
          }
          LOG.error(
              "transform: a stream thread failed again, {} replacements within {} already; stopping",
              ReplacementBudget.DEFAULT_MAX,
              ReplacementBudget.DEFAULT_WINDOW);
          onFailure.accept(e);
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    streams = s;
    s.start();
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

  /** The instance's state; {@code NOT_RUNNING} before {@link #start()} and after {@link #close()}. */
  KafkaStreams.State state() {
    KafkaStreams s = streams;
    return s == null ? KafkaStreams.State.NOT_RUNNING : s.state();
  }

  /** {@link System#nanoTime()} when the instance entered its current {@link #state()}. */
  long stateSinceNanos() {
    return stateSinceNanos;
  }

  /** The current mode ({@link Mode#LIVE} when catch-up is disabled). */
  Mode mode() {
    return pacer.live() ? Mode.LIVE : Mode.CATCH_UP;
  }

  /** The commit interval in effect, in ms: the live one, or the catch-up one. */
  long commitIntervalMs() {
    return pacer.live() ? config.commitIntervalMs() : config.catchUpCommitIntervalMs();
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
        if (streams == null) {
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
    pacer.setLive(next == Mode.LIVE);
    switches.incrementAndGet();
    LOG.info(
        "transform: consumer lag {} records, {} mode: commit interval {} ms -> {} ms",
        lag,
        next == Mode.LIVE ? "live" : "catch-up",
        from,
        commitIntervalMs());
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
      // A probe waiting on a broker that does not answer is interrupted.
      p.shutdownNow();
      try {
        p.awaitTermination(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
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
        LOG.warn("transform: Kafka Streams did not close within 30 s (state {})", s.state());
      }
    }
  }
}
