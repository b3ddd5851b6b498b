package org.edu2lms.cli;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.AppInfoParser;
import org.edu2lms.embedded.EmbeddedKafkaCluster;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.generator.EduSchema;
import org.edu2lms.generator.Profile;
import org.edu2lms.schemas.LmsTopics;
import org.edu2lms.schemas.Topic;
import org.edu2lms.sink.LmsCatalog;
import org.edu2lms.sink.LmsSchema;
import org.edu2lms.sink.LmsSink;
import org.edu2lms.sink.LmsTable;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.sink.StageMethod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms bench sink}: the sink's write path measured alone. Fills the lms.* topics once by
 * running the real pipeline on generated EDU (embedded PostgreSQL and Kafka), then replays those
 * topics into fresh, empty LMS databases (constraints on) with each of {@code --methods} ({@link
 * StageMethod}) and each of {@code --connections} ({@code sink.upsert.connections}), alternating,
 * {@code --repeat} times each. Reports wall time to a consumer lag of 0, rows/s
 * overall and per table (rows upserted ÷ time spent in that table's upserts, from the sink's
 * {@code edu2lms.sink.upsert} timer), as JSON and Markdown in {@code --report-dir}.
 */
@Command(
    name = "sink",
    mixinStandardHelpOptions = true,
    description = "Measure the sink alone: replay the lms.* topics into an empty LMS with each staging method and number of upsert connections.")
public final class BenchSinkCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin BenchOptions bench;

  @Option(names = "--repeat", defaultValue = "2", description = "runs per staging method, alternating (default: ${DEFAULT-VALUE})")
  int repeat;

  @Option(
      names = "--methods",
      defaultValue = "insert",
      split = ",",
      description = "staging methods to replay with, insert and/or copy (default: ${DEFAULT-VALUE})")
  List<String> methods;

  @Option(
      names = "--connections",
      defaultValue = "1,2",
      split = ",",
      description = "sink.upsert.connections values to replay with, each 1.." + SinkConfig.MAX_UPSERT_CONNECTIONS + " (default: ${DEFAULT-VALUE})")
  List<Integer> connections;

  @Option(names = "--timeout", defaultValue = "PT60M", description = "longest wait for the pipeline or one replay (default: ${DEFAULT-VALUE})")
  Duration timeout;

  /** One replay's figures. */
  record Run(
      String method,
      int connections,
      int repeat,
      double seconds,
      long rows,
      double rowsPerSecond,
      long batches,
      double batchMeanMs,
      double batchMaxMs,
      Map<String, TableFigures> tables) {}

  /** One table's figures in a replay. */
  record TableFigures(long rows, double upsertSeconds, double rowsPerUpsertSecond) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (repeat < 1 || repeat > 10) {
      throw new ParameterException(spec.commandLine(), "--repeat must be 1..10, got " + repeat);
    }
    List<StageMethod> stageMethods = new ArrayList<>();
    for (String m : methods) {
      try {
        stageMethods.add(StageMethod.valueOf(m.trim().toUpperCase(java.util.Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--methods takes insert and/or copy, got '" + m + "'");
      }
    }
    for (int n : connections) {
      if (n < 1 || n > SinkConfig.MAX_UPSERT_CONNECTIONS) {
        throw new ParameterException(spec.commandLine(), "--connections values must be 1.." + SinkConfig.MAX_UPSERT_CONNECTIONS + ", got " + n);
      }
    }
    bench.prepare(spec);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("benchmark", "sink");
    report.put("started", LocalDateTime.now().toString());
    report.put("machine", BenchSupport.machine());
    report.put("scale", bench.scale);
    report.put("seed", bench.seed);
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(bench.dataDir.resolve("postgres"))) {
      String eduUrl = pg.jdbcUrl("edu");
      EduSchema.migrate(eduUrl, EmbeddedPostgresServer.USER, "");
      out.printf("[1/3] generating EDU at scale %s%n", bench.scale);
      out.flush();
      long eduRows = GenerateCommand.generate(eduUrl, EmbeddedPostgresServer.USER, "", new Profile(bench.scale), bench.seed);
      report.put("eduRows", eduRows);
      report.put("postgres", BenchSupport.postgresVersion(pg.jdbcUrl("lms")));
      report.put("kafka", AppInfoParser.getVersion());
      try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(bench.dataDir.resolve("kafka"))) {
        Pipeline.Settings settings =
            Pipeline.Settings.embedded(pg.port(), EmbeddedPostgresServer.USER, kafka.bootstrapServers(), bench.dataDir);
        out.println("[2/3] filling the lms.* topics with the real pipeline");
        out.flush();
        try (Pipeline pipeline = new Pipeline(settings)) {
          pipeline.start();
          Duration load = pipeline.awaitCaughtUp(timeout, Duration.ofMillis(500), line -> {
            out.println("      " + line);
            out.flush();
          });
          report.put("pipelineCatchUpSeconds", load.toMillis() / 1e3);
        }
        Map<String, Long> expected = BenchSupport.tableCounts(pg.jdbcUrl("lms"));
        long lmsRows = expected.values().stream().mapToLong(Long::longValue).sum();
        report.put("lmsRows", lmsRows);
        report.put("lmsRowsPerTable", expected);
        out.printf("[3/3] replaying %,d LMS rows into empty databases, %d× per staging method and connections%n", lmsRows, repeat);
        out.flush();
        List<Run> runs = new ArrayList<>();
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(a)) {
          Map<TopicPartition, Long> ends = endOffsets(admin);
          for (int r = 1; r <= repeat; r++) {
            for (StageMethod method : stageMethods) {
              for (int n : connections) {
                Run run = replay(pg, admin, settings.sink().withUpsertConnections(n), method, r, ends, expected);
                runs.add(run);
                out.printf(
                    "      %-6s %d connection(s) #%d: %,9d rows in %6.1f s = %,8.0f rows/s; grades %,8.0f rows/s of upsert time%n",
                    method, n, r, run.rows(), run.seconds(), run.rowsPerSecond(),
                    run.tables().getOrDefault("grades", new TableFigures(0, 0, 0)).rowsPerUpsertSecond());
                out.flush();
              }
            }
          }
        }
        report.put("runs", runs);
        Path base = write(report, runs);
        out.printf("report: %s.json, %s.md%n", base, base);
        return 0;
      }
    }
  }

  private Run replay(
      EmbeddedPostgresServer pg,
      Admin admin,
      SinkConfig base,
      StageMethod method,
      int r,
      Map<TopicPartition, Long> ends,
      Map<String, Long> expected)
      throws Exception {
    String db = "lms_bench_" + method.name().toLowerCase() + "_" + base.upsertConnections() + "_" + r;
    BenchSupport.recreateDatabase(pg, db);
    LmsSchema.migrate(pg.jdbcUrl(db), EmbeddedPostgresServer.USER, "");
    SinkConfig config =
        base.withLmsJdbcUrl(pg.jdbcUrl(db)).withGroupId("edu2lms-bench-" + db + "-" + System.nanoTime()).withStageMethod(method);
    LmsSink sink = new LmsSink(config);
    long start = System.nanoTime();
    sink.start();
    try {
      while (!caughtUp(admin, config.groupId(), ends)) {
        if (sink.failure() != null) {
          throw new IllegalStateException("sink failed: " + sink.failure().getMessage(), sink.failure());
        }
        if (System.nanoTime() - start > timeout.toNanos()) {
          throw new IllegalStateException("replay into " + db + " not done after " + timeout);
        }
        Thread.sleep(100);
      }
    } finally {
      sink.close();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Long> landed = BenchSupport.tableCounts(pg.jdbcUrl(db));
    if (!landed.equals(expected)) {
      throw new IllegalStateException("replay into " + db + " differs from the pipeline's LMS: " + landed + " vs " + expected);
    }
    MeterRegistry m = sink.registry();
    Map<String, TableFigures> tables = new LinkedHashMap<>();
    for (LmsTable t : LmsCatalog.TABLES) {
      Counter rows = m.find("edu2lms.sink.rows.upserted").tag("table", t.name()).counter();
      Timer time = m.find("edu2lms.sink.upsert").tag("table", t.name()).timer();
      long n = rows == null ? 0 : (long) rows.count();
      double s = time == null ? 0 : time.totalTime(TimeUnit.SECONDS);
      tables.put(t.name(), new TableFigures(n, s, s > 0 ? n / s : 0));
    }
    Timer batch = m.find("edu2lms.sink.batch").timer();
    long rows = sink.rowsUpserted();
    BenchSupport.dropDatabase(pg, db);
    return new Run(
        method.name(),
        config.upsertConnections(),
        r,
        seconds,
        rows,
        rows / seconds,
        batch.count(),
        batch.mean(TimeUnit.MILLISECONDS),
        batch.max(TimeUnit.MILLISECONDS),
        tables);
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (Topic<String, ?> t : LmsTopics.ALL) {
      admin.describeTopics(List.of(t.name())).allTopicNames().get().get(t.name()).partitions()
          .forEach(p -> latest.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest()));
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  /** True when the group's committed offset has reached the end on every partition. */
  private static boolean caughtUp(Admin admin, String group, Map<TopicPartition, Long> ends) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (e.getValue() == 0) {
        continue;
      }
      OffsetAndMetadata o = committed.get(e.getKey());
      if (o == null || o.offset() < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private Path write(Map<String, Object> report, List<Run> runs) throws Exception {
    StringBuilder md = new StringBuilder();
    md.append("# Sink benchmark ").append(report.get("started")).append("\n\n");
    md.append("`edu2lms bench sink --scale ").append(bench.scale).append(" --repeat ").append(repeat)
        .append(" --methods ").append(String.join(",", methods)).append(" --connections ")
        .append(connections.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","))).append("`: the lms.* topics filled by the real pipeline")
        .append(" from ").append(String.format("%,d", (Long) report.get("eduRows"))).append(" generated EDU rows, then replayed by the sink alone into empty LMS databases")
        .append(" (all constraints on), once per run. Rows/s of a table = its rows ÷ the time spent in its upserts (staging + set-based upsert; with more than one upsert connection the parts' times add up, so it understates the rate).\n\n");
    md.append("Machine: ").append(report.get("machine")).append("; PostgreSQL ").append(report.get("postgres"))
        .append("; Kafka ").append(report.get("kafka")).append(".\n\n");
    md.append("| method | upsert connections | run | LMS rows | wall s | rows/s | batches | batch mean ms | batch max ms | grades rows/s of upsert time | users rows/s | course_enrollments rows/s |\n");
    md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Run r : runs) {
      md.append(String.format(
          "| %s | %d | %d | %,d | %.1f | %,.0f | %d | %.0f | %.0f | %,.0f | %,.0f | %,.0f |%n",
          r.method(), r.connections(), r.repeat(), r.rows(), r.seconds(), r.rowsPerSecond(), r.batches(), r.batchMeanMs(), r.batchMaxMs(),
          fig(r, "grades"), fig(r, "users"), fig(r, "course_enrollments")));
    }
    md.append("\nPipeline catch-up that filled the topics: ").append(report.get("pipelineCatchUpSeconds")).append(" s.\n");
    return BenchSupport.write(bench.reportDir, "sink", report, md.toString());
  }

  private static double fig(Run r, String table) {
    TableFigures f = r.tables().get(table);
    return f == null ? 0 : f.rowsPerUpsertSecond();
  }
}
