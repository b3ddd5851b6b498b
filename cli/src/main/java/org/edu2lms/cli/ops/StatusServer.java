package org.edu2lms.cli.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The program's HTTP endpoint (JDK {@code HttpServer}, two threads):
 *
 * <ul>
 *   <li>{@code GET /} — the status page (plain HTML and the uPlot chart, refreshing itself every 2 s);
 *   <li>{@code GET /health/live} — 200 while the process serves ({@code /health} is the same);
 *   <li>{@code GET /health/ready} — {@link Readiness} as JSON: 200 when every stage of the process
 *       does its work, 503 otherwise;
 *   <li>{@code GET /metrics} — Prometheus text exposition format 0.0.4 of every meter of the process;
 *   <li>{@code GET /api/lag} — the newest {@link LagReport} as JSON (the shape of {@code edu2lms lag --json});
 *   <li>{@code GET /api/status} — lag, the last hour of lag history, the accounting of mapping.md,
 *       quarantine by reason with samples, and the cutover verdict.
 * </ul>
 */
public final class StatusServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
  private static final String UPLOT = "META-INF/resources/webjars/uplot/" + webjarVersion() + "/dist/";

  private final HttpServer server;
  private final ExecutorService executor;
  private final ObjectMapper json = StatusJson.mapper();

  /**
   * Binds and starts the server.
   *
   * @param host the address to bind ({@code 0.0.0.0} for all, {@code 127.0.0.1} for local only)
   * @param port the TCP port; 0 picks a free one ({@link #port()})
   * @throws IOException when the port cannot be bound (the message names it)
   */
  public StatusServer(String host, int port, StatusMonitor monitor, PrometheusMeterRegistry registry, Supplier<Readiness> readiness)
      throws IOException {
    try {
      this.server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      throw new IOException("cannot serve the status page on " + host + ":" + port + " (--http-port): " + e.getMessage(), e);
    }
    // Liveness: 200 while the process serves HTTP (a failed stage ends the process in `run`);
    // /health is its older name.
    server.createContext("/health/live", x -> send(x, 200, "text/plain; charset=utf-8", "ok\n".getBytes(StandardCharsets.UTF_8)));
    server.createContext("/health/ready", x -> {
      Readiness r = readiness.get();
      send(x, r.ready() ? 200 : 503, "application/json", json.writeValueAsBytes(r));
    });
    server.createContext("/health", x -> {
      if (!x.getRequestURI().getPath().equals("/health")) {
        send(x, 404, "text/plain; charset=utf-8", ("no such page: " + x.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8));
      } else {
        send(x, 200, "text/plain; charset=utf-8", "ok\n".getBytes(StandardCharsets.UTF_8));
      }
    });
    server.createContext("/metrics", x -> send(x, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8)));
    server.createContext("/api/lag", x -> sendJson(x, monitor.latest()));
    server.createContext("/api/status", x -> sendJson(x, status(monitor)));
    server.createContext("/uPlot.iife.min.js", x -> resource(x, UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"));
    server.createContext("/uPlot.min.css", x -> resource(x, UPLOT + "uPlot.min.css", "text/css; charset=utf-8"));
    server.createContext("/", x -> {
      if (!x.getRequestURI().getPath().equals("/")) {
        send(x, 404, "text/plain; charset=utf-8", ("no such page: " + x.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8));
      } else {
        resource(x, "status/index.html", "text/html; charset=utf-8");
      }
    });
    this.executor = Executors.newFixedThreadPool(2, r -> new Thread(r, "edu2lms-http"));
    server.setExecutor(executor);
    server.start();
  }

  private static Map<String, Object> status(StatusMonitor monitor) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("lag", monitor.latest());
    s.put("history", monitor.history());
    StatusMonitor.Books b = monitor.books();
    s.put("accounting", b);
    CutoverCheck c = monitor.cutover();
    s.put("verify", c == null ? null : c.facts().lastVerify());
    s.put("cutover", c == null ? Map.of("verdict", "UNKNOWN", "blockers", List.of("not evaluated yet")) : Map.of("verdict", c.verdict(), "blockers", c.blockers()));
    return s;
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  private void sendJson(HttpExchange x, Object body) throws IOException {
    send(x, body == null ? 503 : 200, "application/json", body == null ? "{\"error\":\"no report yet\"}".getBytes(StandardCharsets.UTF_8) : json.writeValueAsBytes(body));
  }

  private static void resource(HttpExchange x, String path, String type) throws IOException {
    try (InputStream in = StatusServer.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        send(x, 500, "text/plain; charset=utf-8", ("missing resource " + path).getBytes(StandardCharsets.UTF_8));
        return;
      }
      send(x, 200, type, in.readAllBytes());
    }
  }

  private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
    try (x) {
      if (!"GET".equals(x.getRequestMethod()) && !"HEAD".equals(x.getRequestMethod())) {
        x.sendResponseHeaders(405, -1);
        return;
      }
      x.getResponseHeaders().set("Content-Type", type);
      x.getResponseHeaders().set("Cache-Control", "no-store");
      x.sendResponseHeaders(status, body.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException e) {
      LOG.debug("status page: {}", e.getMessage());
      throw e;
    }
  }

  /** The uPlot webjar's version, from its Maven metadata in the jar. */
  private static String webjarVersion() {
    try (InputStream in =
        StatusServer.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      java.util.Properties p = new java.util.Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "1.6.30");
    } catch (IOException e) {
      return "1.6.30";
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
