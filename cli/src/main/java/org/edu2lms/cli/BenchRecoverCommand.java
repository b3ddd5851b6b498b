package org.edu2lms.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.edu2lms.cli.RecoveryReport.StageResult;
import org.edu2lms.cli.ops.ConsumerLag;
import org.edu2lms.cli.ops.KafkaTopics;
import org.edu2lms.cli.ops.LagReport;
import org.edu2lms.embedded.EmbeddedKafkaCluster;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.transform.TransformConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms bench recover}: recovery after {@code kill -9}, on the three-process deployment.
 * Embedded PostgreSQL and Kafka run in this process; capture, transform and sink each run as
 * {@code edu2lms run <stage>} in a JVM of its own with a data folder of its own. Once the initial
 * load is through, a steady workload ({@link LiveWorkload}) runs at {@code --rate}, and each stage
 * in turn is killed with SIGKILL, restarted {@code --down} later with the same data folder, and
 * timed from its restart: to its lag 0, to an LMS fresh within 1 s; the work it did twice is
 * counted; a stage process that ends without being killed is reported and the exit code is 1.
 * The columns are explained in docs/benchmarks/README.md §Recovery after kill -9.
 */
@Command(
    name = "recover",
    mixinStandardHelpOptions = true,
    description = "Kill -9 each stage of the three-process pipeline in turn under a steady workload; time its recovery.")
public final class BenchRecoverCommand implements Callable<Integer> {

  /** The stages, in the order they are killed. */
  static final List<String> STAGES = List.of("capture", "transform", "sink");

  private static final long PROBE_MS = 150;

  @Spec CommandSpec spec;

  @Mixin BenchOptions bench;

  @Option(names = "--rate", defaultValue = "100", description = "changes per second of the steady workload, during the whole run (default: ${DEFAULT-VALUE})")
  int rate;

  @Option(names = "--partitions", defaultValue = "3", description = "partitions of every topic (topics.partitions) (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--settle", defaultValue = "PT20S", description = "how long the workload runs before each kill, after the previous stage recovered (default: ${DEFAULT-VALUE})")
  Duration settle;

  @Option(names = "--down", defaultValue = "PT3S", description = "how long a killed stage stays down before its restart (default: ${DEFAULT-VALUE})")
  Duration down;

  @Option(names = "--timeout", defaultValue = "PT2M", description = "longest wait, after a restart, for lag 0 and freshness; a stage not back by then is reported as such (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(names = "--load-timeout", defaultValue = "PT30M", description = "longest wait for the initial load (default: ${DEFAULT-VALUE})")
  Duration loadTimeout;

  @Option(names = "--stage-heap", defaultValue = "512m", description = "-Xmx of each stage's JVM (default: ${DEFAULT-VALUE})")
  String stageHeap;

  @Option(
      names = "--stage-jar",
      paramLabel = "JAR",
      description = "run the three stages from this edu2lms.jar (e.g. an earlier build, to measure before and after a change) instead of this program's own")
  Path stageJar;

  /** The stage processes, and which of them ended without being killed. */
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final Set<String> exitedByItself = new LinkedHashSet<>();
  private final List<String> exits = new ArrayList<>();
  private final Map<String, Integer> starts = new java.util.HashMap<>();
  /** Freshness just before each kill, seconds: whether the stage was keeping up when it was killed. */
  private final Map<String, Double> freshnessAtKill = new LinkedHashMap<>();
  private String killed;
  private PrintWriter out;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    if (rate <= 0 || partitions <= 0) {
      throw new ParameterException(spec.commandLine(), "--rate and --partitions must be positive");
    }
    if (settle.isNegative() || down.isNegative() || timeout.isNegative() || timeout.isZero()) {
      throw new ParameterException(spec.commandLine(), "--settle and --down must be >= 0 and --timeout > 0");
    }
    if (stageJar != null && !Files.isRegularFile(stageJar)) {
      throw new ParameterException(spec.commandLine(), "--stage-jar " + stageJar + ": no such file");
    }
    bench.prepare(spec);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("benchmark", "recovery after kill -9");
    report.put("started", LocalDateTime.now().toString());
    report.put("machine", BenchSupport.machine());
    report.put("scale", bench.scale);
    report.put("ratePerSecond", rate);
    report.put("partitions", partitions);
    report.put("topology", "three processes");
    report.put("stageHeap", stageHeap);
    report.put("stageJar", stageJar == null ? "this program" : stageJar.toAbsolutePath().toString());
    report.put("settleSeconds", settle.toMillis() / 1e3);
    report.put("downSeconds", down.toMillis() / 1e3);
    report.put("timeoutSeconds", timeout.toSeconds());
    List<StageResult> rows = new ArrayList<>();
    try (EmbeddedPostgresServer pg = BenchSupport.startWithGeneratedEdu(bench, report, out, "[1/3]")) {
      String eduUrl = pg.jdbcUrl("edu");
      try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(bench.dataDir.resolve("kafka"));
          Admin admin = LagReport.admin(kafka.bootstrapServers(), "edu2lms-bench-recover")) {
        Path config = writeConfig(pg, kafka.bootstrapServers());
        // Ctrl-C: the stage JVMs are children, not threads; they would outlive the bench and its servers.
        Thread hook = new Thread(() -> processes.values().forEach(Process::destroyForcibly), "bench-recover-stop-stages");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
          out.println("[2/3] initial load, three processes");
          out.flush();
          long loadStart = System.nanoTime();
          for (String stage : List.of("sink", "transform", "capture")) {
            launch(stage, config);
          }
          awaitLoaded(admin, pg);
          report.put("initialLoadSeconds", (System.nanoTime() - loadStart) / 1e9);
          out.printf("[3/3] steady workload at %d changes/s; each stage killed with SIGKILL in turn%n", rate);
          out.flush();
          try (Connection edu = DriverManager.getConnection(eduUrl, EmbeddedPostgresServer.USER, "");
              Connection lms = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "");
              CaptureObserver observer = new CaptureObserver(kafka.bootstrapServers());
              SteadyWorkload workload = new SteadyWorkload(new LiveWorkload(edu, lms, bench.seed), rate)) {
            observer.start();
            workload.start();
            for (String stage : STAGES) {
              if (!exitedByItself.isEmpty()) {
                break;
              }
              rows.add(killAndRecover(stage, config, admin, lms, observer, workload));
            }
            report.put("achievedPerSecond", workload.achievedPerSecond());
          }
        } finally {
          stopAll();
          Runtime.getRuntime().removeShutdownHook(hook);
        }
      }
    }
    List<StageResult> results = rows.stream().map(r -> withExit(r, exitedByItself.contains(r.stage()))).toList();
    report.put("stages", results);
    report.put("freshnessAtKillSeconds", freshnessAtKill);
    report.put("exits", exits);
    boolean met = RecoveryReport.targetMet(results, STAGES.size());
    report.put("targetMet", met);
    out.println();
    out.print(RecoveryReport.console(results, timeout.toSeconds()));
    exits.forEach(e -> out.println("exited by itself: " + e));
    out.printf(
        "target (every stage at lag 0 within %.0f s of its restart, none exiting by itself): %s%n",
        RecoveryReport.TARGET_LAG_ZERO_SECONDS, met ? "met" : "NOT met");
    Path base = BenchSupport.write(bench.reportDir, "recover", report, markdown(report, results));
    out.printf("report: %s.json, %s.md%n", base, base);
    out.flush();
    return exitedByItself.isEmpty() ? 0 : 1;
  }

  private static StageResult withExit(StageResult r, boolean exited) {
    return new StageResult(r.stage(), r.lagZeroSeconds(), r.freshSeconds(), r.duplicateWork(), r.duplicateUnit(), exited);
  }

  /** The stages' configuration file: this bench's servers, {@code --partitions}, any free HTTP port. */
  private Path writeConfig(EmbeddedPostgresServer pg, String bootstrap) throws java.io.IOException {
    Path config = bench.dataDir.resolve("edu2lms.yaml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "kafka.bootstrap.servers: " + bootstrap,
            "topics.partitions: " + partitions,
            "http.port: 0",
            "capture:",
            "  edu: {host: localhost, port: " + pg.port() + ", database: edu, user: " + EmbeddedPostgresServer.USER + "}",
            "sink:",
            "  lms: {url: '" + pg.jdbcUrl("lms") + "', user: " + EmbeddedPostgresServer.USER + "}",
            ""));
    return config;
  }

  /**
   * Starts {@code edu2lms run <stage>} in its own JVM, data folder {@code stage-<stage>}, its log
   * (standard output) appended to {@code <stage>.log} after a line {@code ---- start <n>}, so a
   * restart keeps the log of the process it replaces.
   */
  private void launch(String stage, Path config) throws java.io.IOException {
    Path log = bench.dataDir.resolve(stage + ".log");
    Files.writeString(
        log, "---- start " + starts.merge(stage, 1, Integer::sum) + System.lineSeparator(), java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    processes.put(
        stage,
        Edu2LmsProcess.start(
            log, stageJar == null ? System.getProperty("java.class.path") : stageJar.toAbsolutePath().toString(), List.of("-Xmx" + stageHeap), Map.of(),
            "run", stage, "--config", config.toString(), "--data-dir", bench.dataDir.resolve("stage-" + stage).toString()));
  }

  /** Notes every stage process that has ended although the bench did not kill it. */
  private void checkExits() {
    processes.forEach((stage, p) -> {
      if (!stage.equals(killed) && !p.isAlive() && exitedByItself.add(stage)) {
        String line = String.format("%s (exit code %d; log %s)", stage, p.exitValue(), bench.dataDir.resolve(stage + ".log"));
        exits.add(line);
        out.println("      " + stage + " EXITED BY ITSELF: " + line);
        out.flush();
      }
    });
  }

  /** Waits until both groups' data lag is 0 on three probes in a row, a second apart, with grades in LMS. */
  private void awaitLoaded(Admin admin, EmbeddedPostgresServer pg) throws Exception {
    long deadline = System.nanoTime() + loadTimeout.toNanos();
    long lastReport = System.nanoTime();
    int inRow = 0;
    while (inRow < 3) {
      checkExits();
      if (!exitedByItself.isEmpty()) {
        throw new IllegalStateException("a stage exited during the initial load: " + String.join("; ", exits));
      }
      if (System.nanoTime() > deadline) {
        throw new java.util.concurrent.TimeoutException("initial load not through within " + loadTimeout);
      }
      long transformLag = lagOrMinusOne(() -> ConsumerLag.transformDataLag(admin, TransformConfig.DEFAULT_APPLICATION_ID));
      long sinkLag = lagOrMinusOne(() -> ConsumerLag.sinkDataLag(admin, SinkConfig.DEFAULT_GROUP_ID));
      long grades = gradeCount(pg);
      inRow = transformLag == 0 && sinkLag == 0 && grades > 0 ? inRow + 1 : 0;
      if (System.nanoTime() - lastReport > 10_000_000_000L) {
        lastReport = System.nanoTime();
        out.printf("      transform lag %,d, sink lag %,d, LMS grades %,d%n", transformLag, sinkLag, grades);
        out.flush();
      }
      Thread.sleep(1000);
    }
  }

  private interface LagProbe {
    long get() throws Exception;
  }

  /** The probe's figure, or -1 while the group or its topics do not exist yet. */
  private static long lagOrMinusOne(LagProbe probe) {
    try {
      return probe.get();
    } catch (Exception e) {
      return -1;
    }
  }

  private static long gradeCount(EmbeddedPostgresServer pg) {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM grades")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      return 0; // the sink has not created the schema yet
    }
  }

  /**
   * Lets the workload run {@code --settle}, kills the stage, restarts it {@code --down} later and
   * probes every {@value #PROBE_MS} ms until its lag is 0 and LMS is fresh within 1 s, or {@code
   * --timeout}.
   */
  private StageResult killAndRecover(
      String stage, Path config, Admin admin, Connection lms, CaptureObserver observer, SteadyWorkload workload) throws Exception {
    out.printf("      %s: settling %.0f s", stage, settle.toMillis() / 1e3);
    watch(settle, workload, observer);
    double freshAtKill = workload.freshnessSeconds(lms);
    freshnessAtKill.put(stage, freshAtKill);
    out.printf(" (freshness %.2f s); kill -9%n", freshAtKill);
    out.flush();
    String group = stage.equals("transform") ? TransformConfig.DEFAULT_APPLICATION_ID : SinkConfig.DEFAULT_GROUP_ID;
    Predicate<String> reads = stage.equals("transform") ? ConsumerLag.transformReads(group) : ConsumerLag.sinkReads();
    Map<TopicPartition, Long> endsAtKill = stage.equals("capture") ? Map.of() : endOffsets(admin, reads);
    long duplicatesBefore = observer.duplicates();
    Process p = processes.get(stage);
    killed = stage;
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
    Map<TopicPartition, OffsetAndMetadata> committedAtRestart =
        stage.equals("capture") ? Map.of() : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    watch(down, workload, observer);
    launch(stage, config);
    long restart = System.nanoTime();
    killed = null;
    Double lagZero = null;
    Double fresh = null;
    long deadline = restart + timeout.toNanos();
    while ((lagZero == null || fresh == null) && System.nanoTime() < deadline && exitedByItself.isEmpty()) {
      long probe = System.nanoTime();
      if (lagZero == null && lagIsZero(stage, admin, observer, workload)) {
        lagZero = (probe - restart) / 1e9;
      }
      if (fresh == null && workload.freshnessSeconds(lms) <= 1.0) {
        fresh = (probe - restart) / 1e9;
      }
      requireRunning(workload, observer);
      checkExits();
      Thread.sleep(Math.max(0, PROBE_MS - (System.nanoTime() - probe) / 1_000_000));
    }
    long duplicates =
        stage.equals("capture") ? observer.duplicates() - duplicatesBefore : RecoveryReport.reRead(endsAtKill, committedAtRestart);
    String unit = stage.equals("capture") ? "events produced twice" : "input records re-read at most";
    StageResult r = new StageResult(stage, lagZero, fresh, duplicates, unit, exitedByItself.contains(stage));
    out.printf(
        "      %s: restarted; lag 0 after %s, freshness <= 1 s after %s, %,d %s%n",
        stage, RecoveryReport.seconds(lagZero, timeout.toSeconds()), RecoveryReport.seconds(fresh, timeout.toSeconds()), duplicates, unit);
    out.flush();
    return r;
  }

  /**
   * Whether the stage's lag is 0 at this probe. Transform and sink: their consumer group's lag on
   * legacy data ({@link ConsumerLag}, heartbeats not counted). Capture: the newest change event in
   * Kafka was committed in EDU no earlier than the newest change the workload had completed when
   * the probe began, i.e. no EDU change waits to be captured.
   */
  private static boolean lagIsZero(String stage, Admin admin, CaptureObserver observer, SteadyWorkload workload) throws Exception {
    return switch (stage) {
      case "capture" -> {
        long issued = workload.lastIssuedMs();
        yield observer.newestCommitMs() >= issued;
      }
      case "transform" -> ConsumerLag.transformDataLag(admin, TransformConfig.DEFAULT_APPLICATION_ID) == 0;
      default -> ConsumerLag.sinkDataLag(admin, SinkConfig.DEFAULT_GROUP_ID) == 0;
    };
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, Predicate<String> reads) throws Exception {
    Set<String> topics = admin.listTopics().names().get().stream().filter(reads).collect(Collectors.toSet());
    return KafkaTopics.endOffsets(admin, topics);
  }

  /** Waits {@code d}, watching the stage processes, the writer and the observer. */
  private void watch(Duration d, SteadyWorkload workload, CaptureObserver observer) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      requireRunning(workload, observer);
      checkExits();
      Thread.sleep(Math.min(PROBE_MS, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
    }
  }

  /** The bench's own workload and observer must run; their failure is the bench's, not a stage's. */
  private static void requireRunning(SteadyWorkload workload, CaptureObserver observer) {
    if (workload.failure() != null) {
      throw new IllegalStateException("the workload writer failed: " + workload.failure().getMessage(), workload.failure());
    }
    if (observer.failure() != null) {
      throw new IllegalStateException("the capture observer failed: " + observer.failure().getMessage(), observer.failure());
    }
  }

  /** SIGTERM to every stage still running (a clean stop), then SIGKILL to any not gone after 30 s. */
  private void stopAll() throws InterruptedException {
    processes.values().forEach(Process::destroy);
    for (Process p : processes.values()) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private String markdown(Map<String, Object> r, List<StageResult> rows) {
    StringBuilder md = new StringBuilder();
    md.append("# Recovery benchmark ").append(r.get("started")).append("\n\n");
    md.append("Machine: ").append(r.get("machine")).append("; PostgreSQL ").append(r.get("postgres"))
        .append("; Kafka ").append(r.get("kafka")).append("; scale ").append(r.get("scale"))
        .append(" (").append(String.format("%,d", (Long) r.get("eduRows"))).append(" EDU rows); topology ").append(r.get("topology"))
        .append(" (each stage `edu2lms run <stage>` with -Xmx").append(r.get("stageHeap")).append("); ")
        .append(r.get("partitions")).append(" partitions per topic; workload ").append(r.get("ratePerSecond"))
        .append(" changes/s (").append(String.format("%.1f", (Double) r.getOrDefault("achievedPerSecond", 0.0)))
        .append(" achieved); settle ").append(r.get("settleSeconds")).append(" s before each kill, down ")
        .append(r.get("downSeconds")).append(" s, timeout ").append(r.get("timeoutSeconds")).append(" s per stage.\n\n");
    md.append(RecoveryReport.markdownTable(rows, timeout.toSeconds()));
    md.append("\nLag 0: transform and sink, their consumer group's lag on legacy data (heartbeats not counted);"
        + " capture, the newest change event in Kafka committed in EDU no earlier than the newest change the workload"
        + " had completed. Freshness: the age of the oldest workload change not yet in LMS. Duplicate work: capture,"
        + " change events produced a second time (same table, key and LSN); transform and sink, records re-read at most"
        + " (log end at the kill − offset committed at the restart; includes the backlog of a stage behind at the kill). See docs/benchmarks/README.md §Recovery after kill -9.\n");
    if (!exits.isEmpty()) {
      md.append("\nExited by itself:\n\n");
      exits.forEach(e -> md.append("- ").append(e).append('\n'));
    }
    md.append("\nTarget (every stage at lag 0 within 15 s of its restart, none exiting by itself): ")
        .append(Boolean.TRUE.equals(r.get("targetMet")) ? "met" : "not met").append(".\n");
    return md.toString();
  }
}
