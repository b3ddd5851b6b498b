package org.edu2lms.cli.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a running pipeline for the status page and the Prometheus endpoint: takes a {@link
 * LagReport} every {@code interval} (default 2 s) and keeps the last hour of them, and every
 * {@code accountingInterval} (default 10 s) the accounting of mapping.md and the quarantine by
 * reason with a sample of rows. Registers gauges for all of it:
 *
 * <ul>
 *   <li>{@code edu2lms_capture_slot_lag_bytes}, {@code edu2lms_capture_slot_retained_wal_bytes},
 *       {@code edu2lms_capture_last_event_age_seconds};
 *   <li>{@code edu2lms_consumer_lag_records{stage="transform|sink", table}};
 *   <li>{@code edu2lms_freshness_seconds}, {@code edu2lms_heartbeat_latency_seconds};
 *   <li>{@code edu2lms_quarantine_rows{source_table, reason}}, {@code
 *       edu2lms_accounting_unbalanced_lines}.
 * </ul>
 *
 * A figure that cannot be read is NaN in Prometheus and carries its error on the page.
 */
public final class StatusMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StatusMonitor.class);

  /** One point of the lag history: seconds since the epoch and the stage figures (null when unknown). */
  public record Point(long t, Long transformLag, Long sinkLag, Double freshnessSeconds, Long slotLagBytes) {}

  /**
   * A quarantine reason of one EDU table.
   *
   * @param sourceTable the EDU table
   * @param reason the reason code (mapping.md §Reason codes)
   * @param rows how many rows
   * @param sample up to 3 rows: {@code source_id} and detail
   */
  public record Reason(String sourceTable, String reason, long rows, List<String> sample) {}

  /**
   * The accounting of mapping.md and the quarantine, as last computed.
   *
   * @param at when
   * @param lines the accounting lines (label, LMS, quarantined, expected, balanced)
   * @param reasons quarantine by table and reason, most first
   * @param error why it could not be computed, or null
   */
  public record Books(Instant at, List<Map<String, Object>> lines, List<Reason> reasons, String error) {}

  /**
   * Where the pipeline is.
   *
   * @param bootstrapServers Kafka
   * @param eduUrl EDU JDBC URL
   * @param eduUser EDU user
   * @param eduPassword EDU password
   * @param lmsUrl LMS JDBC URL
   * @param lmsUser LMS user
   * @param lmsPassword LMS password
   * @param groups slot and consumer groups
   * @param builtTables the LMS tables the transform produces (accounting lines of others are not a verdict)
   * @param kafkaClient the {@code kafka.*} pass-through (SASL, SSL, …) for the admin client
   */
  public record Target(
      String bootstrapServers,
      String eduUrl,
      String eduUser,
      String eduPassword,
      String lmsUrl,
      String lmsUser,
      String lmsPassword,
      LagReport.Groups groups,
      Set<String> builtTables,
      java.util.Map<String, String> kafkaClient) {}

  private static final Duration HISTORY = Duration.ofHours(1);
  /** How often the LMS side of the cutover check (verify runs, parked rows, acknowledgements) is re-read. */
  private static final Duration CUTOVER_FACTS_INTERVAL = Duration.ofSeconds(10);

  private final Target target;
  private final Duration interval;
  private final Duration accountingInterval;
  private final ScheduledExecutorService timer;
  private final Admin admin;
  private final Deque<Point> history = new ArrayDeque<>();
  private final MultiGauge consumerLag;
  private final MultiGauge quarantineRows;
  private volatile LagReport latest;
  private volatile Books books = new Books(null, List.of(), List.of(), "not computed yet");
  private long lastAccounting;
  private volatile CutoverCheck cutover;
  private CutoverCheck.Facts cutoverFacts;
  private long lastCutoverFacts;
  private Connection edu;
  private Connection lms;

  /**
   * @param interval how often lag is read (at least 200 ms)
   * @param accountingInterval how often the accounting and quarantine are counted
   */
  public StatusMonitor(Target target, MeterRegistry registry, Duration interval, Duration accountingInterval) {
    this.target = target;
    this.interval = interval;
    this.accountingInterval = accountingInterval;
    this.admin = LagReport.admin(target.bootstrapServers(), "edu2lms-status", target.kafkaClient());
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "edu2lms-status"));
    gauge(registry, "edu2lms.capture.slot.lag", "bytes", "EDU WAL bytes not yet confirmed by the capture (pg_current_wal_lsn - confirmed_flush_lsn)",
        r -> value(r.capture().slotLagBytes()));
    gauge(registry, "edu2lms.capture.slot.retained.wal", "bytes", "EDU WAL bytes kept for the replication slot (pg_current_wal_lsn - restart_lsn)",
        r -> value(r.capture().retainedWalBytes()));
    gauge(registry, "edu2lms.capture.last.event.age", "seconds", "seconds since the newest record in the capture's topics",
        r -> value(r.capture().lastEventAgeSeconds()));
    Gauge.builder("edu2lms.cutover.ready", this, m -> m.cutover == null ? Double.NaN : m.cutover.ready() ? 1 : 0)
        .description("1 when cutover-check would say READY, 0 when NOT READY (NaN before the first poll)")
        .register(registry);
    gauge(registry, "edu2lms.freshness", "seconds", "now - EDU commit time of the newest heartbeat in LMS",
        r -> value(r.freshness().seconds()));
    gauge(registry, "edu2lms.heartbeat.latency", "seconds", "EDU commit to LMS write of the newest heartbeat in LMS",
        r -> value(r.freshness().lastLatencySeconds()));
    this.consumerLag =
        MultiGauge.builder("edu2lms.consumer.lag").baseUnit("records").description("consumer lag per stage and table (log-end offset - committed offset)").register(registry);
    this.quarantineRows =
        MultiGauge.builder("edu2lms.quarantine.rows").description("rows in edu2lms.quarantine per EDU table and reason").register(registry);
    Gauge.builder("edu2lms.accounting.unbalanced.lines", this, m -> m.unbalancedLines())
        .description("accounting lines of mapping.md where LMS + quarantine != expected (NaN until first computed)")
        .register(registry);
  }

  private void gauge(MeterRegistry registry, String name, String unit, String description, ToDoubleFunction<LagReport> f) {
    Gauge.builder(name, this, m -> m.latest == null ? Double.NaN : f.applyAsDouble(m.latest))
        .baseUnit(unit)
        .description(description)
        .register(registry);
  }

  private static double value(Number n) {
    return n == null ? Double.NaN : n.doubleValue();
  }

  private double unbalancedLines() {
    Books b = books;
    if (b.at() == null) {
      return Double.NaN;
    }
    return b.lines().stream().filter(l -> Boolean.TRUE.equals(l.get("built")) && !Boolean.TRUE.equals(l.get("balanced"))).count();
  }

  /** Starts polling on its own thread; the first report is taken at once. */
  public StatusMonitor start() {
    timer.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void poll() {
    try {
      ensureConnections();
      LagReport r = LagReport.take(admin, edu, lms, target.groups());
      latest = r;
      synchronized (history) {
        history.addLast(new Point(r.at().getEpochSecond(), r.transform().total(), r.sink().total(), r.freshness().seconds(), r.capture().slotLagBytes()));
        while (!history.isEmpty() && history.peekFirst().t() < r.at().minus(HISTORY).getEpochSecond()) {
          history.removeFirst();
        }
      }
      List<MultiGauge.Row<?>> rows = new ArrayList<>();
      addStage(rows, "transform", r.transform());
      addStage(rows, "sink", r.sink());
      consumerLag.register(rows, true);
      if (cutoverFacts == null || System.nanoTime() - lastCutoverFacts > CUTOVER_FACTS_INTERVAL.toNanos()) {
        lastCutoverFacts = System.nanoTime();
        cutoverFacts = CutoverCheck.Facts.read(lms, CutoverCheck.Criteria.DEFAULTS);
      }
      cutover = CutoverCheck.evaluate(r, cutoverFacts, CutoverCheck.Criteria.DEFAULTS, r.at());
      if (System.nanoTime() - lastAccounting > accountingInterval.toNanos() || books.at() == null) {
        lastAccounting = System.nanoTime();
        books = computeBooks();
        quarantineRows.register(
            books.reasons().stream()
                .map(q -> MultiGauge.Row.of(Tags.of("source_table", q.sourceTable(), "reason", q.reason()), q.rows()))
                .<MultiGauge.Row<?>>map(x -> x)
                .toList(),
            true);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("status poll failed: {}", e.getMessage(), e);
    }
  }

  private static void addStage(List<MultiGauge.Row<?>> rows, String stage, LagReport.StageLag s) {
    s.perTable().forEach((table, lag) -> rows.add(MultiGauge.Row.of(Tags.of("stage", stage, "table", table), lag)));
  }

  /** (Re)opens the EDU and LMS connections when missing or broken; leaves null what cannot be opened. */
  private void ensureConnections() {
    edu = reopen(edu, target.eduUrl(), target.eduUser(), target.eduPassword());
    lms = reopen(lms, target.lmsUrl(), target.lmsUser(), target.lmsPassword());
  }

  private static Connection reopen(Connection c, String url, String user, String password) {
    try {
      if (c != null && c.isValid(2)) {
        return c;
      }
      if (c != null) {
        c.close();
      }
      return LagReport.connect(url, user, password, "edu2lms-status");
    } catch (SQLException e) {
      LOG.debug("status: cannot connect to {}: {}", url, e.getMessage());
      return null;
    }
  }

  private Books computeBooks() {
    if (edu == null || lms == null) {
      return new Books(Instant.now(), List.of(), List.of(), "EDU or LMS cannot be reached");
    }
    try {
      List<Map<String, Object>> lines = new ArrayList<>();
      for (Accounting.Row row : Accounting.compute(edu, lms, target.builtTables())) {
        lines.add(row.asMap());
      }
      return new Books(Instant.now(), lines, reasons(lms), null);
    } catch (SQLException e) {
      return new Books(Instant.now(), List.of(), List.of(), e.getMessage());
    }
  }

  /** Quarantine by EDU table and reason, most first, each with up to 3 sample rows. */
  static List<Reason> reasons(Connection lms) throws SQLException {
    Map<List<String>, Long> counts = new LinkedHashMap<>();
    try (PreparedStatement ps =
            lms.prepareStatement(
                "SELECT source_table, reason, count(*) FROM edu2lms.quarantine GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        counts.put(List.of(rs.getString(1), rs.getString(2)), rs.getLong(3));
      }
    }
    Map<List<String>, List<String>> samples = new LinkedHashMap<>();
    try (PreparedStatement ps =
            lms.prepareStatement(
                "SELECT source_table, reason, source_id, component, detail FROM (SELECT q.*, row_number()"
                    + " OVER (PARTITION BY source_table, reason ORDER BY source_id, component) AS n FROM edu2lms.quarantine q) s"
                    + " WHERE n <= 3 ORDER BY source_table, reason, source_id, component");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String row = "id " + rs.getLong(3) + (rs.getInt(4) == 0 ? "" : " mark " + rs.getInt(4)) + (rs.getString(5) == null ? "" : ": " + rs.getString(5));
        samples.computeIfAbsent(List.of(rs.getString(1), rs.getString(2)), k -> new ArrayList<>()).add(row);
      }
    }
    List<Reason> out = new ArrayList<>();
    counts.forEach((k, n) -> out.add(new Reason(k.get(0), k.get(1), n, samples.getOrDefault(k, List.of()))));
    return out;
  }

  /** The newest lag report, or null before the first poll. */
  public LagReport latest() {
    return latest;
  }

  /** The lag history of the last hour, oldest first. */
  public List<Point> history() {
    synchronized (history) {
      return List.copyOf(history);
    }
  }

  /**
   * The cutover readiness as last evaluated (default criteria of {@link CutoverCheck.Criteria}),
   * or null before the first poll.
   */
  public CutoverCheck cutover() {
    return cutover;
  }

  /** The accounting and quarantine as last computed. */
  public Books books() {
    return books;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
    for (Connection c : new Connection[] {edu, lms}) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException e) {
          LOG.debug("closing: {}", e.getMessage());
        }
      }
    }
  }
}
