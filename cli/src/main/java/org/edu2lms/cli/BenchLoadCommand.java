package org.edu2lms.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.utils.AppInfoParser;
import org.edu2lms.cli.ops.Accounting;
import org.edu2lms.cli.verify.Verifier;
import org.edu2lms.cli.verify.VerifyReport;
import org.edu2lms.embedded.EmbeddedKafkaCluster;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.generator.EduSchema;
import org.edu2lms.generator.Profile;
import org.edu2lms.sink.LmsCatalog;
import org.edu2lms.sink.LmsSchema;
import org.edu2lms.sink.LmsTable;
import org.edu2lms.transform.EduToLmsTopology;
import org.edu2lms.transform.TransformConfig;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms bench load}: the initial load against the machine's own limit, in one run. EDU is
 * generated at {@code --scale}, the whole pipeline loads an empty LMS until caught up and the
 * accounting balances; then the same final LMS rows are copied with plain {@code COPY … TO STDOUT
 * | COPY … FROM STDIN} into another empty LMS schema with the same constraints and indexes. The
 * headline figure is pipeline rows/s ÷ COPY rows/s. Peak heap (sum of the heap pools' peaks) and
 * peak RSS ({@code VmHWM}) are of this process, which runs every stage and the embedded Kafka
 * (PostgreSQL is a child process and not counted).
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = "Measure the initial load: the pipeline into an empty LMS vs plain COPY of the same rows.")
public final class BenchLoadCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin BenchOptions bench;

  @Option(names = "--timeout", defaultValue = "PT90M", description = "longest wait for the pipeline to catch up (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Mixin CommitIntervalOptions intervals;

  @Mixin UpsertConnectionsOption upsert;

  @Mixin StreamThreadsOption threads;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    intervals.require(spec);
    int streamThreads = threads.require(spec);
    int upsertConnections = upsert.require(spec);
    bench.prepare(spec);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("benchmark", "initial load");
    report.put("started", LocalDateTime.now().toString());
    report.put("machine", BenchSupport.machine());
    report.put("scale", bench.scale);
    report.put("seed", bench.seed);
    report.put("streamThreads", streamThreads);
    report.put("commitIntervalMs", intervals.commitInterval.toMillis());
    report.put("catchUpCommitIntervalMs", intervals.catchUpCommitInterval.toMillis());
    report.put("sinkUpsertConnections", upsertConnections);
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(bench.dataDir.resolve("postgres"))) {
      String eduUrl = pg.jdbcUrl("edu");
      EduSchema.migrate(eduUrl, EmbeddedPostgresServer.USER, "");
      out.printf("[1/4] generating EDU at scale %s%n", bench.scale);
      out.flush();
      long g0 = System.nanoTime();
      long eduRows = GenerateCommand.generate(eduUrl, EmbeddedPostgresServer.USER, "", new Profile(bench.scale), bench.seed);
      report.put("eduRows", eduRows);
      report.put("generateSeconds", (System.nanoTime() - g0) / 1e9);
      report.put("postgres", BenchSupport.postgresVersion(eduUrl));
      report.put("kafka", AppInfoParser.getVersion());
      AtomicLong peakHeap = new AtomicLong();
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
      resetHeapPeaks();
      GcWatch afterGc = new GcWatch();
      sampler.scheduleAtFixedRate(() -> peakHeap.accumulateAndGet(heapPeak(), Math::max), 1, 1, TimeUnit.SECONDS);
      try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(bench.dataDir.resolve("kafka"))) {
        Pipeline.Settings embedded =
            Pipeline.Settings.embedded(pg.port(), EmbeddedPostgresServer.USER, kafka.bootstrapServers(), bench.dataDir);
        TransformConfig t = embedded.transform();
        Pipeline.Settings settings =
            new Pipeline.Settings(
                embedded.capture(),
                intervals.apply(t, streamThreads, t.streams()),
                embedded.sink().withUpsertConnections(upsertConnections),
                embedded.partitions(),
                embedded.replicationFactor(),
                embedded.dataDir());
        out.println("[2/4] pipeline: initial load into an empty LMS");
        out.flush();
        Duration load;
        double cpu0 = BenchSupport.processCpuSeconds();
        long[] ticks0 = BenchSupport.machineCpuTicks();
        try (Pipeline pipeline = new Pipeline(settings)) {
          pipeline.start();
          load = pipeline.awaitCaughtUp(timeout, Duration.ofMillis(500), line -> {
            out.println("      " + line);
            out.flush();
          });
          report.put("transformModeSwitches", pipeline.transformModeSwitches());
        }
        sampler.shutdownNow();
        peakHeap.accumulateAndGet(heapPeak(), Math::max);
        afterGc.close();
        report.put("pipelineSeconds", load.toMillis() / 1e3);
        // CPU of this JVM (capture, transform, sink and the embedded broker; PostgreSQL runs in
        // its own processes) and of the whole machine during the load: wall time alone moves by a
        // third between identical runs on this shared machine.
        report.put("pipelineCpuSeconds", BenchSupport.processCpuSeconds() - cpu0);
        report.put("machineCpuDuringLoad", BenchSupport.machineCpuBetween(ticks0, BenchSupport.machineCpuTicks()));
        report.put("peakHeapBytes", peakHeap.get());
        report.put("peakHeapAfterGcBytes", afterGc.maxBytes());
        report.put("garbageCollections", afterGc.collections());
        report.put("peakRssBytes", BenchSupport.peakRssBytes());
        // Where the records went: every hop of the transform (subscription, response, changelog
        // and repartition topics) against the source and output topics.
        report.put("recordsPerTopic", BenchSupport.recordsPerTopic(kafka.bootstrapServers()));
        try (Connection edu = DriverManager.getConnection(eduUrl, EmbeddedPostgresServer.USER, "");
            Connection lms = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "")) {
          List<Accounting.Row> accounting = Accounting.compute(edu, lms, Set.copyOf(EduToLmsTopology.OUTPUT_TABLES));
          boolean balanced = accounting.stream().allMatch(Accounting.Row::balanced);
          report.put("accountingBalanced", balanced);
          out.printf("[3/4] accounting %s%n", balanced ? "balanced" : "NOT balanced");
          out.print(Accounting.format(accounting));
          out.println("      edu2lms verify: every LMS table recomputed from EDU through the mapping");
          out.flush();
          long v0 = System.nanoTime();
          VerifyReport verify = new Verifier(edu, lms, Verifier.DEFAULT_CHUNK_ROWS, c -> {}).run();
          report.put("verifySeconds", (System.nanoTime() - v0) / 1e9);
          report.put("verifyPassed", verify.passed());
          report.put("verifyProblems", verify.problems());
          out.printf("      verify %s in %.1f s (%,d EDU rows)%n", verify.passed() ? "PASSED" : "FAILED " + verify.problems(), (System.nanoTime() - v0) / 1e9, verify.eduRows());
        }
      }
      Map<String, Long> rows = BenchSupport.tableCounts(pg.jdbcUrl("lms"));
      long lmsRows = rows.values().stream().mapToLong(Long::longValue).sum();
      double pipelineRate = lmsRows / (double) report.get("pipelineSeconds");
      report.put("lmsRows", lmsRows);
      report.put("lmsRowsPerTable", rows);
      report.put("pipelineRowsPerSecond", pipelineRate);
      out.printf("[4/4] baseline: COPY of the same %,d LMS rows into an empty LMS schema%n", lmsRows);
      out.flush();
      double copySeconds = copyBaseline(pg);
      double copyRate = lmsRows / copySeconds;
      report.put("copySeconds", copySeconds);
      report.put("copyRowsPerSecond", copyRate);
      report.put("ratio", pipelineRate / copyRate);
      out.printf(
          "pipeline %,.0f LMS rows/s (%.1f s) vs COPY %,.0f rows/s (%.1f s): ratio %.4f; peak heap %.2f GiB (%.2f GiB after a collection), peak RSS %.2f GiB%n",
          pipelineRate, report.get("pipelineSeconds"), copyRate, copySeconds, pipelineRate / copyRate,
          peakHeap.get() / (1024.0 * 1024 * 1024), afterGc.maxBytes() / (1024.0 * 1024 * 1024),
          BenchSupport.peakRssBytes() / (1024.0 * 1024 * 1024));
      Path base = BenchSupport.write(bench.reportDir, "load", report, markdown(report));
      out.printf("report: %s.json, %s.md%n", base, base);
      return Boolean.TRUE.equals(report.get("accountingBalanced")) && Boolean.TRUE.equals(report.get("verifyPassed")) ? 0 : 1;
    }
  }

  /**
   * Copies every LMS table, parents first, from {@code lms} into a fresh database migrated with the
   * same Flyway scripts (same constraints and indexes), table by table through {@code COPY};
   * returns the seconds taken.
   */
  private static double copyBaseline(EmbeddedPostgresServer pg) throws Exception {
    String db = "lms_copy_baseline";
    BenchSupport.recreateDatabase(pg, db);
    LmsSchema.migrate(pg.jdbcUrl(db), EmbeddedPostgresServer.USER, "");
    long start = System.nanoTime();
    try (Connection src = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "");
        Connection dst = DriverManager.getConnection(pg.jdbcUrl(db), EmbeddedPostgresServer.USER, "")) {
      dst.setAutoCommit(false);
      for (LmsTable t : LmsCatalog.TABLES) {
        try (PGCopyInputStream in = new PGCopyInputStream(src.unwrap(PGConnection.class), "COPY " + t.name() + " TO STDOUT")) {
          dst.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + t.name() + " FROM STDIN", in);
        }
      }
      dst.commit();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Long> copied = BenchSupport.tableCounts(pg.jdbcUrl(db));
    if (!copied.equals(BenchSupport.tableCounts(pg.jdbcUrl("lms")))) {
      throw new IllegalStateException("the COPY baseline did not copy every row: " + copied);
    }
    BenchSupport.dropDatabase(pg, db);
    return seconds;
  }

  private static void resetHeapPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  /** Heap in use right now, and never less than the largest pool peak seen since the reset. */
  private static long heapPeak() {
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long sumOfPeaks = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        sumOfPeaks += pool.getPeakUsage().getUsed();
      }
    }
    // The sum of per-pool peaks bounds the true peak from above; the sampled use bounds it from below.
    return Math.max(used, Math.min(sumOfPeaks, Runtime.getRuntime().maxMemory()));
  }

  private static String markdown(Map<String, Object> r) {
    StringBuilder md = new StringBuilder();
    md.append("# Initial-load benchmark ").append(r.get("started")).append("\n\n");
    md.append("Machine: ").append(r.get("machine")).append("; PostgreSQL ").append(r.get("postgres"))
        .append("; Kafka ").append(r.get("kafka")).append("; stream threads ").append(r.get("streamThreads"))
        .append("; commit interval ").append(r.get("commitIntervalMs")).append(" ms, catch-up ").append(r.get("catchUpCommitIntervalMs"))
        .append(" ms (").append(r.get("transformModeSwitches")).append(" mode switches); sink upsert connections ")
        .append(r.getOrDefault("sinkUpsertConnections", 1)).append(".\n\n");
    md.append("| figure | value |\n|---|---:|\n");
    md.append(String.format("| scale / seed | %s / %s |%n", r.get("scale"), r.get("seed")));
    md.append(String.format("| EDU rows (generated in %.1f s) | %,d |%n", (Double) r.get("generateSeconds"), (Long) r.get("eduRows")));
    md.append(String.format("| LMS rows after the load | %,d |%n", (Long) r.get("lmsRows")));
    md.append(String.format("| pipeline: start to caught up | %.1f s |%n", (Double) r.get("pipelineSeconds")));
    md.append(String.format("| pipeline LMS rows/s | %,.0f |%n", (Double) r.get("pipelineRowsPerSecond")));
    md.append(String.format("| COPY of the same rows | %.1f s |%n", (Double) r.get("copySeconds")));
    md.append(String.format("| COPY rows/s | %,.0f |%n", (Double) r.get("copyRowsPerSecond")));
    md.append(String.format("| **ratio pipeline / COPY** | **%.4f** |%n", (Double) r.get("ratio")));
    md.append(String.format("| CPU of the pipeline JVM during the load (stages + Kafka, not PostgreSQL) | %.1f s |%n", (Double) r.get("pipelineCpuSeconds")));
    md.append(String.format("| machine during the load: busy / steal (of all cores) | %s |%n", cpuLine(r.get("machineCpuDuringLoad"))));
    md.append(String.format("| peak heap in use (all stages + Kafka; G1 lets it grow towards -Xmx before collecting) | %.2f GiB |%n", (Long) r.get("peakHeapBytes") / (1024.0 * 1024 * 1024)));
    if (r.containsKey("peakHeapAfterGcBytes")) {
      md.append(String.format("| largest heap in use right after a collection (%,d collections) | %.2f GiB |%n",
          (Long) r.get("garbageCollections"), (Long) r.get("peakHeapAfterGcBytes") / (1024.0 * 1024 * 1024)));
    }
    md.append(String.format("| peak RSS (same process) | %.2f GiB |%n", (Long) r.get("peakRssBytes") / (1024.0 * 1024 * 1024)));
    md.append(String.format("| accounting balanced | %s |%n", r.get("accountingBalanced")));
    md.append(String.format("| edu2lms verify (after the load) | %s in %.1f s |%n", Boolean.TRUE.equals(r.get("verifyPassed")) ? "passed" : "FAILED", (Double) r.get("verifySeconds")));
    md.append("\nLMS rows per table: ").append(r.get("lmsRowsPerTable")).append("\n");
    if (r.get("recordsPerTopic") instanceof Map<?, ?> topics && !topics.isEmpty()) {
      long total = topics.values().stream().mapToLong(v -> ((Number) v).longValue()).sum();
      md.append(String.format("%nRecords written per topic during the load (end offsets, transaction markers included): %,d in all%n%n", total));
      md.append("| topic | records |\n|---|---:|\n");
      topics.forEach((topic, n) -> md.append(String.format("| %s | %,d |%n", topic, ((Number) n).longValue())));
    }
    return md.toString();
  }

  private static String cpuLine(Object figures) {
    if (!(figures instanceof Map<?, ?> m) || m.isEmpty()) {
      return "unknown";
    }
    return String.format("%.0f %% / %.1f %%", (Double) m.get("busyPercent"), (Double) m.get("stealPercent"));
  }
}
