package org.edu2lms.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.joran.spi.ConsoleTarget;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.spi.FilterReply;
import ch.qos.logback.core.util.FileSize;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * How each kind of edu2lms process logs. Every command starts with {@code logback.xml}: WARN and
 * above to standard error, no file, which is all that operations commands ({@code lag}, {@code
 * verify}, {@code setup}, …) and {@code --help} ever use. A command that logs more replaces that
 * configuration before it starts its work:
 *
 * <ul>
 *   <li>{@code run <stage>}: {@link #forStage}, INFO to standard output, where container runtimes
 *       and log shippers read it, as text with ISO-8601 date-times or one JSON object per line;
 *       optionally also to a file that is appended to and rolled by size and day.
 *   <li>{@code demo}, {@code bench}: {@link #forEmbedded}, the terminal keeps their progress
 *       output, so the libraries' log goes to a file in the data folder they own (errors also to
 *       standard error).
 * </ul>
 *
 * <p>Each line names the stage through the logger-context property {@value #STAGE}, not the MDC:
 * Kafka Streams and Debezium log from threads they create, which an MDC set in edu2lms' own
 * threads would not reach. A {@code -Dlogback.configurationFile} given to the JVM is left alone.
 */
public final class Logging {

  /** The logger-context property naming the stage: a text column, a JSON field. */
  static final String STAGE = "stage";

  /** Date-time with milliseconds and the UTC offset ({@code Z} in UTC). */
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%property{" + STAGE + "}] [%thread] %logger{36} - %msg%n";

  /** Rolling of the {@code --log-file}: a file per day, cut at this size, gzipped. */
  static final FileSize MAX_FILE_SIZE = FileSize.valueOf("100MB");

  /** Days of rolled files kept. */
  static final int MAX_HISTORY = 14;

  /** All rolled files together, at most. */
  static final FileSize TOTAL_SIZE_CAP = FileSize.valueOf("2GB");

  /** The log file of {@code demo} and {@code bench} in their data folder. */
  static final String EMBEDDED_LOG_FILE = "edu2lms.log";

  /**
   * Levels by logger name, root WARN: edu2lms and Debezium say what they do; Kafka's clients and
   * the embedded servers only what goes wrong.
   */
  private static final Map<String, Level> LEVELS =
      Map.of("org.edu2lms", Level.INFO, "io.debezium", Level.INFO, "org.apache.kafka", Level.WARN, "kafka", Level.WARN, "io.zonky", Level.WARN);

  /** The format of a stage's log lines ({@code log.format}). */
  public enum Format {
    /** One line of text per event. */
    TEXT,
    /** One JSON object per event (logstash-logback-encoder's fields plus {@value #STAGE}). */
    JSON;

    /**
     * @throws IllegalArgumentException unless {@code text} or {@code json} (any case)
     */
    public static Format of(String name) {
      try {
        return valueOf(name.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("log format must be text or json, got '" + name + "'", e);
      }
    }
  }

  private Logging() {}

  /**
   * Configures the process for a pipeline stage: INFO to standard output, and to {@code file}
   * when given.
   *
   * @param stage the {@value #STAGE} of every line, e.g. {@code capture} or {@code all}
   * @param file the log file, or {@code null} for none
   * @throws IllegalArgumentException when the log file cannot be opened
   */
  static void forStage(String stage, Format format, Path file) {
    if (System.getProperty("logback.configurationFile") == null) {
      forStage(context(), stage, format, file, ConsoleTarget.SystemOut.getStream());
    }
  }

  /**
   * {@link #forStage(String, Format, Path)} on the given context and stream.
   *
   * @param console where every INFO line goes; not closed when the context is reset
   */
  static void forStage(LoggerContext context, String stage, Format format, Path file, OutputStream console) {
    reset(context, stage);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(stream(context, "CONSOLE", encoder(context, format), console, Level.ALL));
    if (file != null) {
      root.addAppender(rollingFile(context, file, encoder(context, format)));
    }
  }

  /**
   * Configures the process for {@code demo} or {@code bench}: text lines appended to {@value
   * #EMBEDDED_LOG_FILE} in their data folder, errors also to standard error.
   *
   * @param name the {@value #STAGE} of every line, e.g. {@code demo}
   * @throws IllegalArgumentException when the log file cannot be opened
   */
  static void forEmbedded(String name, Path dataDir) {
    if (System.getProperty("logback.configurationFile") == null) {
      forEmbedded(context(), name, dataDir.resolve(EMBEDDED_LOG_FILE), ConsoleTarget.SystemErr.getStream());
    }
  }

  /** {@link #forEmbedded(String, Path)} on the given context, file and error stream. */
  static void forEmbedded(LoggerContext context, String name, Path file, OutputStream errors) {
    reset(context, name);
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("FILE");
    appender.setFile(file.toString());
    appender.setAppend(true);
    appender.setEncoder(encoder(context, Format.TEXT));
    start(appender, file);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    PatternLayoutEncoder brief = new PatternLayoutEncoder();
    brief.setContext(context);
    brief.setPattern("%-5level %logger{20} - %msg%n");
    brief.start();
    root.addAppender(stream(context, "STDERR", brief, errors, Level.ERROR));
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  /** Drops the current configuration; sets the levels, the stage and the noise filter. */
  private static void reset(LoggerContext context, String stage) {
    context.reset();
    context.putProperty(STAGE, stage);
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    TurboFilter keepalive = new KeepaliveOnStop();
    keepalive.setContext(context);
    keepalive.start();
    context.addTurboFilter(keepalive);
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, Format format) {
    Encoder<ILoggingEvent> encoder;
    if (format == Format.JSON) {
      // Context properties are fields of each object: "stage" among them.
      encoder = new LogstashEncoder();
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(PATTERN);
      encoder = text;
    }
    encoder.setContext(context);
    encoder.start();
    return encoder;
  }

  private static Appender<ILoggingEvent> stream(LoggerContext context, String name, Encoder<ILoggingEvent> encoder, OutputStream out, Level threshold) {
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setName(name);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    ThresholdFilter filter = new ThresholdFilter();
    filter.setLevel(threshold.levelStr);
    filter.start();
    appender.addFilter(filter);
    appender.start();
    return appender;
  }

  private static Appender<ILoggingEvent> rollingFile(LoggerContext context, Path file, Encoder<ILoggingEvent> encoder) {
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setName("FILE");
    appender.setFile(file.toString());
    appender.setAppend(true);
    appender.setEncoder(encoder);
    SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
    policy.setContext(context);
    policy.setParent(appender);
    policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
    policy.setMaxFileSize(MAX_FILE_SIZE);
    policy.setMaxHistory(MAX_HISTORY);
    policy.setTotalSizeCap(TOTAL_SIZE_CAP);
    policy.start();
    appender.setRollingPolicy(policy);
    start(appender, file);
    return appender;
  }

  /**
   * @throws IllegalArgumentException naming the file when the appender did not start (logback
   *     reports the reason only as a status message)
   */
  private static void start(FileAppender<ILoggingEvent> appender, Path file) {
    appender.start();
    if (!appender.isStarted()) {
      String reason =
          appender.getContext().getStatusManager().getCopyOfStatusList().stream()
              .filter(s -> s.getLevel() == ch.qos.logback.core.status.Status.ERROR)
              .reduce((a, b) -> b)
              .map(s -> ": " + s.getMessage() + (s.getThrowable() != null ? " (" + s.getThrowable().getMessage() + ")" : ""))
              .orElse("");
      throw new IllegalArgumentException("cannot write the log file " + file + reason);
    }
  }

  /**
   * Drops the error Debezium's keepalive thread logs when the capture stops and closes its
   * replication connection under it: it appears on every clean stop. A replication stream that
   * really breaks fails the capture itself, with the reason.
   */
  private static final class KeepaliveOnStop extends TurboFilter {

    private static final String LOGGER = "io.debezium.connector.postgresql.connection.PostgresReplicationConnection";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
      return level == Level.ERROR && LOGGER.equals(logger.getName()) && format != null && format.startsWith("Unexpected exception while performing keepalive")
          ? FilterReply.DENY
          : FilterReply.NEUTRAL;
    }
  }
}
