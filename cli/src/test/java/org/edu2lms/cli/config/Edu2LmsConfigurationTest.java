package org.edu2lms.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.edu2lms.cli.Edu2LmsCommand;
import org.edu2lms.cli.Logging;
import org.edu2lms.cli.Pipeline;
import org.edu2lms.sink.StageMethod;
import org.edu2lms.transform.EduToLmsTopology;
import org.edu2lms.schemas.EduTables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The configuration sources, their precedence, the checks and the masking (README §Configuration). */
class Edu2LmsConfigurationTest {

  @TempDir Path dir;

  private Path write(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  @Test
  void theDefaultsMakeValidSettings() {
    Pipeline.Settings s = Edu2LmsConfiguration.load(null, Map.of(), Map.of()).settings();
    assertThat(s.capture().eduHost()).isEqualTo("localhost");
    assertThat(s.capture().eduPort()).isEqualTo(5432);
    assertThat(s.capture().eduDatabase()).isEqualTo("edu");
    assertThat(s.capture().slotName()).isEqualTo("edu2lms");
    assertThat(s.capture().offsetFile()).isEqualTo(Path.of("edu2lms-data", "capture-offsets.dat"));
    assertThat(s.capture().heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.capture().eduSslMode()).isEqualTo("prefer");
    assertThat(s.capture().snapshotHeldTables()).containsExactly("exam_result", "journal", "journal_details");
    assertThat(s.transform().stateDir()).isEqualTo(Path.of("edu2lms-data", "streams"));
    assertThat(s.transform().commitIntervalMs()).isEqualTo(20);
    assertThat(s.transform().catchUpCommitIntervalMs()).isEqualTo(500);
    assertThat(s.transform().catchUpLag()).isEqualTo(20_000);
    assertThat(s.transform().streamThreads()).isEqualTo(2);
    assertThat(s.sink().lmsJdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/lms");
    assertThat(s.sink().stageMethod()).isEqualTo(StageMethod.INSERT);
    assertThat(s.sink().upsertConnections()).isEqualTo(2);
    assertThat(s.sink().parkedGrace()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.partitions()).isEqualTo(1);
    assertThat(s.replicationFactor()).isEqualTo((short) 1);
  }

  @Test
  void aYamlFileWithNestedAndDottedKeysSetsTheSameKeys() throws Exception {
    Path yaml =
        write(
            "edu2lms.yaml",
            """
            kafka:
              bootstrap.servers: [k1:9092, k2:9092]
            capture:
              edu:
                host: edu.example
                port: 6432
              heartbeat.interval: 500ms
            sink.max.poll.records: 2000
            sink:
              stage:
                method: COPY
            topics.replication.factor: 3
            data.dir: /var/lib/edu2lms
            """);
    Edu2LmsConfiguration c = Edu2LmsConfiguration.load(yaml, Map.of(), Map.of());
    Pipeline.Settings s = c.settings();
    assertThat(s.capture().kafkaBootstrap()).isEqualTo("k1:9092,k2:9092");
    assertThat(s.sink().kafkaBootstrap()).isEqualTo("k1:9092,k2:9092");
    assertThat(s.capture().eduHost()).isEqualTo("edu.example");
    assertThat(s.capture().eduPort()).isEqualTo(6432);
    assertThat(s.capture().heartbeatInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.sink().maxPollRecords()).isEqualTo(2000);
    assertThat(s.sink().stageMethod()).isEqualTo(StageMethod.COPY);
    assertThat(s.replicationFactor()).isEqualTo((short) 3);
    assertThat(s.capture().offsetFile()).isEqualTo(Path.of("/var/lib/edu2lms/capture-offsets.dat"));
    assertThat(c.value(ConfigKey.CAPTURE_EDU_HOST).origin()).isEqualTo("file " + yaml);
    assertThat(c.value(ConfigKey.CAPTURE_EDU_DATABASE).origin()).isEqualTo("default");
  }

  @Test
  void environmentOverridesTheFileAndTheCommandLineOverridesBoth() throws Exception {
    Path props = write("edu2lms.properties", "sink.lms.user=from_file\nsink.group.id=file-group\ntransform.stream.threads=4\n");
    Edu2LmsConfiguration c =
        Edu2LmsConfiguration.load(
            props,
            Map.of("EDU2LMS_SINK_LMS_USER", "from_env", "EDU2LMS_TRANSFORM_STREAM_THREADS", "3", "PATH", "/usr/bin"),
            Map.of("transform.stream.threads", Map.entry("1", "--stream-threads")));
    Pipeline.Settings s = c.settings();
    assertThat(s.sink().lmsUser()).isEqualTo("from_env");
    assertThat(s.sink().groupId()).isEqualTo("file-group");
    assertThat(s.transform().streamThreads()).isEqualTo(1);
    assertThat(c.value(ConfigKey.SINK_LMS_USER).origin()).isEqualTo("env EDU2LMS_SINK_LMS_USER");
    assertThat(c.value(ConfigKey.TRANSFORM_STREAM_THREADS).origin()).isEqualTo("command line --stream-threads");
  }

  @Test
  void aSecretFromAFileKeepsItsValueAndIsNeverPrinted() throws Exception {
    Path secret = write("lms_password", "s3cr:et pass\n");
    Edu2LmsConfiguration c =
        Edu2LmsConfiguration.load(
            null,
            Map.of("EDU2LMS_SINK_LMS_PASSWORD_FILE", secret.toString(), "EDU2LMS_EDU_PASSWORD", "edu-secret", "EDU2LMS_KAFKA_SASL_JAAS_CONFIG", "jaas-secret"),
            Map.of());
    Pipeline.Settings s = c.settings();
    assertThat(s.sink().lmsPassword()).isEqualTo("s3cr:et pass");
    assertThat(s.capture().eduPassword()).isEqualTo("edu-secret");
    assertThat(s.sink().kafkaClient()).containsEntry("sasl.jaas.config", "jaas-secret");
    String printed = c.describe() + s.capture() + s.sink() + s.transform();
    assertThat(printed).doesNotContain("s3cr:et", "edu-secret", "jaas-secret");
    assertThat(c.describe())
        .containsPattern("sink\\.lms\\.password\\s+= \\*\\*\\*\\*\\s+# env EDU2LMS_SINK_LMS_PASSWORD_FILE \\(" + java.util.regex.Pattern.quote(secret.toString()) + "\\)")
        .containsPattern("capture\\.edu\\.password\\s+= \\*\\*\\*\\*\\s+# env EDU2LMS_EDU_PASSWORD")
        .containsPattern("kafka\\.sasl\\.jaas\\.config\\s+= \\*\\*\\*\\*");
  }

  @Test
  void aVariableAndItsFileVariantTogetherAreRefused() throws Exception {
    Path secret = write("pw", "x");
    assertThatThrownBy(
            () -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_SINK_LMS_PASSWORD", "a", "EDU2LMS_SINK_LMS_PASSWORD_FILE", secret.toString()), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("both EDU2LMS_SINK_LMS_PASSWORD and EDU2LMS_SINK_LMS_PASSWORD_FILE set sink.lms.password: set one of them");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_SINK_LMS_PASSWORD_FILE", dir.resolve("missing").toString()), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("EDU2LMS_SINK_LMS_PASSWORD_FILE: cannot read " + dir.resolve("missing"));
  }

  @Test
  void unknownKeysAreRefusedWithTheKeyNamed() throws Exception {
    Path props = write("typo.properties", "sink.lms.urll=jdbc:postgresql://lms/lms\n");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(props, Map.of(), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("unknown configuration key sink.lms.urll in " + props + " (known sink.* keys: sink.lms.url,");
    Path yaml = write("typo.yaml", "capture:\n  edu:\n    hots: edu\n");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(yaml, Map.of(), Map.of()))
        .hasMessageStartingWith("unknown configuration key capture.edu.hots in " + yaml);
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_SINK_LMS_PASWORD", "x"), Map.of()))
        .hasMessageStartingWith("unknown environment variable EDU2LMS_SINK_LMS_PASWORD: no configuration key sink.lms.pasword");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(write("x.conf", "a=b"), Map.of(), Map.of()))
        .hasMessageEndingWith("x.conf: a configuration file ends in .properties, .yaml or .yml");
  }

  @Test
  void badValuesNameTheKeyAndWhereTheyWereSet() throws Exception {
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_SINK_MAX_POLL_RECORDS", "lots"), Map.of()).settings())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("sink.max.poll.records must be an integer, got 'lots' (env EDU2LMS_SINK_MAX_POLL_RECORDS)");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_SINK_MAX_POLL_RECORDS", "0"), Map.of()).settings())
        .hasMessage("sink.max.poll.records must be 1..100000, got 0 (env EDU2LMS_SINK_MAX_POLL_RECORDS)");
    Path props = write("bad.properties", "sink.parked.grace=soon\n");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(props, Map.of(), Map.of()).settings())
        .hasMessage("sink.parked.grace must be a duration such as 500ms, 2s, 5m, 1h or PT0.5S, got 'soon' (file " + props + ")");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_CAPTURE_EDU_SSLMODE", "on"), Map.of()).settings())
        .hasMessageStartingWith("capture.edu.sslmode must be one of [allow, disable, prefer, require, verify-ca, verify-full], got on (env EDU2LMS_CAPTURE_EDU_SSLMODE)");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_SINK_STAGE_METHOD", "bulk"), Map.of()).settings())
        .hasMessage("sink.stage.method must be insert or copy, got 'bulk' (env EDU2LMS_SINK_STAGE_METHOD)");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_SINK_UPSERT_CONNECTIONS", "9"), Map.of()).settings())
        .hasMessage("sink.upsert.connections must be 1..8, got 9 (env EDU2LMS_SINK_UPSERT_CONNECTIONS)");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_CAPTURE_SNAPSHOT_HELD_TABLES", "journal, grades"), Map.of()).settings())
        .hasMessageStartingWith("capture.snapshot.held.tables names 'grades', which is not an EDU table; the tables are: dictionaries, points,")
        .hasMessageEndingWith("(env EDU2LMS_CAPTURE_SNAPSHOT_HELD_TABLES)");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_TRANSFORM_CATCHUP_COMMIT_INTERVAL", "10ms"), Map.of()).settings())
        .hasMessageStartingWith("transform.catchup.commit.interval must be at least transform.commit.interval (20 ms), got 10 ms")
        .hasMessageContaining("EDU2LMS_TRANSFORM_CATCHUP_COMMIT_INTERVAL");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_TRANSFORM_CATCHUP_LAG", "5"), Map.of()).settings())
        .hasMessageStartingWith("transform.catchup.lag must be at least 100 records, got 5")
        .hasMessageContaining("EDU2LMS_TRANSFORM_CATCHUP_LAG");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_LOG_FORMAT", "yaml"), Map.of()).settings())
        .hasMessage("log.format must be text or json, got 'yaml' (env EDU2LMS_LOG_FORMAT)");
  }

  @Test
  void aStageLogsTextToStandardOutputOnlyUnlessTheLogKeysSaySo() throws Exception {
    Edu2LmsConfiguration defaults = Edu2LmsConfiguration.load(null, Map.of(), Map.of());
    assertThat(defaults.logFormat()).isEqualTo(Logging.Format.TEXT);
    assertThat(defaults.logFile()).isEmpty();

    Path yaml = write("log.yaml", "log:\n  format: JSON\n  file: /var/log/edu2lms/capture.log\n");
    Edu2LmsConfiguration set = Edu2LmsConfiguration.load(yaml, Map.of(), Map.of());
    assertThat(set.logFormat()).isEqualTo(Logging.Format.JSON);
    assertThat(set.logFile()).contains(Path.of("/var/log/edu2lms/capture.log"));
  }

  @Test
  void theTablesHeldForTheTransformAreSnapshottedLastInTheirOrderAndAnEmptyListHoldsNone() {
    Pipeline.Settings s =
        Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_CAPTURE_SNAPSHOT_HELD_TABLES", " journal_details , journal"), Map.of()).settings();
    assertThat(s.capture().snapshotHeldTables()).containsExactly("journal_details", "journal");
    List<String> order = s.capture().snapshotOrder();
    assertThat(order).hasSameSizeAs(EduTables.ALL).containsExactlyInAnyOrderElementsOf(EduTables.ALL);
    assertThat(order.subList(order.size() - 2, order.size())).containsExactly("journal_details", "journal");
    assertThat(s.capture().debeziumProperties().getProperty("table.include.list"))
        .endsWith("public\\.exam_result,public\\.journal_details,public\\.journal,public\\.edu2lms_heartbeat,public\\.edu2lms_signal");

    Pipeline.Settings none = Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_CAPTURE_SNAPSHOT_HELD_TABLES", ""), Map.of()).settings();
    assertThat(none.capture().snapshotHeldTables()).isEmpty();
    assertThat(none.capture().snapshotOrder()).isEqualTo(EduTables.ALL);
  }

  @Test
  void passThroughKeysReachTheLibrariesAndCannotChangeWhatEdu2lmsOwns() throws Exception {
    Path yaml =
        write(
            "tls.yaml",
            """
            kafka.security.protocol: SASL_SSL
            kafka.ssl.truststore.location: /certs/kafka.jks
            streams.rocksdb.config.setter: com.example.Setter
            debezium.database.sslrootcert: /certs/edu-root.crt
            capture.edu.sslmode: verify-full
            """);
    Pipeline.Settings s =
        Edu2LmsConfiguration.load(yaml, Map.of("EDU2LMS_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"), Map.of()).settings();
    Properties streams = EduToLmsTopology.streamsConfig(s.transform());
    assertThat(streams.getProperty("security.protocol")).isEqualTo("SASL_SSL");
    assertThat(streams.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
    assertThat(streams.getProperty("rocksdb.config.setter")).isEqualTo("com.example.Setter");
    assertThat(streams.getProperty("processing.guarantee")).isEqualTo("exactly_once_v2");
    Properties debezium = s.capture().debeziumProperties();
    assertThat(debezium.getProperty("database.sslrootcert")).isEqualTo("/certs/edu-root.crt");
    assertThat(debezium.getProperty("database.sslmode")).isEqualTo("verify-full");
    assertThat(s.capture().eduJdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/edu?sslmode=verify-full&sslrootcert=%2Fcerts%2Fedu-root.crt");
    assertThat(s.sink().kafkaClient()).containsEntry("ssl.truststore.location", "/certs/kafka.jks").containsEntry("security.protocol", "SASL_SSL");

    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_KAFKA_ACKS", "1"), Map.of()).settings())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("kafka.acks is set by edu2lms and cannot be overridden");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_STREAMS_PROCESSING_GUARANTEE", "at_least_once"), Map.of()).settings())
        .hasMessageStartingWith("streams.processing.guarantee is set by edu2lms and cannot be overridden");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_KAFKA_PROCESSING_GUARANTEE", "at_least_once"), Map.of()).settings())
        .as("kafka.* reaches Kafka Streams too")
        .hasMessageStartingWith("kafka.processing.guarantee is set by edu2lms and cannot be overridden");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_DEBEZIUM_EVENT_PROCESSING_FAILURE_HANDLING_MODE", "skip"), Map.of()).settings())
        .hasMessageStartingWith("debezium.event.processing.failure.handling.mode is set by edu2lms and cannot be overridden");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(write("d.properties", "debezium.slot.name=other\n"), Map.of(), Map.of()).settings())
        .hasMessageStartingWith("debezium.slot.name is set by edu2lms and cannot be overridden");
  }

  @Test
  void aKeyEndingInFileIsSetByItsOwnVariableAndTwoVariablesForOneKeyAreRefused() throws Exception {
    Edu2LmsConfiguration c = Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_CAPTURE_OFFSET_FILE", "/var/lib/edu2lms/offsets.dat"), Map.of());
    assertThat(c.settings().capture().offsetFile()).isEqualTo(Path.of("/var/lib/edu2lms/offsets.dat"));
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_EDU_PASSWORD", "a", "EDU2LMS_CAPTURE_EDU_PASSWORD", "b"), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("both EDU2LMS_CAPTURE_EDU_PASSWORD and EDU2LMS_EDU_PASSWORD set capture.edu.password: set one of them");
    // edu2lms' own variables that are not keys are not refused.
    assertThat(Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_SETUP_PASSWORD", "x", "EDU2LMS_TEST_INFRASTRUCTURE", "embedded", "EDU2LMS_JAVA_OPTS", "-Xmx1g"), Map.of())
            .settings().sink().groupId())
        .isEqualTo("edu2lms-sink");
  }

  @Test
  void aPasswordInsideAUrlIsMaskedAndAFileThatDoesNotParseIsNotQuoted() throws Exception {
    Edu2LmsConfiguration c =
        Edu2LmsConfiguration.load(null, Map.of("EDU2LMS_SINK_LMS_URL", "jdbc:postgresql://lms/lms?user=x&password=hunter2&sslpassword=k3y&sslmode=require"), Map.of());
    assertThat(c.describe()).contains("jdbc:postgresql://lms/lms?user=x&password=****&sslpassword=****&sslmode=require").doesNotContain("hunter2", "k3y");
    assertThat(c.settings().sink().toString()).doesNotContain("hunter2", "k3y");
    assertThat(c.settings().sink().lmsJdbcUrl()).contains("password=hunter2");
    Path broken = write("broken.yaml", "sink:\n  lms:\n    password: \"hunter2\n  url: [\n");
    assertThatThrownBy(() -> Edu2LmsConfiguration.load(broken, Map.of(), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("cannot read the configuration file " + broken + ": not valid YAML at line ")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void durationsTakeUnitsOrIso8601() {
    assertThat(Edu2LmsConfiguration.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Edu2LmsConfiguration.parseDuration("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(Edu2LmsConfiguration.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Edu2LmsConfiguration.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Edu2LmsConfiguration.parseDuration("PT0.5S")).isEqualTo(Duration.ofMillis(500));
    assertThatThrownBy(() -> Edu2LmsConfiguration.parseDuration("5 minutes")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void configCheckPrintsTheEffectiveConfigurationAndExitsOneWhenInvalid() throws Exception {
    Path good = write("good.properties", "sink.lms.url=jdbc:postgresql://lms:5432/lms\nsink.lms.password=hunter2\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Edu2LmsCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    assertThat(cli.execute("config", "check", "--config", good.toString())).isEqualTo(0);
    assertThat(out.toString())
        .containsPattern("(?m)^sink\\.lms\\.url\\s+= jdbc:postgresql://lms:5432/lms\\s+# file " + java.util.regex.Pattern.quote(good.toString()) + "$")
        .containsPattern("(?m)^sink\\.lms\\.password\\s+= \\*\\*\\*\\*\\s+# file ")
        .containsPattern("(?m)^capture\\.offset\\.file\\s+= edu2lms-data/capture-offsets\\.dat\\s+# data\\.dir \\+ capture-offsets\\.dat$")
        .contains("configuration valid for capture, transform and sink")
        .doesNotContain("hunter2");

    Path bad = write("bad.properties", "transform.stream.threads=0\n");
    StringWriter err2 = new StringWriter();
    CommandLine cli2 = new CommandLine(new Edu2LmsCommand()).setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err2));
    assertThat(cli2.execute("config", "check", "--config", bad.toString())).isEqualTo(1);
    assertThat(err2.toString().strip())
        .isEqualTo("edu2lms config check: INVALID: transform.stream.threads must be 1..64, got 0 (file " + bad + ")");
  }
}
