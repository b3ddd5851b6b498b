package org.edu2lms.cli;

import java.sql.Connection;
import java.sql.SQLException;
import org.apache.kafka.clients.admin.Admin;
import org.edu2lms.capture.CaptureConfig;
import org.edu2lms.cli.ops.LagReport;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.transform.TransformConfig;
import picocli.CommandLine.Option;

/**
 * Where a running pipeline is, for the commands that look at one ({@code lag}): Kafka, EDU, LMS,
 * the replication slot and the two consumer groups. Passwords default to the environment variables
 * {@code EDU2LMS_EDU_PASSWORD} and {@code EDU2LMS_LMS_PASSWORD}, so they need not appear on a
 * command line. {@code edu2lms demo} prints these options filled in for its embedded servers.
 * An option not given takes its value from the pipeline's configuration when that sets it (a
 * {@code EDU2LMS_CONFIG} file, {@code EDU2LMS_*} variables: {@link #fromConfiguration}), so the
 * ops commands run inside a pipeline container need no options.
 */
public final class ConnectionOptions {

  @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
  String bootstrapServers;

  @Option(names = "--edu-url", defaultValue = "jdbc:postgresql://localhost:5432/edu", description = "JDBC URL of EDU (default: ${DEFAULT-VALUE})")
  String eduUrl;

  @Option(names = "--edu-user", defaultValue = "postgres", description = "EDU user; needs to read pg_replication_slots (default: ${DEFAULT-VALUE})")
  String eduUser;

  @Option(names = "--edu-password", defaultValue = "${env:EDU2LMS_EDU_PASSWORD:-}", description = "EDU password (default: $EDU2LMS_EDU_PASSWORD)")
  String eduPassword;

  @Option(names = "--lms-url", defaultValue = "jdbc:postgresql://localhost:5432/lms", description = "JDBC URL of LMS (default: ${DEFAULT-VALUE})")
  String lmsUrl;

  @Option(names = "--lms-user", defaultValue = "postgres", description = "LMS user (default: ${DEFAULT-VALUE})")
  String lmsUser;

  @Option(names = "--lms-password", defaultValue = "${env:EDU2LMS_LMS_PASSWORD:-}", description = "LMS password (default: $EDU2LMS_LMS_PASSWORD)")
  String lmsPassword;

  @Option(names = "--slot", defaultValue = CaptureConfig.DEFAULT_REPLICATION_NAME, description = "replication slot of the capture (default: ${DEFAULT-VALUE})")
  String slot;

  @Option(names = "--transform-group", defaultValue = TransformConfig.DEFAULT_APPLICATION_ID, description = "the transform's application.id (default: ${DEFAULT-VALUE})")
  String transformGroup;

  @Option(names = "--sink-group", defaultValue = SinkConfig.DEFAULT_GROUP_ID, description = "the sink's consumer group (default: ${DEFAULT-VALUE})")
  String sinkGroup;

  /**
   * Fills every option not given on the command line from the configuration of {@code edu2lms run}
   * when the file named by {@code EDU2LMS_CONFIG} or an {@code EDU2LMS_*} variable sets its key
   * (the EDU URL from {@code capture.edu.host}, {@code .port}, {@code .database} and {@code
   * .sslmode}); the option's own default stays otherwise. Call first in the command.
   *
   * @throws picocli.CommandLine.ParameterException when the configuration is invalid (the key named)
   */
  void fromConfiguration(picocli.CommandLine.Model.CommandSpec spec) {
    org.edu2lms.cli.config.Edu2LmsConfiguration config;
    org.edu2lms.cli.Pipeline.Settings settings;
    try {
      config = org.edu2lms.cli.config.Edu2LmsConfiguration.load(null, java.util.Map.of());
      settings = config.settings();
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "invalid configuration: " + e.getMessage());
    }
    picocli.CommandLine.ParseResult given = spec.commandLine().getParseResult();
    java.util.function.Predicate<org.edu2lms.cli.config.ConfigKey> set = k -> !config.value(k).origin().equals("default");
    java.util.function.BiPredicate<String, org.edu2lms.cli.config.ConfigKey> take =
        (option, key) -> !given.hasMatchedOption(option) && set.test(key);
    if (take.test("--bootstrap-servers", org.edu2lms.cli.config.ConfigKey.KAFKA_BOOTSTRAP_SERVERS)) {
      bootstrapServers = settings.capture().kafkaBootstrap();
    }
    if (!given.hasMatchedOption("--edu-url")
        && java.util.stream.Stream.of(
                org.edu2lms.cli.config.ConfigKey.CAPTURE_EDU_HOST, org.edu2lms.cli.config.ConfigKey.CAPTURE_EDU_PORT,
                org.edu2lms.cli.config.ConfigKey.CAPTURE_EDU_DATABASE, org.edu2lms.cli.config.ConfigKey.CAPTURE_EDU_SSLMODE)
            .anyMatch(set)) {
      eduUrl = settings.capture().eduJdbcUrl();
    }
    if (take.test("--edu-user", org.edu2lms.cli.config.ConfigKey.CAPTURE_EDU_USER)) {
      eduUser = settings.capture().eduUser();
    }
    if (take.test("--edu-password", org.edu2lms.cli.config.ConfigKey.CAPTURE_EDU_PASSWORD)) {
      eduPassword = settings.capture().eduPassword();
    }
    if (take.test("--lms-url", org.edu2lms.cli.config.ConfigKey.SINK_LMS_URL)) {
      lmsUrl = settings.sink().lmsJdbcUrl();
    }
    if (take.test("--lms-user", org.edu2lms.cli.config.ConfigKey.SINK_LMS_USER)) {
      lmsUser = settings.sink().lmsUser();
    }
    if (take.test("--lms-password", org.edu2lms.cli.config.ConfigKey.SINK_LMS_PASSWORD)) {
      lmsPassword = settings.sink().lmsPassword();
    }
    if (take.test("--slot", org.edu2lms.cli.config.ConfigKey.CAPTURE_SLOT_NAME)) {
      slot = settings.capture().slotName();
    }
    if (take.test("--transform-group", org.edu2lms.cli.config.ConfigKey.TRANSFORM_APPLICATION_ID)) {
      transformGroup = settings.transform().applicationId();
    }
    if (take.test("--sink-group", org.edu2lms.cli.config.ConfigKey.SINK_GROUP_ID)) {
      sinkGroup = settings.sink().groupId();
    }
    kafkaClient = settings.capture().kafkaClient();
  }

  /** The {@code kafka.*} pass-through of the configuration (SASL, SSL) for the admin client. */
  private java.util.Map<String, String> kafkaClient = java.util.Map.of();

  /** A Kafka admin client for {@code --bootstrap-servers}. */
  Admin admin() {
    return LagReport.admin(bootstrapServers, "edu2lms-ops", kafkaClient);
  }

  /** @throws SQLException naming the URL when EDU cannot be reached */
  Connection edu() throws SQLException {
    return connect(eduUrl, eduUser, eduPassword, "--edu-url");
  }

  /** @throws SQLException naming the URL when LMS cannot be reached */
  Connection lms() throws SQLException {
    return connect(lmsUrl, lmsUser, lmsPassword, "--lms-url");
  }

  LagReport.Groups groups() {
    return new LagReport.Groups(slot, transformGroup, sinkGroup);
  }

  private static Connection connect(String url, String user, String password, String option) throws SQLException {
    try {
      Connection c = LagReport.connect(url, user, password, "edu2lms-ops");
      c.setAutoCommit(true);
      return c;
    } catch (SQLException e) {
      throw new SQLException("cannot connect to " + url + " (" + option + ") as " + user + ": " + e.getMessage(), e.getSQLState(), e);
    }
  }

  /**
   * The options that point {@code edu2lms lag} at a pipeline, for a message.
   *
   * @return e.g. {@code --bootstrap-servers localhost:41234 --edu-url … --lms-url …}
   */
  static String describe(String bootstrap, String eduUrl, String lmsUrl, String user) {
    return "--bootstrap-servers " + bootstrap + " --edu-url " + eduUrl + " --lms-url " + lmsUrl + " --edu-user " + user + " --lms-user " + user;
  }
}
