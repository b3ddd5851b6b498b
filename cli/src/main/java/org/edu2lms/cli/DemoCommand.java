package org.edu2lms.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import org.edu2lms.embedded.EmbeddedKafkaCluster;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.cli.ops.Accounting;
import org.edu2lms.cli.ops.StatusServer;
import org.edu2lms.generator.EduSchema;
import org.edu2lms.generator.Profile;
import org.edu2lms.transform.EduToLmsTopology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms demo}: the whole pipeline on embedded infrastructure. Starts PostgreSQL (edu,
 * lms) and Kafka, generates EDU, runs capture → transform → sink until caught up, applies a burst
 * of live changes and shows each arriving, then prints the accounting of mapping.md. Exit code 0
 * only when every line the pipeline produces balances and no row is quarantined as mapping_error.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run the whole pipeline on embedded PostgreSQL and Kafka and print the accounting.")
public final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--scale", defaultValue = "0.02", description = "EDU size as a multiple of the profile (default: ${DEFAULT-VALUE}, ≈ 78 k rows)")
  double scale;

  @Option(names = "--seed", defaultValue = "42", description = "generator seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--data-dir",
      defaultValue = "edu2lms-demo",
      description = "folder for the embedded servers' data and the log, emptied first; only a folder the demo or bench made (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--timeout", defaultValue = "PT10M", description = "how long to wait for catch-up, ISO-8601 (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Mixin HttpOptions http;

  @Option(names = "--burst", defaultValue = "10000", description = "changes of the mixed live workload applied at full speed after the live steps, to watch the lag rise and drain (default: ${DEFAULT-VALUE}; 0 = none)")
  int burst;

  @Option(names = "--keep-running", description = "after the accounting, keep the pipeline and the status page running until interrupted (Ctrl-C)")
  boolean keepRunning;

  /**
   * Waits for the initial load: on a terminal a progress bar of the change events captured (of the
   * EDU rows) with the stages' consumer lag and the LMS rows written; otherwise a line every 5 s.
   */
  private Duration awaitLoad(Pipeline pipeline, long eduRows, PrintWriter out) throws Exception {
    if (!Progress.terminal()) {
      return pipeline.awaitCaughtUp(
          timeout,
          Duration.ofMillis(500),
          line -> {
            out.println("      " + line);
            out.flush();
          });
    }
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "edu2lms-progress"));
    try (ProgressBar bar = Progress.bar("initial load", eduRows, " rows")) {
      ticker.scheduleAtFixedRate(
          () -> {
            Map<String, Long> c = pipeline.counters();
            bar.stepTo(Math.min(eduRows, c.get("captured")));
            bar.setExtraMessage(String.format(" LMS rows %,d; %s", c.get("upserted"), pipeline.lagSummary().replaceFirst("^snapshot \\w+, captured=[0-9,]+, ", "")));
          },
          0,
          1,
          TimeUnit.SECONDS);
      return pipeline.awaitCaughtUp(timeout, Duration.ofMillis(500));
    } finally {
      ticker.shutdownNow();
    }
  }

  /** The status page on --http-port; when the default port is taken, on a free one instead. */
  private StatusServer serveStatus(Pipeline pipeline, PrintWriter out) throws IOException {
    try {
      return pipeline.serveStatus(http.host, http.port, HttpOptions.accountingInterval(true));
    } catch (IOException e) {
      if (spec.commandLine().getParseResult().hasMatchedOption("--http-port") || http.port == 0) {
        throw e;
      }
      out.printf("      port %d is taken: %s; serving the status page on a free port%n", http.port, e.getMessage());
      return pipeline.serveStatus(http.host, 0, HttpOptions.accountingInterval(true));
    }
  }

  /**
   * Applies {@code --burst} changes of the mixed live workload at full speed (one EDU transaction
   * each), printing the consumer lag each second until the pipeline has caught up again.
   */
  private void burst(Pipeline pipeline, Connection edu, Connection lms, PrintWriter out) throws Exception {
    out.printf("      a burst of %,d changes (journal_details, journal, exam_result, users) at full speed%n", burst);
    out.flush();
    LiveWorkload workload = new LiveWorkload(edu, lms, seed);
    long b0 = System.nanoTime();
    long lastLine = b0;
    for (int i = 0; i < burst; i++) {
      workload.next();
      if (System.nanoTime() - lastLine > 1_000_000_000L) {
        lastLine = System.nanoTime();
        out.printf("      %5.1f s  %,d changes written; %s%n", (lastLine - b0) / 1e9, i + 1, pipeline.lagSummary());
        out.flush();
      }
    }
    double wrote = (System.nanoTime() - b0) / 1e9;
    out.printf("      %5.1f s  %,d changes written (%,.0f/s); %s%n", wrote, burst, burst / wrote, pipeline.lagSummary());
    out.flush();
    Duration drained =
        pipeline.awaitCaughtUp(
            timeout,
            Duration.ofMillis(200),
            line -> {
              out.println("      " + line);
              out.flush();
            });
    out.printf("      caught up %.1f s after the burst ended%n", drained.toMillis() / 1e3);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    http.validate(spec);
    if (burst < 0) {
      throw new ParameterException(spec.commandLine(), "--burst must be >= 0, got " + burst);
    }
    if (!(scale > 0) || scale > 2) {
      throw new ParameterException(spec.commandLine(), "--scale must be > 0 and <= 2 for the demo, got " + scale);
    }
    DataDirs.prepare(spec, "demo", dataDir);
    out.printf("edu2lms demo: scale %s, seed %d, data in %s (log: %s)%n", scale, seed, dataDir, dataDir.resolve(Logging.EMBEDDED_LOG_FILE));
    out.flush();
    long t0 = System.nanoTime();
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dataDir.resolve("postgres"))) {
      out.printf("[1/6] PostgreSQL %s started (databases edu, lms; wal_level=logical)%n", "embedded");
      String eduUrl = pg.jdbcUrl("edu");
      EduSchema.migrate(eduUrl, EmbeddedPostgresServer.USER, "");
      out.println("[2/6] generating EDU");
      out.flush();
      long gen0 = System.nanoTime();
      long rows = GenerateCommand.generate(eduUrl, EmbeddedPostgresServer.USER, "", new Profile(scale), seed);
      out.printf("      %,d rows in %.1f s%n", rows, (System.nanoTime() - gen0) / 1e9);
      try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(dataDir.resolve("kafka"))) {
        out.printf("[3/6] Kafka (KRaft, single node) started at %s%n", kafka.bootstrapServers());
        Pipeline.Settings settings =
            Pipeline.Settings.embedded(pg.port(), EmbeddedPostgresServer.USER, kafka.bootstrapServers(), dataDir);
        try (Pipeline pipeline = new Pipeline(settings);
            Connection edu = DriverManager.getConnection(eduUrl, EmbeddedPostgresServer.USER, "");
            Connection lms = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "")) {
          pipeline.start();
          StatusServer status = serveStatus(pipeline, out);
          out.printf("      status page: %s  (Prometheus metrics: /metrics)%n", http.url(status.port()));
          out.printf(
              "      consumer lag beside it: edu2lms lag %s%n",
              ConnectionOptions.describe(kafka.bootstrapServers(), eduUrl, pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER));
          out.println("[4/6] capture → transform → sink: initial snapshot");
          out.flush();
          Duration load = awaitLoad(pipeline, rows, out);
          Map<String, Long> c = pipeline.counters();
          out.printf(
              "      caught up in %.1f s: %,d change events captured, %,d LMS rows upserted%n",
              load.toMillis() / 1e3, c.get("captured"), c.get("upserted"));
          out.println("[5/6] live changes on EDU");
          for (LiveChanges.Step step : LiveChanges.plan(edu)) {
            long s0 = System.nanoTime();
            LiveChanges.apply(edu, step);
            boolean arrived = false;
            while (!arrived && System.nanoTime() - s0 < Duration.ofSeconds(60).toNanos()) {
              arrived = LiveChanges.arrived(lms, step);
              if (!arrived) {
                Thread.sleep(10);
              }
              if (pipeline.failure() != null) {
                throw new IllegalStateException(pipeline.failure().getMessage(), pipeline.failure());
              }
            }
            out.printf(
                "      %-70s %s%n",
                step.description(),
                arrived ? String.format("in LMS after %d ms", (System.nanoTime() - s0) / 1_000_000) : "NOT ARRIVED in 60 s");
            out.flush();
          }
          if (burst > 0) {
            burst(pipeline, edu, lms, out);
          }
          pipeline.awaitCaughtUp(timeout, Duration.ofMillis(500));
          out.println("[6/6] accounting (mapping.md): LMS rows + quarantined rows = expected");
          List<Accounting.Row> table = Accounting.compute(edu, lms, Set.copyOf(EduToLmsTopology.OUTPUT_TABLES));
          out.print(Accounting.format(table));
          out.println("quarantine by reason:");
          Accounting.reasons(lms).forEach((k, v) -> out.printf("  %-55s %,8d%n", k, v));
          out.println("data-quality notes on rows that are in LMS (mapping.md §Reason codes):");
          Accounting.notes(lms).forEach((k, v) -> out.printf("  %-55s %,8d%n", k, v));
          long mappingErrors = Accounting.reasons(lms).entrySet().stream()
              .filter(e -> e.getKey().endsWith("  mapping_error"))
              .mapToLong(Map.Entry::getValue)
              .sum();
          out.printf("mapping_error rows (a bug when not 0): %d%n", mappingErrors);
          Map<String, Long> sinkFigures = pipeline.counters();
          long parkedNow = Accounting.parkedRows(lms);
          long pendingDeletes = Accounting.pendingDeletes(lms);
          out.printf(
              "sink: %,d rows parked now, %,d deletes waiting for references, %,d records in the dead-letter topic %s, %,d batches retried after transient LMS errors%n",
              parkedNow, pendingDeletes, sinkFigures.get("deadLetters"), org.edu2lms.schemas.LmsTopics.DEAD_LETTER, sinkFigures.get("retries"));
          boolean balanced =
              mappingErrors == 0 && parkedNow == 0 && pendingDeletes == 0 && sinkFigures.get("deadLetters") == 0 && table.stream().filter(Accounting.Row::built).allMatch(Accounting.Row::balanced);
          long notBuilt = table.stream().filter(r -> !r.built()).count();
          out.printf(
              "%s: %d of %d accounting lines produced by the pipeline %s; %d not built yet (see issues). Total %.1f s.%n",
              balanced ? "BALANCED" : "NOT BALANCED",
              table.size() - notBuilt,
              table.size(),
              balanced ? "balance" : "do not all balance",
              notBuilt,
              (System.nanoTime() - t0) / 1e9);
          out.flush();
          if (keepRunning) {
            out.printf("running until interrupted (Ctrl-C); status page: %s%n", http.url(status.port()));
            out.flush();
            while (pipeline.failure() == null) {
              Thread.sleep(1000);
            }
            throw new IllegalStateException(pipeline.failure().getMessage(), pipeline.failure());
          }
          return balanced ? 0 : 1;
        }
      }
    }
  }
}
