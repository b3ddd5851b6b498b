package org.edu2lms.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.edu2lms.capture.CaptureConfig;
import org.edu2lms.capture.EduCapture;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.edu2lms.cli.ops.ConsumerLag;
import org.edu2lms.cli.ops.TransformInputLag;
import org.edu2lms.cli.ops.LagReport;
import org.edu2lms.cli.ops.Readiness;
import org.edu2lms.cli.ops.StatusMonitor;
import org.edu2lms.cli.ops.StatusServer;
import org.edu2lms.cli.ops.KafkaTopics;
import org.edu2lms.cli.ops.TransformStateCheck;
import org.edu2lms.sink.LmsSchema;
import org.edu2lms.sink.LmsSink;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.transform.CatchUpPolicy.Mode;
import org.edu2lms.transform.EduToLmsTopology;
import org.edu2lms.transform.TransformConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three stages wired in one process: capture (Debezium → edu.public.*), transform (Kafka
 * Streams → lms.*, edu2lms.quarantine) and sink (→ LMS). Used by {@code edu2lms demo} and the
 * integration tests.
 */
public final class Pipeline implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  /**
   * Where everything is.
   *
   * @param capture capture settings (EDU, Kafka, slot, publication, offset file)
   * @param transform transform settings
   * @param sink sink settings (LMS, Kafka, consumer group)
   * @param partitions partitions of each topic the pipeline creates
   * @param replicationFactor replication factor of each topic the pipeline creates
   * @param dataDir the process's data folder ({@code data.dir}): where the sink keeps its {@code
   *     group.instance.id} ({@link GroupInstanceId}); the capture's offsets and the transform's
   *     state have their own settings
   */
  public record Settings(CaptureConfig capture, TransformConfig transform, SinkConfig sink, int partitions, short replicationFactor, Path dataDir) {

    /** Settings for a one-broker cluster (replication factor 1). */
    public Settings(CaptureConfig capture, TransformConfig transform, SinkConfig sink, int partitions, Path dataDir) {
      this(capture, transform, sink, partitions, (short) 1, dataDir);
    }

    /** Settings for one embedded EDU/LMS PostgreSQL on localhost and one embedded Kafka. */
    public static Settings embedded(int pgPort, String pgUser, String kafkaBootstrap, Path dataDir) {
      return embedded("localhost", pgPort, pgUser, kafkaBootstrap, dataDir);
    }

    /**
     * Settings for one PostgreSQL server holding databases {@code edu} and {@code lms} (user
     * {@code pgUser}, no password) and one Kafka broker; data under {@code dataDir}; the
     * transform with its default threads and both default commit intervals ({@code bench load} and
     * {@code bench live} take options for them).
     */
    public static Settings embedded(String pgHost, int pgPort, String pgUser, String kafkaBootstrap, Path dataDir) {
      return new Settings(
          new CaptureConfig(
              pgHost,
              pgPort,
              "edu",
              pgUser,
              "",
              kafkaBootstrap,
              CaptureConfig.DEFAULT_REPLICATION_NAME,
              CaptureConfig.DEFAULT_REPLICATION_NAME,
              dataDir.resolve("capture-offsets.dat")),
          new TransformConfig(
              kafkaBootstrap,
              TransformConfig.DEFAULT_APPLICATION_ID,
              dataDir.resolve("streams"),
              TransformConfig.DEFAULT_COMMIT_INTERVAL_MS,
              TransformConfig.DEFAULT_CATCH_UP_COMMIT_INTERVAL_MS,
              TransformConfig.DEFAULT_CATCH_UP_LAG,
              TransformConfig.DEFAULT_STREAM_THREADS,
              Map.of(),
              Map.of()),
          new SinkConfig("jdbc:postgresql://" + pgHost + ":" + pgPort + "/lms", pgUser, "", kafkaBootstrap, SinkConfig.DEFAULT_GROUP_ID),
          1,
          dataDir);
    }
  }

  /**
   * Name prefix of the Kafka Streams state-store meters (Micrometer's name for the group {@code
   * stream-state-metrics}) that {@link #registry()} refuses: see the constructor.
   */
  static final String STATE_STORE_METERS = "kafka.stream.state.";

  private final Settings settings;
  private final Admin admin;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<AutoCloseable> binders = new ArrayList<>();
  private StatusMonitor monitor;
  private StatusServer status;
  private final AtomicReference<Throwable> streamsFailure = new AtomicReference<>();
  private volatile EduCapture capture;
  private volatile TransformRunner transform;
  private volatile LmsSink sink;
  private long lastEventCount = -1;

  /**
   * @param settings where everything is
   */
  public Pipeline(Settings settings) {
    this.settings = settings;
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.capture().kafkaBootstrap());
    org.edu2lms.schemas.KafkaClientOverrides.apply(p, settings.capture().kafkaClient());
    this.admin = Admin.create(p);
    // Kafka Streams' state-store metrics (group stream-state-metrics) stay out of /metrics: their
    // RocksDB property gauges read the native database with no guard against the store closing
    // (a rebalance, a commit-interval switch), a use-after-free that can abort the JVM when a
    // scrape meets a close (KAFKA-10025, open). The stores' sizes are in the changelog topics.
    registry.config().meterFilter(MeterFilter.denyNameStartsWith(STATE_STORE_METERS));
    // Meters registered in the global registry (the transform's TransformEventCounter) reach /metrics.
    Metrics.addRegistry(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    binders.add(gc);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("edu2lms.transform.commit.interval", this, Pipeline::transformCommitIntervalMs)
        .baseUnit("milliseconds")
        .description("the transform's current commit interval: the live one, or the catch-up one while a backlog is worked off; 0 when the transform does not run here")
        .register(registry);
    FunctionCounter.builder("edu2lms.transform.mode.switches", this, Pipeline::transformModeSwitches)
        .description("switches of the transform between the live and the catch-up commit interval")
        .register(registry);
  }

  /** Every meter of the three stages and the JVM, for {@code /metrics}. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Creates the topics and the LMS schema if missing, then starts sink, transform and capture.
   *
   * @throws Exception when a stage cannot start (the message names it)
   */
  public void start() throws Exception {
    start(EnumSet.allOf(Stage.class));
  }

  /** A stage of the pipeline, to run alone ({@code edu2lms run <stage>}) or all in one process. */
  public enum Stage {
    /** Debezium: EDU → edu.public.* */
    CAPTURE,
    /** Kafka Streams: edu.public.* → lms.*, quarantine, notes, heartbeat */
    TRANSFORM,
    /** lms.*, quarantine, notes, heartbeat → LMS */
    SINK
  }

  /**
   * Creates the topics if missing, then starts the given stages, downstream first (sink,
   * transform, capture); the sink first creates or upgrades the LMS schema.
   *
   * @throws Exception when a stage cannot start (the message names it)
   */
  public void start(Set<Stage> stages) throws Exception {
    KafkaTopics.ensure(admin, settings.partitions(), settings.replicationFactor());
    if (stages.contains(Stage.SINK)) {
      LmsSchema.migrate(settings.sink().lmsJdbcUrl(), settings.sink().lmsUser(), settings.sink().lmsPassword());
      startSink();
    }
    if (stages.contains(Stage.TRANSFORM)) {
      KafkaTopics.requireEduTopicsPartitionedAlike(admin);
      TransformStateCheck.requireCurrentState(admin, settings.transform().applicationId());
      startTransform();
    }
    if (stages.contains(Stage.CAPTURE)) {
      // The held tables' snapshot waits for the transform's group, in this process or another.
      capture = new EduCapture(settings.capture(), registry, new TransformInputLag(admin, settings.transform().applicationId()));
      capture.start();
    }
  }

  /**
   * Starts (again) the transform alone, e.g. after {@link #stopTransform()}: a new Kafka Streams
   * instance of the same application, which resumes from its committed offsets.
   *
   * @throws IllegalStateException when the transform runs already
   */
  public synchronized void startTransform() {
    if (transform != null) {
      throw new IllegalStateException("the transform runs already");
    }
    transform =
        new TransformRunner(
            settings.transform(),
            admin,
            registry,
            e -> {
              streamsFailure.compareAndSet(null, e);
              LOG.error("transform stopped: {}", e.getMessage(), e);
            });
    transform.start();
  }

  /**
   * Stops the transform alone (a clean close: its last transaction committed), leaving capture
   * and sink running: its consumer lag on the edu.public.* topics then grows with every change.
   */
  public synchronized void stopTransform() {
    if (transform != null) {
      transform.close();
      transform = null;
    }
  }

  /**
   * The transform's current commit interval, in ms: the live one, or the catch-up one while a
   * backlog is worked off ({@link org.edu2lms.transform.CatchUpPolicy}); 0 when the transform does
   * not run in this process.
   */
  public long transformCommitIntervalMs() {
    TransformRunner t = transform;
    return t == null ? 0 : t.commitIntervalMs();
  }

  /** How many times the transform switched between live and catch-up mode. */
  public int transformModeSwitches() {
    TransformRunner t = transform;
    return t == null ? 0 : t.switches();
  }

  /**
   * Starts (again) the sink alone, e.g. after {@link #stopSink()}; its meters go to {@link #registry()}.
   *
   * @throws IllegalStateException when the sink runs already
   */
  public void startSink() {
    if (sink != null) {
      throw new IllegalStateException("the sink runs already");
    }
    sink = new LmsSink(settings.sink(), registry, GroupInstanceId.of(settings.dataDir(), settings.sink().groupId()));
    sink.start();
  }

  /**
   * Stops the sink alone (a clean stop: the last batch committed, its offsets committed), leaving
   * capture and transform running: its consumer lag then grows with every change.
   */
  public void stopSink() throws Exception {
    if (sink != null) {
      sink.close();
      sink = null;
    }
  }

  /**
   * Serves the status page, {@code /metrics} and the JSON API ({@link StatusServer}) for this
   * pipeline, watched by a {@link StatusMonitor} (lag every 2 s, the accounting every {@code
   * accountingInterval}).
   *
   * @param host address to bind
   * @param port TCP port, 0 for any free one
   * @param accountingInterval how often the accounting of mapping.md is recounted
   * @return the server (its {@link StatusServer#port()})
   * @throws java.io.IOException when the port cannot be bound
   */
  public StatusServer serveStatus(String host, int port, Duration accountingInterval) throws java.io.IOException {
    return serveStatus(host, port, accountingInterval, DEFAULT_NOT_READY_AFTER);
  }

  /** {@code health.not.ready.after} by default ({@link Readiness}). */
  public static final Duration DEFAULT_NOT_READY_AFTER = Duration.ofSeconds(60);

  /**
   * As {@link #serveStatus(String, int, Duration)}, with {@code /health/ready} judging the stages
   * of this process by {@link #readiness(Duration)} with the given bound.
   *
   * @param notReadyAfter how long a stage may be unable to progress before it is not ready
   * @throws java.io.IOException when the port cannot be bound
   */
  public StatusServer serveStatus(String host, int port, Duration accountingInterval, Duration notReadyAfter) throws java.io.IOException {
    CaptureConfig c = settings.capture();
    String eduUrl = c.eduJdbcUrl();
    monitor =
        new StatusMonitor(
                new StatusMonitor.Target(
                    c.kafkaBootstrap(), eduUrl, c.eduUser(), c.eduPassword(),
                    settings.sink().lmsJdbcUrl(), settings.sink().lmsUser(), settings.sink().lmsPassword(),
                    new LagReport.Groups(c.slotName(), settings.transform().applicationId(), settings.sink().groupId()),
                    Set.copyOf(EduToLmsTopology.OUTPUT_TABLES),
                    c.kafkaClient()),
                registry,
                Duration.ofSeconds(2),
                accountingInterval)
            .start();
    status = new StatusServer(host, port, monitor, registry, () -> readiness(notReadyAfter));
    return status;
  }

  /**
   * The readiness of each stage run in this process ({@link Readiness}); a stage stopped on
   * purpose ({@link #stopSink()}, {@link #stopTransform()}) has no check.
   *
   * @param bound how long a stage may be unable to progress before it is not ready
   */
  public Readiness readiness(Duration bound) {
    long now = System.nanoTime();
    List<Readiness.Check> checks = new ArrayList<>();
    EduCapture c = capture;
    if (c != null) {
      checks.add(Readiness.capture(c.failure(), c.disconnectedSinceNanos(), c.streaming(), now, bound));
    }
    TransformRunner t = transform;
    if (t != null) {
      checks.add(Readiness.transform(streamsFailure.get(), t.state(), t.stateSinceNanos(), now, bound));
    }
    LmsSink s = sink;
    if (s != null) {
      LmsSink.Progress p = s.progress();
      checks.add(Readiness.sink(s.failure(), p.roundAtNanos(), p.retryingSinceNanos(), now, bound));
    }
    return new Readiness(checks);
  }

  /**
   * The first stage failure, or {@code null} while every stage runs.
   */
  public Throwable failure() {
    if (capture != null && capture.failure() != null) {
      return new IllegalStateException("capture failed: " + capture.failure().getMessage(), capture.failure());
    }
    if (streamsFailure.get() != null) {
      return new IllegalStateException("transform failed: " + streamsFailure.get().getMessage(), streamsFailure.get());
    }
    if (sink != null && sink.failure() != null) {
      return new IllegalStateException("sink failed: " + sink.failure().getMessage(), sink.failure());
    }
    return null;
  }

  /**
   * One probe of the catch-up condition: the initial snapshot is complete, nothing Debezium has
   * read waits in the capture ({@link EduCapture#pendingInCapture}), the capture produced
   * no change event since the previous probe, the transform runs in live mode (its short commit
   * interval, {@link org.edu2lms.transform.CatchUpPolicy}), and the transform's and the sink's
   * consumer lag on the legacy data are both 0 over every partition they read, committed or not
   * (heartbeats not counted: {@link ConsumerLag}).
   */
  public boolean caughtUpProbe() throws ExecutionException, InterruptedException {
    long events = capture.eventsProduced();
    boolean quiet = events == lastEventCount;
    lastEventCount = events;
    TransformRunner t = transform;
    if (!capture.snapshotCompleted() || capture.pendingInCapture() != 0 || !quiet || t == null || sink == null || t.state() != KafkaStreams.State.RUNNING || t.mode() != Mode.LIVE) {
      return false;
    }
    return ConsumerLag.transformDataLag(admin, settings.transform().applicationId()) == 0
        && ConsumerLag.sinkDataLag(admin, settings.sink().groupId()) == 0;
  }

  /**
   * Waits until two probes in a row, {@code probeInterval} apart, find the pipeline caught up.
   *
   * @throws TimeoutException when it is not caught up within {@code timeout}
   * @throws IllegalStateException when a stage fails meanwhile
   */
  public Duration awaitCaughtUp(Duration timeout, Duration probeInterval) throws Exception {
    return awaitCaughtUp(timeout, probeInterval, null);
  }

  /**
   * As {@link #awaitCaughtUp(Duration, Duration)}, calling {@code progress} with a status line
   * (captured events, consumer lag per stage, LMS rows written) about every 5 s.
   */
  public Duration awaitCaughtUp(Duration timeout, Duration probeInterval, java.util.function.Consumer<String> progress)
      throws Exception {
    long start = System.nanoTime();
    long lastReport = start;
    int consecutive = 0;
    while (System.nanoTime() - start < timeout.toNanos()) {
      if (progress != null && System.nanoTime() - lastReport > 5_000_000_000L) {
        lastReport = System.nanoTime();
        progress.accept(String.format("%5.0f s  %s, LMS rows upserted=%,d", (lastReport - start) / 1e9, lagSummary(), sink == null ? 0 : sink.rowsUpserted()));
      }
      Throwable f = failure();
      if (f != null) {
        throw new IllegalStateException(f.getMessage(), f);
      }
      consecutive = caughtUpProbe() ? consecutive + 1 : 0;
      if (consecutive >= 2) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      Thread.sleep(probeInterval.toMillis());
    }
    throw new TimeoutException("pipeline not caught up after " + timeout.toSeconds() + " s: " + lagSummary());
  }

  /**
   * The transform's and the sink's consumer lag on legacy data summed (records), 0 when caught
   * up; a partition a group has not committed an offset for yet counts from its log start.
   *
   * @throws java.util.concurrent.ExecutionException when the broker cannot answer
   */
  public long consumerLag() throws ExecutionException, InterruptedException {
    return ConsumerLag.transformDataLag(admin, settings.transform().applicationId())
        + ConsumerLag.sinkDataLag(admin, settings.sink().groupId());
  }

  /** Consumer lag of the transform and the sink, for messages. */
  public String lagSummary() {
    try {
      return String.format(
          "snapshot %s, captured=%,d (%,d waiting in the capture), transform lag=%,d, sink lag=%,d",
          capture == null ? "not in this process" : capture.snapshotHeld() ? "held for the transform" : capture.snapshotCompleted() ? "done" : "running",
          capture == null ? 0 : capture.eventsProduced(),
          capture == null ? 0 : Math.max(0, capture.pendingInCapture()),
          ConsumerLag.transformDataLag(admin, settings.transform().applicationId()),
          ConsumerLag.sinkDataLag(admin, settings.sink().groupId()));
    } catch (Exception e) {
      return "lag unknown: " + e.getMessage();
    }
  }

  /** Counters of the stages, for progress lines. */
  public Map<String, Long> counters() {
    return Map.of(
        "captured", capture == null ? 0 : capture.eventsProduced(),
        "upserted", sink == null ? 0 : sink.rowsUpserted(),
        "deleted", sink == null ? 0 : sink.rowsDeleted(),
        "deadLetters", sink == null ? 0 : sink.deadLetters(),
        "retries", sink == null ? 0 : sink.retries());
  }

  /** Stops the status page, then capture, transform and sink, in that order. */
  @Override
  public void close() throws Exception {
    if (status != null) {
      status.close();
    }
    if (monitor != null) {
      monitor.close();
    }
    for (AutoCloseable b : binders) {
      b.close();
    }
    if (capture != null) {
      capture.close();
    }
    stopTransform();
    stopSink();
    admin.close();
    Metrics.removeRegistry(registry);
  }
}
