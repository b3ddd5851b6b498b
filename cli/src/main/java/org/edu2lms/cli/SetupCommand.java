package org.edu2lms.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.edu2lms.capture.EduRights;
import org.edu2lms.schemas.EduTables;
import org.edu2lms.sink.LmsSchema;
import org.postgresql.PGConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms setup edu|lms}: the one step that needs an administrator, run by the owner of the
 * EDU tables (or the LMS schema) before the pipeline runs with its least-privilege roles (README
 * §Production, "Database roles"). {@code edu}: runs {@code sql/edu-setup.sql} (role {@code
 * edu2lms_capture} with REPLICATION and SELECT on the EDU tables, the heartbeat and signal tables,
 * the publication). {@code lms}: applies the LMS migrations, then {@code sql/lms-setup.sql} (role
 * {@code edu2lms_sink} with DML and no DDL). Idempotent; {@code --print} only prints the SQL.
 * Needs a superuser (or, on PostgreSQL 16+, the owner of the tables and database with CREATEROLE,
 * and REPLICATION for {@code edu}). Exit code 0 when done and the role has every right the stage
 * checks at start-up (or, when the connected user may not take the role, done unchecked: the
 * stage checks at start-up), 1 when the role still lacks a right.
 */
@Command(
    name = "setup",
    mixinStandardHelpOptions = true,
    description = "Create the least-privilege role of the capture (edu) or the sink (lms) and what it needs; run as the owner of the EDU tables / LMS schema.")
public final class SetupCommand implements Callable<Integer> {

  /** Which database. */
  enum Target {
    edu,
    lms,
    topics
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TARGET", description = "edu, lms (a database, as its owner) or topics (the Kafka topics, from the configuration: kafka.*, topics.*)")
  Target target;

  @Option(names = "--url", description = "JDBC URL of the database (default: jdbc:postgresql://localhost:5432/<edu|lms>)")
  String url;

  @Option(names = "--user", defaultValue = "postgres", description = "a superuser, or (PostgreSQL 16+) the owner of the tables and database with CREATEROLE (default: ${DEFAULT-VALUE})")
  String user;

  @Option(names = "--password-file", paramLabel = "FILE", description = "file holding the password of --user (default: $EDU2LMS_SETUP_PASSWORD, else none)")
  Path passwordFile;

  @Option(names = "--role-password-file", paramLabel = "FILE", description = "also set the password of the created role (edu2lms_capture / edu2lms_sink) from this file; sent SCRAM-hashed, never as text")
  Path rolePasswordFile;

  @Option(names = "--print", description = "print the SQL and do nothing else")
  boolean print;

  @Option(names = "--publication", defaultValue = "edu2lms", description = "edu: name of the publication (capture.publication.name; default: ${DEFAULT-VALUE})")
  String publication;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (print && target == Target.topics) {
      throw new ParameterException(spec.commandLine(), "--print prints the SQL of edu or lms");
    }
    String sql = target == Target.edu ? EduRights.setupSql() : target == Target.lms ? LmsSchema.setupSql() : "";
    if (print) {
      out.print(sql);
      out.flush();
      return 0;
    }
    if (target == Target.topics) {
      return topics(out);
    }
    String jdbcUrl = url != null ? url : "jdbc:postgresql://localhost:5432/" + target;
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new ParameterException(spec.commandLine(), "--url must be a jdbc:postgresql: URL, got " + jdbcUrl);
    }
    String password = passwordFile != null ? readFile(passwordFile, "--password-file") : System.getenv().getOrDefault("EDU2LMS_SETUP_PASSWORD", "");
    String role = target == Target.edu ? EduRights.CAPTURE_ROLE : LmsSchema.SINK_ROLE;
    if (target == Target.lms) {
      int applied = LmsSchema.migrateAsOwner(jdbcUrl, user, password);
      out.printf("LMS schema current (%d migrations applied now)%n", applied);
    }
    List<String> missing;
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
      if (target == Target.edu) {
        requireEduTables(c);
      }
      if (!publication.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
        throw new ParameterException(spec.commandLine(), "--publication must be a plain SQL identifier, got " + publication);
      }
      // The SQL reads the publication's name from this setting (format('%I'), no concatenation).
      try (PreparedStatement ps = c.prepareStatement("SELECT set_config('edu2lms.publication', ?, false)")) {
        ps.setString(1, publication);
        ps.execute();
      }
      try (Statement st = c.createStatement()) {
        st.execute(sql);
      }
      if (rolePasswordFile != null) {
        char[] rolePassword = readFile(rolePasswordFile, "--role-password-file").toCharArray();
        c.unwrap(PGConnection.class).alterUserPassword(role, rolePassword, "scram-sha-256");
        java.util.Arrays.fill(rolePassword, '\0');
        out.printf("password of role %s set from %s%n", role, rolePasswordFile);
      }
      missing = rightsOf(c, role, publication);
    }
    if (missing == null) {
      out.printf(
          "setup %s: done; %s is not a member of role %s, so its rights were not checked here: the %s checks them at start-up%n",
          target, user, role, target == Target.edu ? "capture" : "sink");
      return 0;
    }
    if (!missing.isEmpty()) {
      out.printf("setup %s: role %s still lacks: %s%n", target, role, String.join("; ", missing));
      return 1;
    }
    out.printf(
        "setup %s: done; role %s has exactly what the %s checks at start-up (%s)%n",
        target,
        role,
        target == Target.edu ? "capture" : "sink",
        target == Target.edu
            ? "LOGIN REPLICATION, SELECT on the " + EduTables.ALL.size() + " EDU tables, the heartbeat and signal tables, publication " + publication + " over "
                + EduRights.publishedTables().size() + " tables"
            : "DML on the LMS tables and the edu2lms schema, TEMPORARY, no DDL");
    if (rolePasswordFile == null) {
      out.printf("set its password without writing it anywhere: psql -d %s -c '\\password %s'%n", target, role);
    }
    return 0;
  }

  /**
   * Creates the missing topics with the configured partitions and replication factor ({@code
   * topics.*}; {@code lms.*}, quarantine and notes compacted), on the Kafka of {@code
   * kafka.bootstrap.servers} with the {@code kafka.*} pass-through.
   */
  private int topics(PrintWriter out) throws Exception {
    org.edu2lms.cli.Pipeline.Settings settings;
    try {
      settings = org.edu2lms.cli.config.Edu2LmsConfiguration.load(null, java.util.Map.of()).settings();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "invalid configuration: " + e.getMessage());
    }
    try (org.apache.kafka.clients.admin.Admin admin =
        org.edu2lms.cli.ops.LagReport.admin(settings.capture().kafkaBootstrap(), "edu2lms-setup", settings.capture().kafkaClient())) {
      List<String> created = org.edu2lms.cli.ops.KafkaTopics.ensure(admin, settings.partitions(), settings.replicationFactor());
      out.printf(
          "setup topics: done on %s; %d created now (%d partitions, replication factor %d)%s%n",
          settings.capture().kafkaBootstrap(),
          created.size(),
          settings.partitions(),
          settings.replicationFactor(),
          created.isEmpty() ? "" : ": " + String.join(", ", created));
    }
    return 0;
  }

  private static String readFile(Path file, String option) {
    try {
      return org.edu2lms.cli.config.Edu2LmsConfiguration.readSecret(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static void requireEduTables(Connection c) throws SQLException {
    List<String> absent = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT t FROM unnest(?::text[]) AS t WHERE to_regclass('public.' || quote_ident(t)) IS NULL ORDER BY t")) {
      ps.setArray(1, c.createArrayOf("text", EduTables.ALL.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          absent.add(rs.getString(1));
        }
      }
    }
    if (!absent.isEmpty()) {
      throw new IllegalStateException(
          "the EDU tables of edu.md are missing (" + String.join(", ", absent) + "): setup grants on them and publishes them,"
              + " so they must exist first (check --url; `edu2lms generate` creates them for a demo)");
    }
  }

  /**
   * The rights the role lacks, checked as that role ({@code SET ROLE}, as the stage does at
   * start-up); {@code null} when the connected user may not take the role.
   */
  private static List<String> rightsOf(Connection c, String role, String publication) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      try (Statement st = c.createStatement()) {
        st.execute("SET LOCAL ROLE " + role);
      } catch (SQLException e) {
        if ("42501".equals(e.getSQLState())) {
          return null;
        }
        throw e;
      }
      return role.equals(EduRights.CAPTURE_ROLE) ? EduRights.missing(c, publication) : LmsSchema.missingRights(c);
    } finally {
      c.rollback();
      c.setAutoCommit(autoCommit);
    }
  }
}
