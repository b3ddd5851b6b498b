package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.edu2lms.cli.ops.Accounting;
import org.edu2lms.cli.ops.ConsumerLag;
import org.edu2lms.cli.ops.CutoverCheck;
import org.edu2lms.cli.ops.LagReport;
import org.edu2lms.cli.ops.StatusJson;
import org.edu2lms.cli.ops.StatusServer;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.transform.EduToLmsTopology;
import org.edu2lms.transform.TransformConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import picocli.CommandLine;

/**
 * Issue "See the sync" on the real chain: lag against a known backlog (the transform stopped, N
 * change events; the sink stopped, a backlog of LMS records), agreement with Kafka's own view of
 * the consumer groups, the heartbeat freshness growing while the sink is stopped and recovering,
 * {@code /metrics} in Prometheus text format with the named series, and the status page in
 * headless Chromium showing the accounting and the same lag as {@code edu2lms lag --json}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {

  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  @TempDir static Path dataDir;

  private static TestInfrastructure.Postgres pg;
  private static TestInfrastructure.Kafka kafka;
  private static Pipeline pipeline;
  private static StatusServer status;
  private static Connection edu;
  private static Connection lms;
  private static Admin admin;
  private static final LagReport.Groups GROUPS =
      new LagReport.Groups("edu2lms", TransformConfig.DEFAULT_APPLICATION_ID, SinkConfig.DEFAULT_GROUP_ID);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = StatusJson.mapper();

  @BeforeAll
  static void startAndLoad() throws Exception {
    pg = TestInfrastructure.postgres(dataDir.resolve("postgres"));
    edu = TestInfrastructure.generatedEdu(pg, 0.002, 5);
    kafka = TestInfrastructure.kafka(dataDir.resolve("kafka"));
    pipeline = new Pipeline(Pipeline.Settings.embedded(pg.host(), pg.port(), EmbeddedPostgresServer.USER, kafka.bootstrapServers(), dataDir));
    pipeline.start();
    status = pipeline.serveStatus("127.0.0.1", 0, Duration.ofSeconds(10));
    lms = DriverManager.getConnection(pg.jdbcUrl("lms"), EmbeddedPostgresServer.USER, "");
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    admin = Admin.create(p);
    pipeline.awaitCaughtUp(Duration.ofMinutes(5), Duration.ofMillis(300));
    // The suite's precondition is a complete initial load. In 2 of ~8 CI runs (session 14 and
    // 15) awaitCaughtUp returned while grades were still landing; the second test then stopped
    // the sink with grades in flight and every later test failed. The probe now also waits for
    // Debezium's queue (EduCapture.pendingInCapture), the likely gap; the accounting itself is
    // this suite's precondition either way.
    await("every accounting line balanced after the initial load")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> Accounting.compute(edu, lms, Set.copyOf(EduToLmsTopology.OUTPUT_TABLES)).stream().allMatch(Accounting.Row::balanced));
  }

  @AfterAll
  static void stop() throws Exception {
    TestInfrastructure.closeAll(admin, pipeline, lms, edu, kafka, pg);
  }

  private static LagReport report() throws InterruptedException {
    return LagReport.take(admin, edu, lms, GROUPS);
  }

  @Test
  @Order(1)
  void aTransformBacklogOfNChangeEventsIsLagNOnItsPartitionAgreesWithKafkaAndDrains() throws Exception {
    await().atMost(Duration.ofSeconds(30)).until(() -> report().freshness().seconds() != null);
    LagReport before = report();
    assertThat(before.capture().slotExists()).isTrue();
    assertThat(before.capture().slotActive()).isTrue();
    assertThat(before.capture().lastEventAgeSeconds()).isLessThan(10.0);
    assertThat(before.transform().perTable()).containsEntry("users", 0L);

    pipeline.stopTransform();
    try {
      int n = 10;
      try (Statement st = edu.createStatement()) {
        // One UPDATE of 10 rows: 10 change events on edu.public.users, one partition.
        assertThat(st.executeUpdate("UPDATE users SET update_date = 'lag test' WHERE id IN (SELECT id FROM users ORDER BY id LIMIT " + n + ")"))
            .isEqualTo(n);
      }
      await("transform lag on edu.public.users-0 = " + n)
          .atMost(Duration.ofSeconds(30))
          .until(() -> report().transform().perPartition().get("edu.public.users-0"), lag -> lag == n);
      LagReport backlog = report();
      assertThat(backlog.transform().perTable()).containsEntry("users", (long) n);
      assertThat(withoutHeartbeats(backlog.transform().perPartition()))
          .as("the lag the tool reports is what Kafka's consumer API reports for the group")
          .isEqualTo(withoutHeartbeats(lagSeenByAConsumer(GROUPS.transformGroup(), backlog.transform().perPartition().keySet())));
    } finally {
      restartAndAwaitCaughtUp(Pipeline.Stage.TRANSFORM);
    }
    assertThat(report().transform().perTable()).containsEntry("users", 0L);
  }

  @Test
  @Order(2)
  void aStoppedSinkShowsItsBacklogAndAStaleFreshnessAsLagJsonDoesThenRecovers() throws Exception {
    int n = 10;
    pipeline.stopSink();
    try {
      long usersLag = awaitSinkBacklogOfUsers("lag-", n);
      // Freshness: no heartbeat reaches LMS while the sink is stopped, so it only grows.
      await("freshness grows past 3 s").atMost(Duration.ofSeconds(30)).until(() -> report().freshness().seconds() > 3.0);

      // `edu2lms lag --json`, run as an operator would, agrees with the report on the backlog.
      JsonNode lagJson = JSON.readTree(runLag("--json"));
      assertThat(lagJson.at("/sink/perTable/users").asLong()).isEqualTo(usersLag);
      assertThat(lagJson.at("/capture/slotExists").asBoolean()).isTrue();
      assertThat(lagJson.at("/freshness/seconds").asDouble()).isGreaterThan(3.0);
      assertThat(runLag()).contains("consumer lag, group " + GROUPS.sinkGroup()).contains("freshness");
    } finally {
      restartAndAwaitCaughtUp(Pipeline.Stage.SINK);
    }
    assertThat(report().sink().perTable()).containsEntry("users", 0L);
    await("freshness recovers").atMost(Duration.ofSeconds(30)).until(() -> report().freshness().seconds() < 3.0);
    assertThat(count(lms, "SELECT count(*) FROM users WHERE username LIKE 'lag-%'")).isEqualTo(n);
  }

  /**
   * The status page in headless Chromium. Skipped, before it stops anything, where Debian's
   * chromium and chromium-driver are missing, except under CI ({@code CI} set), where they are
   * required.
   */
  @Test
  @Order(3)
  void theStatusPageShowsTheSinkBacklogAndTheBalancedAccountingInChromium() throws Exception {
    boolean installed = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
    if (System.getenv("CI") == null) {
      Assumptions.assumeTrue(installed, "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
    }
    assertThat(installed).as(CHROMIUM + " and " + CHROMEDRIVER + " (Debian packages chromium, chromium-driver)").isTrue();
    int n = 10;
    pipeline.stopSink();
    try {
      // Only the sink writes LMS, so an accounting counted from now on is the final one of this
      // test; the status page's is counted every 10 s and may still be an earlier one.
      Instant sinkStopped = Instant.now();
      long usersLag = awaitSinkBacklogOfUsers("page-", n);
      checkStatusPageInChromium(usersLag, sinkStopped);
    } finally {
      restartAndAwaitCaughtUp(Pipeline.Stage.SINK);
    }
    assertThat(count(lms, "SELECT count(*) FROM users WHERE username LIKE 'page-%'")).isEqualTo(n);
  }

  @Test
  @Order(4)
  void metricsAreInPrometheusTextFormatAndCarryTheNamedSeries() throws Exception {
    // The monitor has polled since the last lag change (it polls every 2 s).
    await().atMost(Duration.ofSeconds(30))
        .until(() -> get("/metrics").contains("edu2lms_consumer_lag_records{stage=\"sink\",table=\"users\"} 0.0"));
    String text = get("/metrics");
    Pattern sample = Pattern.compile("^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?$");
    Pattern meta = Pattern.compile("^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$");
    Map<String, String> types = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        assertThat(line).matches(meta);
        if (line.startsWith("# TYPE ")) {
          String[] parts = line.split(" ");
          types.put(parts[2], parts[3]);
        }
      } else if (!line.isEmpty()) {
        assertThat(line).matches(sample);
      }
    }
    assertThat(types)
        .containsEntry("edu2lms_capture_events_total", "counter")
        .containsEntry("edu2lms_sink_rows_upserted_total", "counter")
        .containsEntry("edu2lms_consumer_lag_records", "gauge")
        .containsEntry("edu2lms_capture_slot_lag_bytes", "gauge")
        .containsEntry("edu2lms_freshness_seconds", "gauge")
        .containsEntry("edu2lms_sink_batch_seconds", "histogram")
        .containsEntry("edu2lms_quarantine_rows", "gauge")
        .containsEntry("jvm_memory_used_bytes", "gauge");
    assertThat(text)
        .containsPattern("(?m)^edu2lms_capture_events_total\\{table=\"users\"\\} [1-9]")
        .containsPattern("(?m)^edu2lms_sink_rows_upserted_total\\{table=\"users\"\\} [1-9]")
        .containsPattern("(?m)^edu2lms_consumer_lag_records\\{stage=\"transform\",table=\"users\"\\} 0.0$")
        .containsPattern("(?m)^edu2lms_transform_events_total\\{table=\"users\"\\} [1-9]")
        .containsPattern("(?m)^edu2lms_sink_batch_seconds_bucket\\{le=\"")
        // a small load stays in live mode: the live commit interval, no switch
        .containsPattern("(?m)^edu2lms_transform_commit_interval_milliseconds " + TransformConfig.DEFAULT_COMMIT_INTERVAL_MS + ".0$")
        .containsPattern("(?m)^edu2lms_transform_mode_switches_total 0.0$");
    // Every series the Grafana dashboard of docker-compose queries is one this process exports
    // (counters registered at their first event, deletes and dead letters, may not exist yet).
    com.fasterxml.jackson.databind.JsonNode dashboard =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.nio.file.Path.of("..", "docker", "grafana", "dashboards", "edu2lms.json").toFile());
    Set<String> queried = new java.util.TreeSet<>();
    for (com.fasterxml.jackson.databind.JsonNode panel : dashboard.get("panels")) {
      for (com.fasterxml.jackson.databind.JsonNode target : panel.path("targets")) {
        java.util.regex.Matcher m = Pattern.compile("\\b(edu2lms_[a-z_]+|jvm_[a-z_]+)").matcher(target.path("expr").asText());
        while (m.find()) {
          queried.add(m.group(1));
        }
      }
    }
    assertThat(queried).hasSizeGreaterThan(10);
    for (String name : queried) {
      String family = name.endsWith("_bucket") ? name.substring(0, name.length() - "_bucket".length()) : name;
      if (!Set.of("edu2lms_sink_rows_deleted_total", "edu2lms_sink_dead_letters_total").contains(name)) {
        assertThat(types).as("dashboard series " + name).containsKey(family);
      }
    }
  }

  @Test
  @Order(5)
  void cutoverCheckTurnsReadyOnceVerifiedAndAcknowledgedThenNotReadyWhenTheSinkStopsAndReadyAgainWhenItDrains() throws Exception {
    pipeline.awaitCaughtUp(Duration.ofMinutes(2), Duration.ofMillis(300));
    String before = edu2lms(1, "cutover-check");
    assertThat(before).startsWith("NOT READY").contains("no verify run recorded: run edu2lms verify");
    List<String> reasons = LmsMatchesEdu.rows(lms, "SELECT DISTINCT reason FROM edu2lms.quarantine ORDER BY 1");
    assertThat(reasons).isNotEmpty().doesNotContain("mapping_error");
    assertThat(before).contains("quarantine reason " + reasons.get(0) + " (");

    // verify passes and is recorded; every reason present is reviewed and acknowledged.
    assertThat(edu2lms(0, "verify")).contains("VERIFY PASSED");
    assertThat(edu2lms(2, "quarantine ack", "no_such_reason")).contains("no quarantine row has reason 'no_such_reason'; present: ");
    for (String reason : reasons) {
      assertThat(edu2lms(0, "quarantine ack", reason, "--note", "reviewed in ObservabilityIT")).startsWith("acknowledged " + reason + " (");
    }
    assertThat(edu2lms(0, "quarantine list")).contains(reasons.get(0)).doesNotContain(" NO\n");
    await("cutover-check says READY")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> cutover().ready());
    assertThat(edu2lms(0, "cutover-check")).isEqualTo("READY\n");
    await("the status page says READY with the passed verify")
        .atMost(Duration.ofSeconds(30))
        .until(() -> JSON.readTree(get("/api/status")), s -> s.at("/cutover/verdict").asText().equals("READY") && s.at("/verify/passed").asBoolean());

    // The sink stops while EDU changes: NOT READY, naming the sink's backlog.
    pipeline.stopSink();
    try {
      try (Statement st = edu.createStatement()) {
        st.executeUpdate("UPDATE users SET update_date = 'cutover test' WHERE id IN (SELECT id FROM users ORDER BY id LIMIT 5)");
      }
      await("NOT READY with the sink's lag")
          .atMost(Duration.ofSeconds(30))
          .until(() -> cutover().blockers(), b -> b.stream().anyMatch(x -> x.matches("sink: consumer lag [1-9][0-9]* records \\(group edu2lms-sink\\)")));
      String stopped = edu2lms(1, "cutover-check", "--json");
      JsonNode verdict = JSON.readTree(stopped);
      assertThat(verdict.get("ready").asBoolean()).isFalse();
      // 5 users and the LMS, quarantine and notes records derived from them.
      assertThat(verdict.get("blockers").toString()).containsPattern("sink: consumer lag [1-9][0-9]* records");
      await("the status page says NOT READY")
          .atMost(Duration.ofSeconds(30))
          .until(() -> JSON.readTree(get("/api/status")).at("/cutover/verdict").asText().equals("NOT READY"));
    } finally {
      // The backlog drains: READY again below (the earlier verify is still recent).
      pipeline.startSink();
    }
    await("READY again once the backlog drains")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> cutover().ready());
    assertThat(edu2lms(0, "cutover-check")).isEqualTo("READY\n");
  }

  /**
   * Starts the stage the test stopped and waits until the pipeline has caught up, so that the
   * next test finds all three stages running with no backlog, whatever this one asserted.
   */
  private static void restartAndAwaitCaughtUp(Pipeline.Stage stage) throws Exception {
    switch (stage) {
      case TRANSFORM -> pipeline.startTransform();
      case SINK -> pipeline.startSink();
      default -> throw new IllegalArgumentException("this suite stops only the transform and the sink: " + stage);
    }
    pipeline.awaitCaughtUp(Duration.ofMinutes(2), Duration.ofMillis(200));
  }

  /**
   * With the sink stopped: renames {@code n} users with a non-blank username to {@code prefix ||
   * id}, waits until the transform has mapped them (its data lag 0) and the sink's lag on
   * lms.users is at least {@code n} (the records plus the transaction markers of the transform's
   * commits on that partition), checks that lag against Kafka's own view of the group, and returns it.
   */
  private static long awaitSinkBacklogOfUsers(String prefix, int n) throws Exception {
    try (Statement st = edu.createStatement()) {
      assertThat(st.executeUpdate("UPDATE users SET username = '" + prefix + "' || id WHERE id IN (SELECT id FROM users WHERE trim(username) <> '' ORDER BY id LIMIT " + n + ")"))
          .isEqualTo(n);
    }
    await("sink backlog on lms.users")
        .atMost(Duration.ofSeconds(30))
        .until(() -> ConsumerLag.transformDataLag(admin, GROUPS.transformGroup()) == 0 && report().sink().perTable().getOrDefault("users", 0L) >= n);
    LagReport backlog = report();
    assertThat(withoutHeartbeats(backlog.sink().perPartition()))
        .isEqualTo(withoutHeartbeats(lagSeenByAConsumer(GROUPS.sinkGroup(), backlog.sink().perPartition().keySet())));
    return backlog.sink().perTable().get("users");
  }

  private static CutoverCheck cutover() throws Exception {
    return CutoverCheck.evaluate(report(), CutoverCheck.Facts.read(lms, CutoverCheck.Criteria.DEFAULTS), CutoverCheck.Criteria.DEFAULTS, java.time.Instant.now());
  }

  private static void checkStatusPageInChromium(long usersLag, Instant countedAfter) throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1200,1400",
        "--user-data-dir=" + Files.createTempDirectory(dataDir, "chromium"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).build();
    WebDriver browser = new ChromeDriver(service, options);
    try {
      browser.get("http://127.0.0.1:" + status.port() + "/");
      await("the page shows the users backlog of the sink")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> browser.findElement(By.cssSelector("#sink-tables [data-table='users']")).getAttribute("data-lag"),
              lag -> Long.parseLong(lag) == usersLag);
      await("the page shows an accounting counted after " + countedAfter)
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> Instant.parse(browser.findElement(By.id("accounting-at")).getText().replaceFirst("^counted at ", "")), at -> !at.isBefore(countedAfter));
      await("the page shows the accounting of all 16 lines")
          .atMost(Duration.ofSeconds(30))
          .until(() -> browser.findElements(By.cssSelector("#accounting tbody tr")).size() == 16);
      List<String> verdicts =
          browser.findElements(By.cssSelector("#accounting tbody tr td:last-child")).stream().map(e -> e.getText()).toList();
      assertThat(verdicts)
          .as("accounting on the page:%n%s%nparked in LMS: %s", browser.findElement(By.id("accounting")).getText(), LmsMatchesEdu.parkedSample(lms))
          .containsOnly("balanced");
      assertThat(browser.findElement(By.cssSelector("#accounting tr[data-table='grades'] td:nth-child(2)")).getText()).isNotEqualTo("0");
      assertThat(browser.findElement(By.id("freshness")).getText()).endsWith(" s");
      assertThat(browser.findElements(By.cssSelector("#chart canvas"))).isNotEmpty();
      Path shot = Path.of("target", "status-page.png");
      Files.createDirectories(shot.getParent());
      Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    } finally {
      browser.quit();
    }
  }

  /** {@code edu2lms lag [args]} against the test's pipeline, in-process; its standard output. */
  private static String runLag(String... extra) {
    return edu2lms(0, "lag", extra);
  }

  /**
   * {@code edu2lms <command> [args]} against the test's pipeline, in-process, with its connection
   * options; asserts the exit code and returns standard output (then standard error).
   */
  private static String edu2lms(int expectedExit, String command, String... extra) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Edu2LmsCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
    args.addAll(
        List.of(
            "--bootstrap-servers", kafka.bootstrapServers(), "--edu-url", pg.jdbcUrl("edu"), "--lms-url", pg.jdbcUrl("lms"),
            "--edu-user", EmbeddedPostgresServer.USER, "--lms-user", EmbeddedPostgresServer.USER));
    args.addAll(List.of(extra));
    int exit = cli.execute(args.toArray(String[]::new));
    assertThat(exit).as("edu2lms %s exit code; output: %s %s", command, out, err).isEqualTo(expectedExit);
    return out + "" + err;
  }

  /**
   * The lag of a group computed the other way: a consumer of that group asks for its committed
   * offsets and the log-end offsets (the figures {@code kafka-consumer-groups --describe} prints).
   */
  private static Map<String, Long> lagSeenByAConsumer(String group, Set<String> partitions) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Set<TopicPartition> tps =
        partitions.stream()
            .map(s -> new TopicPartition(s.substring(0, s.lastIndexOf('-')), Integer.parseInt(s.substring(s.lastIndexOf('-') + 1))))
            .collect(Collectors.toSet());
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      Map<TopicPartition, OffsetAndMetadata> committed = c.committed(tps);
      Map<TopicPartition, Long> starts = c.beginningOffsets(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps);
      Map<String, Long> lag = new TreeMap<>();
      // A partition without a commit is read from its log start (auto.offset.reset=earliest).
      tps.forEach(tp -> {
        OffsetAndMetadata o = committed.get(tp);
        lag.put(tp.toString(), ends.get(tp) - (o == null ? starts.get(tp) : Math.max(starts.get(tp), o.offset())));
      });
      return lag;
    }
  }

  private static Map<String, Long> withoutHeartbeats(Map<String, Long> perPartition) {
    Map<String, Long> out = new TreeMap<>(perPartition);
    out.keySet().removeIf(k -> ConsumerLag.isHeartbeat(k.substring(0, k.lastIndexOf('-'))));
    return out;
  }

  private static String get(String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + status.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  private static int count(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
