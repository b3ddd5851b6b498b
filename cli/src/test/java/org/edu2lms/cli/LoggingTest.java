package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * How each kind of process logs ("operable for months"): a stage to standard output with ISO-8601
 * date-times and its name, as text or JSON, optionally to a rolled file that is appended to; the
 * operations commands and {@code --help} to standard error and never to a file. Each test
 * configures its own logger context, not the one of the test run.
 */
class LoggingTest {

  @TempDir Path dir;

  private final LoggerContext context = context();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** A context of its own, as the logback-classic provider would make it. */
  private static LoggerContext context() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    return context;
  }

  @AfterEach
  void stop() {
    context.stop();
  }

  private List<String> lines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private static List<Appender<ILoggingEvent>> appenders(LoggerContext context) {
    List<Appender<ILoggingEvent>> all = new ArrayList<>();
    for (Logger logger : context.getLoggerList()) {
      for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
        all.add(it.next());
      }
    }
    return all;
  }

  private static void assertRecent(OffsetDateTime time) {
    assertThat(Duration.between(time.toInstant(), java.time.Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
  }

  @Test
  void aStageLogsInfoAsTextWithAnIsoDateTimeAndTheStageName() {
    Logging.forStage(context, "capture", Logging.Format.TEXT, null, out);

    context.getLogger("org.edu2lms.capture.CaptureEngine").info("streaming from {}", "edu2lms");
    context.getLogger("org.edu2lms.capture.CaptureEngine").debug("not shown");
    context.getLogger("org.apache.kafka.clients.producer.KafkaProducer").info("not shown");
    context.getLogger("org.apache.kafka.clients.producer.KafkaProducer").warn("shown");
    context.getLogger("io.debezium.connector.postgresql.PostgresConnectorTask").info("snapshot done");

    List<String> lines = lines();
    assertThat(lines).hasSize(3);
    Pattern line = Pattern.compile("^(\\S+) (\\w+) +\\[(\\w+)\\] \\[([^\\]]+)\\] (\\S+) - (.*)$");
    Matcher first = line.matcher(lines.get(0));
    assertThat(first.matches()).as(lines.get(0)).isTrue();
    assertRecent(OffsetDateTime.parse(first.group(1)));
    assertThat(first.group(1)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)");
    assertThat(first.group(2)).isEqualTo("INFO");
    assertThat(first.group(3)).isEqualTo("capture");
    assertThat(first.group(4)).isEqualTo(Thread.currentThread().getName());
    assertThat(first.group(5)).isEqualTo("org.edu2lms.capture.CaptureEngine");
    assertThat(first.group(6)).isEqualTo("streaming from edu2lms");
    assertThat(lines.get(1)).contains(" WARN  [capture] ").endsWith(" - shown");
    assertThat(lines.get(2)).contains(" INFO  [capture] ").endsWith(" - snapshot done");
  }

  @Test
  void theStageNameIsOnLinesOfThreadsTheLibrariesCreate() throws Exception {
    Logging.forStage(context, "all", Logging.Format.TEXT, null, out);

    Thread streamThread = new Thread(() -> context.getLogger("io.debezium.embedded.EmbeddedEngine").info("engine started"), "debezium-engine");
    streamThread.start();
    streamThread.join();

    assertThat(lines()).singleElement().asString().contains(" INFO  [all] [debezium-engine] ").endsWith(" - engine started");
  }

  @Test
  void jsonIsOneParseableObjectPerLineWithTheStageAndAnIsoTimestamp() throws Exception {
    Logging.forStage(context, "transform", Logging.Format.JSON, null, out);

    context.getLogger("org.edu2lms.transform.TransformRunner").info("state {} -> {}", "REBALANCING", "RUNNING");
    context.getLogger("org.edu2lms.transform.TransformRunner").warn("commit failed", new IllegalStateException("broker gone"));

    List<String> lines = lines();
    assertThat(lines).hasSize(2);
    ObjectMapper json = new ObjectMapper();
    JsonNode info = json.readTree(lines.get(0));
    assertRecent(OffsetDateTime.parse(info.get("@timestamp").asText()));
    assertThat(info.get("level").asText()).isEqualTo("INFO");
    assertThat(info.get("logger_name").asText()).isEqualTo("org.edu2lms.transform.TransformRunner");
    assertThat(info.get("thread_name").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(info.get("message").asText()).isEqualTo("state REBALANCING -> RUNNING");
    assertThat(info.get("stage").asText()).isEqualTo("transform");
    assertThat(info.has("stack_trace")).isFalse();
    JsonNode warn = json.readTree(lines.get(1));
    assertThat(warn.get("level").asText()).isEqualTo("WARN");
    assertThat(warn.get("message").asText()).isEqualTo("commit failed");
    assertThat(warn.get("stage").asText()).isEqualTo("transform");
    assertThat(warn.get("stack_trace").asText()).startsWith("java.lang.IllegalStateException: broker gone");
  }

  @Test
  void theLogFileIsAppendedToAndRolledBySizeAndDay() throws Exception {
    Path file = dir.resolve("logs").resolve("sink.log");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "a line of the previous start\n");

    Logging.forStage(context, "sink", Logging.Format.TEXT, file, out);
    RollingFileAppender<?> rolling = (RollingFileAppender<?>) appenders(context).stream().filter(a -> a instanceof FileAppender).findFirst().orElseThrow();
    SizeAndTimeBasedRollingPolicy<?> policy = (SizeAndTimeBasedRollingPolicy<?>) rolling.getRollingPolicy();
    assertThat(rolling.isAppend()).isTrue();
    assertThat(policy.getFileNamePattern()).isEqualTo(file + ".%d{yyyy-MM-dd}.%i.gz");
    assertThat(policy.getMaxHistory()).isEqualTo(14);
    context.getLogger("org.edu2lms.sink.LmsSink").info("flushed {} rows", 500);
    context.stop();

    List<String> written = Files.readAllLines(file);
    assertThat(written).hasSize(2);
    assertThat(written.get(0)).isEqualTo("a line of the previous start");
    assertThat(written.get(1)).contains(" INFO  [sink] ").endsWith(" - flushed 500 rows");
    assertThat(lines()).singleElement().isEqualTo(written.get(1));
  }

  @Test
  void aLogFileThatCannotBeOpenedIsNamed() throws Exception {
    Path notAFolder = Files.writeString(dir.resolve("plain-file"), "");
    Path file = notAFolder.resolve("capture.log");

    assertThatThrownBy(() -> Logging.forStage(context, "capture", Logging.Format.TEXT, file, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot write the log file " + file);
  }

  @Test
  void demoAndBenchAppendToTheFileInTheirFolderAndShowOnlyErrorsOnTheTerminal() throws Exception {
    Path file = dir.resolve("edu2lms.log");
    Files.writeString(file, "kept\n");

    Logging.forEmbedded(context, "demo", file, out);
    context.getLogger("org.edu2lms.cli.Pipeline").info("capture started");
    context.getLogger("org.edu2lms.cli.Pipeline").error("sink failed");
    context.stop();

    List<String> written = Files.readAllLines(file);
    assertThat(written).hasSize(3);
    assertThat(written.get(0)).isEqualTo("kept");
    assertThat(written.get(1)).matches("\\d{4}-\\d\\d-\\d\\dT\\S+ INFO  \\[demo\\] \\[.+\\] org.edu2lms.cli.Pipeline - capture started");
    assertThat(written.get(2)).contains(" ERROR [demo] ").endsWith(" - sink failed");
    assertThat(lines()).containsExactly("ERROR o.e.cli.Pipeline - sink failed");
  }

  @Test
  void debeziumsKeepaliveErrorOnAStopIsDropped() {
    Logging.forStage(context, "capture", Logging.Format.TEXT, null, out);
    Logger replication = context.getLogger("io.debezium.connector.postgresql.connection.PostgresReplicationConnection");

    replication.error("Unexpected exception while performing keepalive status update on the replication stream", new InterruptedException());
    replication.info("Obtained valid replication slot");

    assertThat(lines()).singleElement().asString().endsWith(" - Obtained valid replication slot");
  }

  @Test
  void theDefaultConfigurationWritesWarningsToStandardErrorAndNoFile() throws Exception {
    LoggerContext defaults = context();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(defaults);
    configurator.doConfigure(LoggingTest.class.getResource("/logback.xml"));
    try {
      assertThat(appenders(defaults)).singleElement().isInstanceOfSatisfying(ConsoleAppender.class, a -> assertThat(a.getTarget()).isEqualTo("System.err"));
      Logger root = defaults.getLogger(Logger.ROOT_LOGGER_NAME);
      assertThat(root.getLevel()).isEqualTo(Level.WARN);
      assertThat(defaults.getLogger("org.edu2lms.cli.ops.Lag").isInfoEnabled()).isFalse();
      assertThat(defaults.getLogger("org.edu2lms.cli.ops.Lag").isWarnEnabled()).isTrue();
      assertThat(defaults.getLogger(Edu2LmsCommand.class).isWarnEnabled()).as("the one-line failure is enough on a terminal").isFalse();
    } finally {
      defaults.stop();
    }
  }

  /** Help and the operations commands keep logback.xml: no command replaces it before its work. */
  @ParameterizedTest
  @ValueSource(strings = {"--help", "run --help", "lag --help", "verify --help", "demo --help", "bench sink --help", "cutover-check --help"})
  void helpLeavesTheLoggingAloneAndCreatesNoFolder(String args) {
    Path cwd = Path.of("").toAbsolutePath();
    List<String> absent = Stream.of("edu2lms-data", "edu2lms-demo", "edu2lms-bench-data").filter(f -> !Files.exists(cwd.resolve(f))).toList();
    LoggerContext process = (LoggerContext) LoggerFactory.getILoggerFactory();
    List<Appender<ILoggingEvent>> before = appenders(process);
    StringWriter help = new StringWriter();

    int exit = new CommandLine(new Edu2LmsCommand()).setOut(new PrintWriter(help)).setErr(new PrintWriter(OutputStream.nullOutputStream())).execute(args.split(" "));

    assertThat(exit).isEqualTo(0);
    assertThat(help.toString()).startsWith("Usage: edu2lms");
    assertThat(appenders(process)).containsExactlyElementsOf(before);
    for (String folder : absent) {
      assertThat(cwd.resolve(folder)).as("created by " + args).doesNotExist();
    }
  }
}
