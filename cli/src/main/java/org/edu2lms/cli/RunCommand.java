package org.edu2lms.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;
import org.edu2lms.cli.config.ConfigKey;
import org.edu2lms.cli.config.Edu2LmsConfiguration;
import org.edu2lms.cli.ops.StatusServer;
import org.edu2lms.transform.TransformConfig;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms run capture|transform|sink|all}: runs one stage (or all three) of the pipeline
 * against existing PostgreSQL and Kafka servers until stopped (SIGTERM/Ctrl-C: a clean stop,
 * offsets committed) or until the stage fails (exit code 1 with the reason). Stages scale
 * separately: more transform or sink processes join the same consumer group. Each process serves
 * the status page and {@code /metrics} on {@code --http-port}. Its settings come from {@link
 * Edu2LmsConfiguration} (defaults, {@code --config} file, {@code EDU2LMS_*} environment, then the
 * options given here); a bad one stops it at start-up with the key named (exit code 2). It logs
 * INFO to standard output, each line naming the stage ({@link Logging#forStage}).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run one stage of the pipeline (capture, transform, sink) or all of them, until stopped.")
public final class RunCommand implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  /** What {@code run} accepts. */
  enum Which {
    capture,
    transform,
    sink,
    all;

    Set<Pipeline.Stage> stages() {
      return switch (this) {
        case capture -> EnumSet.of(Pipeline.Stage.CAPTURE);
        case transform -> EnumSet.of(Pipeline.Stage.TRANSFORM);
        case sink -> EnumSet.of(Pipeline.Stage.SINK);
        case all -> EnumSet.allOf(Pipeline.Stage.class);
      };
    }
  }

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "STAGE", description = "capture, transform, sink or all")
  Which which;

  @Mixin ConnectionOptions where;

  @Option(names = "--data-dir", defaultValue = "edu2lms-data", description = "the capture's offset file and the transform's state stores (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--partitions", defaultValue = "1", description = "partitions of the topics the pipeline creates when missing (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(names = "--commit-interval", defaultValue = "PT" + TransformConfig.DEFAULT_COMMIT_INTERVAL_MS / 1000.0 + "S", description = "the transform's commit interval while it keeps up (transform.commit.interval; default: ${DEFAULT-VALUE})")
  Duration commitInterval;

  @Option(names = "--stream-threads", defaultValue = "" + TransformConfig.DEFAULT_STREAM_THREADS, description = "the transform's stream threads (default: ${DEFAULT-VALUE})")
  int streamThreads;

  @Mixin HttpOptions http;

  @Option(
      names = "--log-format",
      paramLabel = "text|json",
      description = "log on standard output as text with ISO-8601 date-times or as one JSON object per line (log.format; default: text)")
  String logFormat;

  @Option(
      names = "--log-file",
      paramLabel = "FILE",
      description = "also log to this file, appended and rolled daily and at 100MB, 14 days kept (log.file; default: none)")
  Path logFile;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "configuration file (.properties, .yaml); default: $EDU2LMS_CONFIG, else none. Environment variables EDU2LMS_<KEY> and options on this command line override it (README §Configuration)")
  Path configFile;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    Edu2LmsConfiguration config;
    Pipeline.Settings settings;
    try {
      config = Edu2LmsConfiguration.load(configFile, commandLineValues(spec.commandLine().getParseResult()));
      settings = config.settings();
      Logging.forStage(which.name(), config.logFormat(), config.logFile().orElse(null));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "invalid configuration: " + e.getMessage());
    }
    LOG.info("edu2lms run {}: effective configuration{}{}", which, System.lineSeparator(), config.describe());
    String httpHost = config.text(ConfigKey.HTTP_HOST);
    int httpPort = config.integer(ConfigKey.HTTP_PORT);
    try {
      Path dataDir = Path.of(config.text(ConfigKey.DATA_DIR));
      Files.createDirectories(dataDir);
      Pipeline pipeline = new Pipeline(settings);
      CountDownLatch stopped = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                try {
                  pipeline.close();
                } catch (Exception e) {
                  System.err.println("edu2lms run: stopping: " + e.getMessage());
                } finally {
                  stopped.countDown();
                }
              },
              "edu2lms-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      pipeline.start(which.stages());
      StatusServer status = pipeline.serveStatus(httpHost, httpPort, HttpOptions.accountingInterval(false), config.notReadyAfter());
      out.printf("edu2lms run %s: started; status page http://%s:%d/ (metrics: /metrics)%n", which, httpHost, status.port());
      out.flush();
      Throwable failure;
      while ((failure = pipeline.failure()) == null && stopped.getCount() > 0) {
        Thread.sleep(500);
      }
      if (failure != null) {
        // Taken once: closing the pipeline forgets the stopped stage, and with it its failure.
        Runtime.getRuntime().removeShutdownHook(hook);
        pipeline.close();
        throw new IllegalStateException(failure.getMessage(), failure);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * The configuration keys set by options given on this command line (not their defaults): key →
   * (value, option).
   *
   * @throws ParameterException when {@code --edu-url} is not a {@code jdbc:postgresql:} URL
   */
  private Map<String, Map.Entry<String, String>> commandLineValues(ParseResult given) {
    Map<String, Map.Entry<String, String>> m = new LinkedHashMap<>();
    BiConsumer<String, Object[]> set =
        (option, keysAndValue) -> {
          if (given.hasMatchedOption(option)) {
            for (int i = 0; i < keysAndValue.length; i += 2) {
              m.put(((ConfigKey) keysAndValue[i]).key(), Map.entry(String.valueOf(keysAndValue[i + 1]), option));
            }
          }
        };
    set.accept("--bootstrap-servers", new Object[] {ConfigKey.KAFKA_BOOTSTRAP_SERVERS, where.bootstrapServers});
    if (given.hasMatchedOption("--edu-url")) {
      Properties url = Driver.parseURL(where.eduUrl, null);
      if (url == null) {
        throw new ParameterException(spec.commandLine(), "--edu-url is not a jdbc:postgresql: URL: " + where.eduUrl);
      }
      set.accept(
          "--edu-url",
          new Object[] {
            ConfigKey.CAPTURE_EDU_HOST, url.getProperty("PGHOST", "localhost").split(",")[0],
            ConfigKey.CAPTURE_EDU_PORT, url.getProperty("PGPORT", "5432").split(",")[0],
            ConfigKey.CAPTURE_EDU_DATABASE, url.getProperty("PGDBNAME", "")
          });
      if (url.getProperty("sslmode") != null) {
        set.accept("--edu-url", new Object[] {ConfigKey.CAPTURE_EDU_SSLMODE, url.getProperty("sslmode")});
      }
    }
    set.accept("--edu-user", new Object[] {ConfigKey.CAPTURE_EDU_USER, where.eduUser});
    set.accept("--edu-password", new Object[] {ConfigKey.CAPTURE_EDU_PASSWORD, where.eduPassword});
    set.accept("--lms-url", new Object[] {ConfigKey.SINK_LMS_URL, where.lmsUrl});
    set.accept("--lms-user", new Object[] {ConfigKey.SINK_LMS_USER, where.lmsUser});
    set.accept("--lms-password", new Object[] {ConfigKey.SINK_LMS_PASSWORD, where.lmsPassword});
    set.accept("--slot", new Object[] {ConfigKey.CAPTURE_SLOT_NAME, where.slot, ConfigKey.CAPTURE_PUBLICATION_NAME, where.slot});
    set.accept("--transform-group", new Object[] {ConfigKey.TRANSFORM_APPLICATION_ID, where.transformGroup});
    set.accept("--sink-group", new Object[] {ConfigKey.SINK_GROUP_ID, where.sinkGroup});
    set.accept("--data-dir", new Object[] {ConfigKey.DATA_DIR, dataDir});
    set.accept("--partitions", new Object[] {ConfigKey.TOPICS_PARTITIONS, partitions});
    set.accept("--commit-interval", new Object[] {ConfigKey.TRANSFORM_COMMIT_INTERVAL, commitInterval});
    set.accept("--stream-threads", new Object[] {ConfigKey.TRANSFORM_STREAM_THREADS, streamThreads});
    set.accept("--http-port", new Object[] {ConfigKey.HTTP_PORT, http.port});
    set.accept("--http-host", new Object[] {ConfigKey.HTTP_HOST, http.host});
    set.accept("--log-format", new Object[] {ConfigKey.LOG_FORMAT, logFormat});
    set.accept("--log-file", new Object[] {ConfigKey.LOG_FILE, logFile});
    return m;
  }
}
