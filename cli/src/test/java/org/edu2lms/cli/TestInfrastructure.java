package org.edu2lms.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import org.edu2lms.embedded.EmbeddedKafkaCluster;
import org.edu2lms.embedded.EmbeddedPostgresServer;
import org.edu2lms.generator.EduGenerator;
import org.edu2lms.generator.EduSchema;
import org.edu2lms.generator.Profile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * PostgreSQL (databases {@code edu} and {@code lms}, {@code wal_level=logical}, superuser {@value
 * EmbeddedPostgresServer#USER} without password) and a Kafka broker for the integration tests that
 * need one of each: on Testcontainers ({@code postgres:17}, {@code apache/kafka:4.1.0}) when a
 * Docker engine answers, else on the embedded infrastructure (zonky PostgreSQL, an in-JVM KRaft
 * broker). Forced with the system property or environment variable {@value #PROPERTY} = {@code
 * embedded} | {@code testcontainers} (default {@code auto}); README §Tests. The suites that stop
 * and restart a server on the same port (LmsSinkIT, FaultInjectionIT) always use the embedded one.
 */
final class TestInfrastructure {

  /** System property (or, upper-cased with underscores, environment variable) that forces a kind. */
  static final String PROPERTY = "edu2lms.test.infrastructure";

  private static final Logger LOG = LoggerFactory.getLogger(TestInfrastructure.class);

  /** A PostgreSQL server with databases {@code edu} and {@code lms}. */
  interface Postgres extends AutoCloseable {
    /** Host the tests connect to. */
    String host();

    /** Its port. */
    int port();

    /** {@code jdbc:postgresql://<host>:<port>/<database>}. */
    default String jdbcUrl(String database) {
      return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }
  }

  /** A Kafka broker. */
  interface Kafka extends AutoCloseable {
    /** {@code host:port}. */
    String bootstrapServers();
  }

  private TestInfrastructure() {}

  /**
   * Whether the tests run on Testcontainers: forced by {@value #PROPERTY}, else when Docker answers.
   *
   * @throws IllegalArgumentException for a value other than embedded, testcontainers or auto
   */
  static boolean containers() {
    String v = System.getProperty(PROPERTY, System.getenv().getOrDefault(PROPERTY.toUpperCase(Locale.ROOT).replace('.', '_'), "auto"));
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "embedded" -> false;
      case "testcontainers" -> true;
      case "auto" -> {
        boolean docker = dockerAvailable();
        if (!docker) {
          LOG.info("no Docker engine answers: integration tests on the embedded infrastructure (force with -D{}=testcontainers)", PROPERTY);
        }
        yield docker;
      }
      default -> throw new IllegalArgumentException(PROPERTY + " must be embedded, testcontainers or auto, got " + v);
    };
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * Starts PostgreSQL.
   *
   * @param dataDir the embedded server's data folder (unused by a container)
   * @throws Exception when it cannot start
   */
  static Postgres postgres(Path dataDir) throws Exception {
    if (!containers()) {
      EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dataDir);
      return new Postgres() {
        @Override
        public String host() {
          return "localhost";
        }

        @Override
        public int port() {
          return pg.port();
        }

        @Override
        public void close() throws Exception {
          pg.close();
        }
      };
    }
    PostgreSQLContainer<?> c =
        new PostgreSQLContainer<>(DockerImageName.parse("postgres:17"))
            .withUsername(EmbeddedPostgresServer.USER)
            .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust")
            .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=10", "-c", "max_wal_senders=10", "-c", "fsync=off");
    c.start();
    LOG.info("integration tests on Testcontainers: PostgreSQL {}:{}", c.getHost(), c.getMappedPort(5432));
    try (Connection admin = DriverManager.getConnection(c.getJdbcUrl(), EmbeddedPostgresServer.USER, "");
        Statement st = admin.createStatement()) {
      st.execute("CREATE DATABASE edu");
      st.execute("CREATE DATABASE lms");
    }
    return new Postgres() {
      @Override
      public String host() {
        return c.getHost();
      }

      @Override
      public int port() {
        return c.getMappedPort(5432);
      }

      @Override
      public void close() {
        c.stop();
      }
    };
  }

  /**
   * Starts a Kafka broker.
   *
   * @param dataDir the embedded broker's folder (unused by a container)
   * @throws Exception when it cannot start
   */
  static Kafka kafka(Path dataDir) throws Exception {
    if (!containers()) {
      EmbeddedKafkaCluster k = EmbeddedKafkaCluster.start(dataDir);
      return new Kafka() {
        @Override
        public String bootstrapServers() {
          return k.bootstrapServers();
        }

        @Override
        public void close() throws Exception {
          k.close();
        }
      };
    }
    KafkaContainer c = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.0"));
    c.start();
    LOG.info("integration tests on Testcontainers: Kafka {}", c.getBootstrapServers());
    return new Kafka() {
      @Override
      public String bootstrapServers() {
        return c.getBootstrapServers();
      }

      @Override
      public void close() {
        c.stop();
      }
    };
  }

  /**
   * EDU's schema migrated on the server and generated at a scale with a seed (EduGenerator).
   *
   * @return a connection to {@code edu} as {@value EmbeddedPostgresServer#USER}, for the caller to close
   * @throws Exception when the server refuses or the generation fails
   */
  static Connection generatedEdu(Postgres pg, double scale, long seed) throws Exception {
    EduSchema.migrate(pg.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
    Connection edu = DriverManager.getConnection(pg.jdbcUrl("edu"), EmbeddedPostgresServer.USER, "");
    new EduGenerator(new Profile(scale), seed).generate(edu, n -> {});
    return edu;
  }

  /**
   * Writes the YAML configuration file of {@code edu2lms run <stage>} processes against these
   * servers: 3 partitions per topic, any free HTTP port, the given EDU and LMS roles (passwords,
   * if any, come from elsewhere: the environment or a {@code _FILE} secret).
   *
   * @return {@code file}
   */
  static java.nio.file.Path stageConfig(java.nio.file.Path file, Postgres pg, Kafka kafka, String eduUser, String lmsUser) throws java.io.IOException {
    java.nio.file.Files.writeString(
        file,
        String.join(
            "\n",
            "kafka.bootstrap.servers: " + kafka.bootstrapServers(),
            "topics.partitions: 3",
            "http.port: 0",
            "capture:",
            "  edu: {host: " + pg.host() + ", port: " + pg.port() + ", database: edu, user: " + eduUser + "}",
            "sink:",
            "  lms:",
            "    url: " + pg.jdbcUrl("lms"),
            "    user: " + lmsUser,
            ""));
    return file;
  }

  /** Closes each resource that is not null, in the order given. */
  static void closeAll(AutoCloseable... resources) throws Exception {
    for (AutoCloseable c : resources) {
      if (c != null) {
        c.close();
      }
    }
  }
}
