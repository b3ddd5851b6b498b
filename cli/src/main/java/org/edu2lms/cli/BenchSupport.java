package org.edu2lms.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.utils.AppInfoParser;
import org.edu2lms.cli.ops.KafkaTopics;
import org.edu2lms.generator.EduSchema;
import org.edu2lms.generator.Profile;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.sink.LmsCatalog;
import org.edu2lms.sink.LmsTable;

/** What the benchmark commands share: machine facts, LMS row counts, report files. */
final class BenchSupport {

  private BenchSupport() {}

  /** Cores, memory, JVM, its heap limit, its garbage collectors (by MXBean name) and its command-line options, for the report header. */
  static String machine() {
    long memory = 0;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      memory = os.getTotalMemorySize();
    }
    return String.format(
        "%d cores, %.1f GiB RAM, %s %s, JVM max heap %.1f GiB, garbage collectors %s, JVM options [%s]",
        Runtime.getRuntime().availableProcessors(),
        memory / (1024.0 * 1024 * 1024),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024),
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(java.lang.management.GarbageCollectorMXBean::getName)
            .collect(java.util.stream.Collectors.joining(" + ")),
        String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
  }

  /** {@code SHOW server_version} of the embedded server. */
  static String postgresVersion(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, EmbeddedPostgresServer.USER, "");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * Starts the embedded PostgreSQL under {@code <data-dir>/postgres}, creates the EDU schema and
   * generates EDU at {@code --scale} with {@code --seed}; puts {@code eduRows}, {@code postgres} and
   * {@code kafka} (the client library's version) into the report.
   *
   * @param step the progress prefix of the console line, e.g. {@code [1/3]}
   * @return the running server; the caller closes it
   * @throws Exception when the server cannot start or EDU cannot be generated (the server is then stopped)
   */
  static EmbeddedPostgresServer startWithGeneratedEdu(BenchOptions bench, Map<String, Object> report, java.io.PrintWriter out, String step)
      throws Exception {
    EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(bench.dataDir.resolve("postgres"));
    try {
      String eduUrl = pg.jdbcUrl("edu");
      EduSchema.migrate(eduUrl, EmbeddedPostgresServer.USER, "");
      out.printf("%s generating EDU at scale %s%n", step, bench.scale);
      out.flush();
      report.put("eduRows", GenerateCommand.generate(eduUrl, EmbeddedPostgresServer.USER, "", new Profile(bench.scale), bench.seed));
      report.put("postgres", postgresVersion(eduUrl));
      report.put("kafka", AppInfoParser.getVersion());
      return pg;
    } catch (Exception e) {
      pg.close();
      throw e;
    }
  }

  /** Rows per LMS table (catalog order) of one database. */
  static Map<String, Long> tableCounts(String url) throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(url, EmbeddedPostgresServer.USER, "");
        Statement st = c.createStatement()) {
      for (LmsTable t : LmsCatalog.TABLES) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t.name())) {
          rs.next();
          counts.put(t.name(), rs.getLong(1));
        }
      }
    }
    return counts;
  }

  /** Creates (or re-creates) an empty database on the embedded server. */
  static void recreateDatabase(EmbeddedPostgresServer pg, String db) throws SQLException {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), EmbeddedPostgresServer.USER, "");
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + db);
      st.execute("CREATE DATABASE " + db);
    }
  }

  /** Drops a database of the embedded server. */
  static void dropDatabase(EmbeddedPostgresServer pg, String db) throws SQLException {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), EmbeddedPostgresServer.USER, "");
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + db);
    }
  }

  /**
   * Writes {@code <dir>/<name>-<timestamp>.json} and {@code .md}.
   *
   * @return the path without extension
   */
  static Path write(Path dir, String name, Object json, String markdown) throws IOException {
    Files.createDirectories(dir);
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path base = dir.resolve(name + "-" + stamp);
    new ObjectMapper()
        .findAndRegisterModules()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve(name + "-" + stamp + ".json").toFile(), json);
    Files.writeString(dir.resolve(name + "-" + stamp + ".md"), markdown);
    return base;
  }

  /** Peak resident set size of this process so far (Linux {@code VmHWM}), in bytes; -1 elsewhere. */
  static long peakRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** CPU time used by this process so far (every thread), in seconds; -1 when unknown. */
  static double processCpuSeconds() {
    return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(-1.0);
  }

  /**
   * The machine's cumulative CPU counters (Linux {@code /proc/stat}, first line, in clock ticks):
   * {@code [busy, idle, steal, iowait]} where busy is user + nice + system + irq + softirq and idle
   * is idle + iowait; {@code null} elsewhere. Two readings give the share of the machine the run had
   * and how much a hypervisor took away (steal) or the cores spent idle with I/O outstanding
   * (iowait: fsyncs of the two PostgreSQL servers), which explain run-to-run noise.
   */
  static long[] machineCpuTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long user = Long.parseLong(f[1]);
      long nice = Long.parseLong(f[2]);
      long system = Long.parseLong(f[3]);
      long idle = Long.parseLong(f[4]);
      long iowait = Long.parseLong(f[5]);
      long irq = Long.parseLong(f[6]);
      long softirq = Long.parseLong(f[7]);
      long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
      return new long[] {user + nice + system + irq + softirq, idle + iowait, steal, iowait};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The machine's CPU use between two {@link #machineCpuTicks()} readings.
   *
   * @return {@code {"busyPercent": …, "stealPercent": …, "iowaitPercent": …}} of all cores' time,
   *     or an empty map
   */
  static java.util.Map<String, Double> machineCpuBetween(long[] before, long[] after) {
    if (before == null || after == null) {
      return java.util.Map.of();
    }
    double busy = after[0] - before[0];
    double idle = after[1] - before[1];
    double steal = after[2] - before[2];
    double total = busy + idle + steal;
    if (total <= 0) {
      return java.util.Map.of();
    }
    double iowait = after[3] - before[3];
    return java.util.Map.of("busyPercent", 100 * busy / total, "stealPercent", 100 * steal / total, "iowaitPercent", 100 * iowait / total);
  }

  /**
   * The records written to each topic of the cluster (Kafka's own internal topics aside): the
   * sum of its partitions' end offsets, largest first. With exactly-once every commit also writes
   * one transaction marker per partition it touched, so a topic's figure includes those.
   *
   * @param bootstrapServers the cluster
   * @return topic → records, in descending order
   * @throws Exception when the cluster cannot be asked (Admin client errors)
   */
  static Map<String, Long> recordsPerTopic(String bootstrapServers) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(false)).names().get();
      Map<String, Long> sums = new HashMap<>();
      KafkaTopics.endOffsets(admin, names).forEach((tp, offset) -> sums.merge(tp.topic(), offset, Long::sum));
      Map<String, Long> out = new LinkedHashMap<>();
      sums.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    }
  }
}
