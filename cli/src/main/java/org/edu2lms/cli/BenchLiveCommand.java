package org.edu2lms.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.record.CompressionType;
import org.edu2lms.capture.CaptureConfig;
import org.edu2lms.capture.EduCapture;
import org.edu2lms.embedded.EmbeddedKafkaCluster;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.cli.LiveWorkload.Target;
import org.edu2lms.schemas.LegacyIds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms bench live}: end-to-end latency of live changes once the pipeline has caught up.
 * A separate JDBC writer applies a steady mixed workload to EDU at each rate of {@code --rates}
 * for {@code --duration}: updates of journal_details (→ grades), journal (→ course_enrollments),
 * exam_result (→ assessment_submissions) and users, inserts of new journal_details rows (→ grades)
 * and deletes of the rows inserted earlier, one EDU transaction each. The latency of a change is
 * the commit time of the LMS row minus the commit time of the EDU row ({@code
 * pg_xact_commit_timestamp} of each row version, both on the same embedded server, so one clock);
 * deletes are applied and counted but not timed. The consumer lag of transform and sink is sampled
 * every second to tell whether it stayed flat.
 *
 * <p>The measured rates follow a warm-up ({@code --warmup}, 2 minutes by default) at the highest
 * numeric rate: right after the initial load the JIT compiler still takes a third of a core and
 * the p99 of the first 30 s at 1,000/s was 3–6 times that of the fourth (docs/benchmarks §Warm-up
 * and garbage collectors). The warm-up is reported too, marked, not dropped.
 */
@Command(
    name = "live",
    mixinStandardHelpOptions = true,
    description = "Measure live-sync latency (EDU commit → LMS commit) at steady change rates.")
public final class BenchLiveCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin BenchOptions bench;

  @Option(names = "--rates", defaultValue = "100,1000,max", split = ",", description = "changes per second, 'max' = as fast as one writer can (default: ${DEFAULT-VALUE})")
  List<String> rates;

  @Option(names = "--duration", defaultValue = "PT30S", description = "how long each rate runs (default: ${DEFAULT-VALUE})")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "PT2M",
      description =
          "how long the workload runs, at the highest numeric rate of --rates (1000 when there is none), before the measured"
              + " rates; reported apart as the warm-up; PT0S: none (default: ${DEFAULT-VALUE})")
  Duration warmup;

  @Option(names = "--timeout", defaultValue = "PT30M", description = "longest wait for catch-up (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Mixin CommitIntervalOptions intervals;

  @Mixin UpsertConnectionsOption upsert;

  @Mixin StreamThreadsOption threads;

  @Option(names = "--capture-poll-interval", description = "Debezium's poll.interval.ms for the capture, for an experiment (default: the pipeline's own, " + CaptureConfig.DEFAULT_POLL_INTERVAL_MS + " ms)")
  Duration capturePollInterval;

  @Option(
      names = "--capture-compression",
      description = "compression.type of the capture's producer, for an experiment: none, gzip, snappy, lz4 or zstd (default: the pipeline's own, " + EduCapture.COMPRESSION_TYPE + ")")
  String captureCompression;

  @Option(names = "--fetch-max-wait", description = "fetch.max.wait.ms of the transform's and the sink's consumers, for an experiment (default: the pipeline's own)")
  Duration fetchMaxWait;

  @Option(
      names = "--streams",
      paramLabel = "KEY=VALUE",
      description = "a Kafka Streams property of the transform, for an experiment (a streams.* pass-through; repeatable), e.g. --streams poll.ms=5")
  Map<String, String> streams = new java.util.LinkedHashMap<>();

  /** The figures of one rate. */
  record Step(
      String rate,
      long changes,
      double achievedPerSecond,
      long timed,
      double p50Ms,
      double p95Ms,
      double p99Ms,
      double maxMs,
      long lagMax,
      long lagAtEnd,
      double drainSeconds,
      double lagSlopePerSecond,
      boolean lagFlat,
      Map<String, Object> hops,
      Map<String, Object> byTable,
      List<String> slowest,
      double machineBusyPercent,
      double machineStealPercent,
      double machineIowaitPercent,
      double pipelineCores,
      GcWatch.Pauses gcPauses,
      TransformCommits.Window transformCommits,
      boolean warmUp) {

    /** Records the transform's producers sent per change written in the step; NaN when unknown. */
    double transformRecordsPerChange() {
      return achievedPerSecond > 0 ? transformCommits.recordsSentPerSecond() / achievedPerSecond : Double.NaN;
    }

    /** The rate as reports show it: "1000", "max", "1000 (warm-up)". */
    String label() {
      return warmUp ? rate + " (warm-up)" : rate;
    }
  }

  /** One timed change: the LMS row it must change and the EDU row it changed. */

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    for (String r : rates) {
      if (!r.equals("max") && !(r.matches("\\d+") && Integer.parseInt(r) > 0)) {
        throw new ParameterException(spec.commandLine(), "--rates takes positive integers or 'max', got " + r);
      }
    }
    List<String> compressions = java.util.Arrays.stream(CompressionType.values()).map(t -> t.name).toList();
    if (captureCompression != null && !compressions.contains(captureCompression)) {
      throw new ParameterException(
          spec.commandLine(),
          "--capture-compression takes " + String.join(", ", compressions.subList(0, compressions.size() - 1)) + " or "
              + compressions.get(compressions.size() - 1) + ", got " + captureCompression);
    }
    for (String key : streams.keySet()) {
      if (org.edu2lms.transform.TransformConfig.STREAMS_OWNED.contains(key)) {
        throw new ParameterException(spec.commandLine(), "--streams " + key + " is set by edu2lms and cannot be overridden");
      }
    }
    intervals.require(spec);
    int streamThreads = threads.require(spec);
    int upsertConnections = upsert.require(spec);
    if (duration.isNegative() || duration.isZero() || duration.toMinutes() > 30) {
      throw new ParameterException(spec.commandLine(), "--duration must be between 0 and 30 minutes, got " + duration);
    }
    if (warmup.isNegative() || warmup.toMinutes() > 30) {
      throw new ParameterException(spec.commandLine(), "--warmup must be between 0 and 30 minutes, got " + warmup);
    }
    bench.prepare(spec);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("benchmark", "live sync");
    report.put("started", LocalDateTime.now().toString());
    report.put("machine", BenchSupport.machine());
    report.put("scale", bench.scale);
    report.put("durationSeconds", duration.toSeconds());
    report.put("warmupSeconds", warmup.toSeconds());
    try (EmbeddedPostgresServer pg = BenchSupport.startWithGeneratedEdu(bench, report, out, "[1/3]")) {
      String eduUrl = pg.jdbcUrl("edu");
      try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(bench.dataDir.resolve("kafka"))) {
        Pipeline.Settings embedded =
            Pipeline.Settings.embedded(pg.port(), EmbeddedPostgresServer.USER, kafka.bootstrapServers(), bench.dataDir);
        org.edu2lms.transform.TransformConfig t = embedded.transform();
        Map<String, String> fetch =
            fetchMaxWait == null ? Map.of() : Map.of("fetch.max.wait.ms", Long.toString(fetchMaxWait.toMillis()));
        org.edu2lms.sink.SinkConfig k = embedded.sink().withUpsertConnections(upsertConnections);
        Pipeline.Settings settings =
            new Pipeline.Settings(
                withCaptureOverrides(embedded.capture(), capturePollInterval, captureCompression),
                intervals.apply(t, streamThreads, streamsOverrides(fetch, streams)),
                new org.edu2lms.sink.SinkConfig(
                    k.lmsJdbcUrl(), k.lmsUser(), k.lmsPassword(), k.kafkaBootstrap(), k.groupId(), k.maxPollRecords(), k.stageMethod(),
                    k.upsertConnections(), k.parkedGrace(), k.parkedRetryInterval(), k.retryMaxAttempts(), k.retryMaxBackoff(), fetch),
                embedded.partitions(),
                embedded.dataDir());
        report.put("transformCommitIntervalMs", settings.transform().commitIntervalMs());
        report.put("transformCatchUpCommitIntervalMs", settings.transform().catchUpCommitIntervalMs());
        report.put("sinkUpsertConnections", settings.sink().upsertConnections());
        report.put("streamThreads", settings.transform().streamThreads());
        report.put("consumerFetchMaxWaitMs", fetchMaxWait == null ? "default" : fetchMaxWait.toMillis());
        report.put("captureCompression", captureCompression == null ? EduCapture.COMPRESSION_TYPE : captureCompression);
        report.put("capturePollIntervalMs", Long.parseLong(settings.capture().debeziumProperties().getProperty("poll.interval.ms")));
        report.put("eduWriterSynchronousCommit", "on");
        report.put("streamsOverrides", new java.util.TreeMap<>(settings.transform().streams()));
        try (GcWatch gc = new GcWatch();
            Pipeline pipeline = new Pipeline(settings);
            Connection edu = DriverManager.getConnection(eduUrl, EmbeddedPostgresServer.USER, "");
            Connection lms = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "")) {
          out.println("[2/3] initial load");
          out.flush();
          pipeline.start();
          Duration load = pipeline.awaitCaughtUp(timeout, Duration.ofMillis(500), line -> {
            out.println("      " + line);
            out.flush();
          });
          int loadSwitches = pipeline.transformModeSwitches();
          report.put("initialLoadSeconds", load.toMillis() / 1e3);
          report.put("modeSwitchesDuringLoad", loadSwitches);
          out.println("[3/3] live changes");
          out.flush();
          LiveWorkload workload = new LiveWorkload(edu, lms, bench.seed);
          List<Step> steps = new ArrayList<>();
          List<String> plan = new ArrayList<>();
          if (!warmup.isZero()) {
            plan.add(warmupRate(rates));
          }
          plan.addAll(rates);
          for (int i = 0; i < plan.size(); i++) {
            boolean warmUp = i == 0 && !warmup.isZero();
            Step step = runStep(plan.get(i), warmUp ? warmup : duration, warmUp, workload, edu, lms, pipeline, settings, gc);
            steps.add(step);
            out.printf(
                "      rate %-5s: %,6d changes (%,.0f/s achieved), latency p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms;"
                    + " lag max %,d, %s (trend %+.1f records/s), drained in %.1f s; GC pauses %d, %d ms in all, longest %d ms;"
                    + " transform commits %.0f/s, %.1f ms on average, longest %.0f ms, %.1f records sent per change;"
                    + " machine busy %.0f %%, steal %.0f %%, iowait %.0f %%%n",
                step.label(), step.changes(), step.achievedPerSecond(), step.p50Ms(), step.p95Ms(), step.p99Ms(), step.maxMs(),
                step.lagMax(), step.lagFlat() ? "flat" : "GROWING", step.lagSlopePerSecond(), step.drainSeconds(),
                step.gcPauses().count(), step.gcPauses().totalMs(), step.gcPauses().longestMs(),
                step.transformCommits().perSecond(), step.transformCommits().latencyAvgMs(), step.transformCommits().latencyMaxMs(),
                step.transformRecordsPerChange(), step.machineBusyPercent(), step.machineStealPercent(), step.machineIowaitPercent());
            out.printf(
                "        journal_details changes, hop by hop (%s of %s traced; not traced: %s; keys read: %s): %s%n",
                step.hops().get("traced"), step.hops().get("of"), step.hops().get("notTracedAt"), step.hops().get("keysRead"), hopLine(step.hops()));
            out.flush();
          }
          report.put("steps", steps);
          report.put("modeSwitchesDuringLive", pipeline.transformModeSwitches() - loadSwitches);
        }
      }
    }
    @SuppressWarnings("unchecked")
    List<Step> steps = (List<Step>) report.get("steps");
    Path base = BenchSupport.write(bench.reportDir, "live", report, markdown(report, steps));
    out.printf("report: %s.json, %s.md%n", base, base);
    return 0;
  }

  /**
   * The rate of the warm-up: the highest numeric rate asked for, 1000 when only "max" is.
   *
   * @param rates the validated {@code --rates}
   */
  static String warmupRate(List<String> rates) {
    return rates.stream().filter(r -> !r.equals("max")).max(java.util.Comparator.comparingInt(Integer::parseInt)).orElse("1000");
  }

  private Step runStep(
      String rate,
      Duration duration,
      boolean warmUp,
      LiveWorkload workload,
      Connection edu,
      Connection lms,
      Pipeline pipeline,
      Pipeline.Settings settings,
      GcWatch gc)
      throws Exception {
    boolean max = rate.equals("max");
    long startMs = System.currentTimeMillis();
    double perSecond = max ? 0 : Integer.parseInt(rate);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long nextLagSample = start;
    long[] ticks0 = BenchSupport.machineCpuTicks();
    double cpu0 = BenchSupport.processCpuSeconds();
    gc.takePauses();
    TransformCommits.Mark commits0 = TransformCommits.mark(pipeline.registry());
    List<Long> lags = new ArrayList<>();
    Map<String, Target> timed = new LinkedHashMap<>();
    long changes = 0;
    while (System.nanoTime() < end) {
      if (!max) {
        long due = start + (long) (changes * 1e9 / perSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
      Target t = workload.next();
      if (t != null) {
        timed.put(t.lmsTable() + "/" + t.lmsId(), t);
      } else {
        timed.remove("grades/" + workload.lastDeleted);
      }
      changes++;
      if (System.nanoTime() >= nextLagSample) {
        lags.add(pipeline.consumerLag());
        nextLagSample += 1_000_000_000L;
      }
      Throwable f = pipeline.failure();
      if (f != null) {
        throw new IllegalStateException(f.getMessage(), f);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // CPU while the rate ran (not the drain): the whole machine, and this JVM (all stages and the broker).
    // Steal (a hypervisor running other guests) and iowait (the cores idle with I/O outstanding:
    // the fsyncs of both PostgreSQL servers) move latency between runs of one build.
    Map<String, Double> machineCpu = BenchSupport.machineCpuBetween(ticks0, BenchSupport.machineCpuTicks());
    double busy = machineCpu.getOrDefault("busyPercent", -1.0);
    double steal = machineCpu.getOrDefault("stealPercent", -1.0);
    double iowait = machineCpu.getOrDefault("iowaitPercent", -1.0);
    double cores = (BenchSupport.processCpuSeconds() - cpu0) / seconds;
    GcWatch.Pauses pauses = gc.takePauses();
    TransformCommits.Window commits = TransformCommits.since(pipeline.registry(), commits0, seconds);
    long writerEndMs = System.currentTimeMillis();
    // Every lag probe is a round of admin requests that the broker in this JVM answers while the
    // step's last changes are still in flight, so the probes are 500 ms apart (100 ms apart, a
    // cluster of those changes once waited ~100 ms in the commit hop: docs/benchmarks §Profile of
    // live sync, Kafka 4.1.2), and the drain time is read from the LMS commits, not the probes.
    pipeline.awaitCaughtUp(timeout, Duration.ofMillis(500));
    List<Timing> timings = timings(edu, lms, timed.values());
    double drain = Math.max(0, (timings.stream().mapToDouble(Timing::lmsMs).max().orElse(writerEndMs) - writerEndMs) / 1e3);
    double[] latencies = timings.stream().mapToDouble(Timing::latencyMs).sorted().toArray();
    List<HopTrace.Change> details =
        timings.stream()
            .filter(t -> t.target().eduTable().equals("journal_details"))
            .map(t -> new HopTrace.Change(t.target().eduId(), t.eduMs(), t.lmsStartMs(), t.lmsMs()))
            .toList();
    Map<String, Object> hops;
    try {
      hops = HopTrace.measure(settings.capture().kafkaBootstrap(), startMs, details);
    } catch (RuntimeException e) {
      // The trace explains the figure; it is not the figure: a failed trace is reported, not fatal.
      hops = Map.of("traced", 0, "of", details.size(), "error", String.valueOf(e));
    }
    // Per EDU table of the change, and the slowest changes named: a percentile over the whole
    // mix does not say which kind of change is slow.
    Map<String, Object> byTable = new java.util.TreeMap<>();
    timings.stream()
        .collect(java.util.stream.Collectors.groupingBy(t -> t.target().eduTable()))
        .forEach((table, ts) -> {
          double[] l = ts.stream().mapToDouble(Timing::latencyMs).sorted().toArray();
          byTable.put(table, Map.of("timed", l.length, "p50Ms", pct(l, 50), "p99Ms", pct(l, 99), "maxMs", l[l.length - 1]));
        });
    List<String> slowest =
        timings.stream()
            .sorted(java.util.Comparator.comparingDouble(Timing::latencyMs).reversed())
            .limit(5)
            .map(t -> String.format("%s %d → %s: %.0f ms, EDU commit %.1f s into the step",
                t.target().eduTable(), t.target().eduId(), t.target().lmsTable(), t.latencyMs(), (t.eduMs() - startMs) / 1e3))
            .toList();
    long lagMax = lags.stream().mapToLong(Long::longValue).max().orElse(0);
    long lagEnd = lags.isEmpty() ? 0 : lags.get(lags.size() - 1);
    double slope = lagSlope(lags);
    return new Step(
        rate,
        changes,
        changes / seconds,
        latencies.length,
        pct(latencies, 50),
        pct(latencies, 95),
        pct(latencies, 99),
        latencies.length == 0 ? 0 : latencies[latencies.length - 1],
        lagMax,
        lagEnd,
        drain,
        slope,
        lagFlat(slope, changes / seconds),
        hops,
        byTable,
        slowest,
        busy,
        steal,
        iowait,
        cores,
        pauses,
        commits,
        warmUp);
  }

  /**
   * The trend of the consumer lag over a step: the least-squares slope of the samples (one per
   * second) against their index.
   *
   * @param lags consumer lag samples, records, one per second
   * @return records per second the lag grew by (negative: shrank); 0 with fewer than two samples
   */
  static double lagSlope(List<Long> lags) {
    int n = lags.size();
    if (n < 2) {
      return 0;
    }
    double meanX = (n - 1) / 2.0;
    double meanY = lags.stream().mapToLong(Long::longValue).average().orElse(0);
    double num = 0;
    double den = 0;
    for (int i = 0; i < n; i++) {
      num += (i - meanX) * (lags.get(i) - meanY);
      den += (i - meanX) * (i - meanX);
    }
    return num / den;
  }

  /**
   * Whether the lag stayed flat: it grew by less than 1 % of the change rate per second, i.e.
   * the pipeline applied at least 99 % of what arrived. One lag sample a second jitters by a few
   * hundred records at 1,000/s (a sample falls before or after a commit), so comparing maxima of
   * parts of the run, as this bench did up to session 12, called a bounded lag growing about one
   * run in four; the trend over all samples does not.
   *
   * @param slope {@link #lagSlope}, records/s
   * @param ratePerSecond the changes per second achieved
   */
  static boolean lagFlat(double slope, double ratePerSecond) {
    return slope <= Math.max(0.01 * ratePerSecond, 1);
  }

  /** The p-th percentile of ascending values (nearest rank); 0 when empty. */
  static double pct(double[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  /** A timed change with the EDU commit and LMS commit times of its current row versions (epoch ms). */
  /**
   * @param eduMs the EDU commit of the change, epoch ms
   * @param lmsStartMs the start of the sink transaction that wrote the LMS row ({@code updated_at},
   *     the transaction's {@code now()}), epoch ms
   * @param lmsMs the LMS commit of that row version, epoch ms
   */
  record Timing(Target target, double eduMs, double lmsStartMs, double lmsMs) {
    /** LMS commit − EDU commit, ms. */
    double latencyMs() {
      return lmsMs - eduMs;
    }
  }

  /**
   * Per target: the EDU and LMS commit times of the current row versions. A target whose LMS row
   * is missing is an error (the pipeline has caught up, so it must be there).
   */
  private static List<Timing> timings(Connection edu, Connection lms, java.util.Collection<LiveWorkload.Target> targets)
      throws SQLException {
    Map<String, List<Target>> byEdu = new HashMap<>();
    targets.forEach(t -> byEdu.computeIfAbsent(t.eduTable(), k -> new ArrayList<>()).add(t));
    Map<Target, Double> eduMs = new HashMap<>();
    for (Map.Entry<String, List<Target>> e : byEdu.entrySet()) {
      try (PreparedStatement ps =
          edu.prepareStatement(
              "SELECT id, extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 FROM " + e.getKey() + " WHERE id = ANY (?)")) {
        ps.setArray(1, edu.createArrayOf("bigint", e.getValue().stream().map(Target::eduId).toArray()));
        Map<Long, Double> ms = new HashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ms.put(rs.getLong(1), rs.getDouble(2));
          }
        }
        e.getValue().forEach(t -> eduMs.put(t, ms.get(t.eduId())));
      }
    }
    Map<String, List<Target>> byLms = new HashMap<>();
    targets.forEach(t -> byLms.computeIfAbsent(t.lmsTable(), k -> new ArrayList<>()).add(t));
    List<Timing> out = new ArrayList<>();
    for (Map.Entry<String, List<Target>> e : byLms.entrySet()) {
      try (PreparedStatement ps =
          lms.prepareStatement(
              "SELECT id::text, extract(epoch FROM updated_at) * 1000, extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 FROM "
                  + e.getKey() + " WHERE id = ANY (?::uuid[])")) {
        ps.setArray(1, lms.createArrayOf("text", e.getValue().stream().map(Target::lmsId).toArray()));
        Map<String, double[]> ms = new HashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ms.put(rs.getString(1), new double[] {rs.getDouble(2), rs.getDouble(3)});
          }
        }
        for (Target t : e.getValue()) {
          double[] l = ms.get(t.lmsId());
          Double s = eduMs.get(t);
          if (l == null || s == null) {
            throw new IllegalStateException("changed row not found after catch-up: " + t);
          }
          out.add(new Timing(t, s, l[0], l[1]));
        }
      }
    }
    return out;
  }

  /** "hop p50/p95/p99 ms; …" of a step's hop trace. */
  @SuppressWarnings("unchecked")
  private static String hopLine(Map<String, Object> hops) {
    if (hops.containsKey("error")) {
      return "trace failed: " + hops.get("error");
    }
    StringBuilder b = new StringBuilder();
    for (String hop : HopTrace.HOPS) {
      Map<String, Double> p = (Map<String, Double>) hops.get(hop);
      b.append(b.length() == 0 ? "" : "; ").append(hop).append(String.format(" %.0f/%.0f/%.0f ms", p.get("p50Ms"), p.get("p95Ms"), p.get("p99Ms")));
    }
    return b.toString();
  }

  /**
   * The capture settings with the experiment's overrides: Debezium's {@code poll.interval.ms} (a
   * {@code debezium.*} pass-through) and the producer's {@code compression.type} (a {@code
   * kafka.*} pass-through); each null: unchanged.
   */
  private static CaptureConfig withCaptureOverrides(
      CaptureConfig c, Duration pollInterval, String compression) {
    Map<String, String> debezium = new java.util.HashMap<>(c.debezium());
    if (pollInterval != null) {
      debezium.put("poll.interval.ms", Long.toString(pollInterval.toMillis()));
    }
    Map<String, String> kafka = new java.util.HashMap<>(c.kafkaClient());
    if (compression != null) {
      kafka.put("compression.type", compression);
    }
    return new CaptureConfig(
        c.eduHost(), c.eduPort(), c.eduDatabase(), c.eduUser(), c.eduPassword(), c.kafkaBootstrap(), c.slotName(), c.publicationName(),
        c.offsetFile(), c.heartbeatInterval(), c.eduSslMode(), kafka, debezium, c.snapshotHeldTables());
  }

  /**
   * The bench's Kafka Streams overrides: the consumers' {@code fetch.max.wait.ms} when given, and
   * the {@code --streams} properties.
   */
  private static Map<String, String> streamsOverrides(Map<String, String> fetch, Map<String, String> given) {
    Map<String, String> streams = new java.util.HashMap<>(given);
    if (!fetch.isEmpty()) {
      streams.put("consumer.fetch.max.wait.ms", fetch.get("fetch.max.wait.ms"));
    }
    return Map.copyOf(streams);
  }

  private static String markdown(Map<String, Object> r, List<Step> steps) {
    StringBuilder md = new StringBuilder();
    md.append("# Live-sync benchmark ").append(r.get("started")).append("\n\n");
    md.append("Machine: ").append(r.get("machine")).append("; PostgreSQL ").append(r.get("postgres"))
        .append("; Kafka ").append(r.get("kafka")).append("; scale ").append(r.get("scale"))
        .append(" (").append(String.format("%,d", (Long) r.get("eduRows"))).append(" EDU rows); transform commit interval ")
        .append(r.get("transformCommitIntervalMs")).append(" ms (catch-up ").append(r.get("transformCatchUpCommitIntervalMs"))
        .append(" ms; initial load ").append(r.get("initialLoadSeconds")).append(" s with ").append(r.get("modeSwitchesDuringLoad"))
        .append(" mode switches, ").append(r.get("modeSwitchesDuringLive")).append(" during the live steps); capture poll interval ").append(r.get("capturePollIntervalMs"))
        .append(" ms; capture compression ").append(r.get("captureCompression"))
        .append("; stream threads ").append(r.get("streamThreads"))
        .append("; sink upsert connections ").append(r.getOrDefault("sinkUpsertConnections", 1))
        .append("; EDU writer synchronous_commit ").append(r.get("eduWriterSynchronousCommit")).append("; ")
        .append(r.get("durationSeconds")).append(" s per rate");
    Object warm = r.get("warmupSeconds");
    if (warm instanceof Long w && w > 0) {
      md.append(", after a warm-up of ").append(w).append(" s (the row marked warm-up: the JIT compiler and the caches still settling)");
    }
    md.append(".\n\n");
    md.append("Latency = LMS row commit − EDU row commit (`pg_xact_commit_timestamp`, one server clock). Transform commits:"
        + " Kafka Streams' own `commit-total` over the step (all stream threads) and `commit-latency-avg` / `-max` over its"
        + " metric window (the last 30–60 s); NaN when unknown. Records per change: what the stream threads' producers sent"
        + " (LMS outputs, changelogs, internal topics; Kafka's `record-send-total`) over the step, per change written."
        + " Machine busy / steal / iowait: `/proc/stat` over the step, shares of all cores' time; steal is the time a"
        + " hypervisor ran other guests while this one was ready, iowait the time the cores were idle with I/O outstanding"
        + " (the PostgreSQL servers' fsyncs); both move latency between runs of one build."
        + " Drain: from the writer's stop to the LMS commit of the step's last timed change.\n\n");
    md.append("| rate | changes | achieved/s | timed | p50 ms | p95 ms | p99 ms | max ms | lag max | lag at end | drain s | lag (trend, records/s) | machine busy / steal / iowait | pipeline JVM cores | GC pauses (n / ms in all / longest ms) | transform commits/s, ms avg / longest | transform records per change |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
    for (Step s : steps) {
      GcWatch.Pauses gc = s.gcPauses();
      TransformCommits.Window c = s.transformCommits();
      md.append(String.format(
          "| %s | %,d | %,.0f | %,d | %.0f | %.0f | %.0f | %.0f | %,d | %,d | %.1f | %s (%+.1f) | %.0f %% / %.0f %% / %.0f %% | %.2f | %d / %d / %d | %.0f, %.1f / %.0f | %.1f |%n",
          s.label(), s.changes(), s.achievedPerSecond(), s.timed(), s.p50Ms(), s.p95Ms(), s.p99Ms(), s.maxMs(),
          s.lagMax(), s.lagAtEnd(), s.drainSeconds(), s.lagFlat() ? "flat" : "growing", s.lagSlopePerSecond(), s.machineBusyPercent(), s.machineStealPercent(), s.machineIowaitPercent(),
          s.pipelineCores(), gc.count(), gc.totalMs(), gc.longestMs(), c.perSecond(), c.latencyAvgMs(), c.latencyMaxMs(), s.transformRecordsPerChange()));
    }
    md.append("\njournal_details changes hop by hop (record timestamps on the topics; see HopTrace), p50 / p95 / p99 ms:\n\n");
    md.append("| rate | traced | ").append(String.join(" | ", HopTrace.HOPS)).append(" |\n|---|---:|").append("---:|".repeat(HopTrace.HOPS.size())).append("\n");
    for (Step s : steps) {
      md.append("| ").append(s.label()).append(" | ").append(s.hops().get("traced")).append(" of ").append(s.hops().get("of"));
      if (s.hops().containsKey("error")) {
        md.append(" | trace failed: ").append(s.hops().get("error")).append(" |".repeat(HopTrace.HOPS.size() - 1)).append(" |\n");
        continue;
      }
      for (String hop : HopTrace.HOPS) {
        @SuppressWarnings("unchecked")
        Map<String, Double> p = (Map<String, Double>) s.hops().get(hop);
        md.append(String.format(" | %.0f / %.0f / %.0f", p.get("p50Ms"), p.get("p95Ms"), p.get("p99Ms")));
      }
      md.append(" |\n");
    }
    md.append("\nThe slowest traced journal_details changes of each rate, hop by hop (ms, in the order of the columns above):\n\n");
    for (Step s : steps) {
      if (s.hops().get("slowest") instanceof List<?> slow) {
        slow.forEach(line -> md.append("- ").append(s.label()).append(": ").append(line).append("\n"));
      }
    }
    md.append("\nLatency by the EDU table of the change, timed / p50 / p99 / max ms:\n\n");
    md.append("| rate | EDU table | timed | p50 ms | p99 ms | max ms |\n|---|---|---:|---:|---:|---:|\n");
    for (Step s : steps) {
      if (s.byTable() == null) {
        continue;
      }
      s.byTable().forEach((table, v) -> {
        @SuppressWarnings("unchecked")
        Map<String, Object> f = (Map<String, Object>) v;
        md.append(String.format("| %s | %s | %,d | %.0f | %.0f | %.0f |%n", s.label(), table, f.get("timed"), f.get("p50Ms"), f.get("p99Ms"), f.get("maxMs")));
      });
    }
    md.append("\nThe slowest changes of each rate:\n\n");
    for (Step s : steps) {
      if (s.slowest() != null) {
        s.slowest().forEach(line -> md.append("- ").append(s.label()).append(": ").append(line).append('\n'));
      }
    }
    return md.toString();
  }
}
