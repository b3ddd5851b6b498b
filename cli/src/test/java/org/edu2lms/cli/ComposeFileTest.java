package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edu2lms.cli.config.Edu2LmsConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * The structure of {@code docker-compose.yml}, the {@code Dockerfile} and the monitoring files
 * (issue 7; no Docker engine here, so they are checked against the program instead of run):
 * every edu2lms service's command parses as an {@code edu2lms} command line, its {@code EDU2LMS_*}
 * variables are configuration keys whose values pass the start-up checks, its secrets exist,
 * dependencies point at services that can satisfy them, Prometheus scrapes the stages where they
 * serve {@code /metrics}, and the image builds every module of the reactor as a non-root user.
 */
class ComposeFileTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static Map<String, Object> compose;
  private static Map<String, Map<String, Object>> services;

  @TempDir static Path dir;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void parse() throws Exception {
    // SnakeYAML resolves the anchors and merge keys (<<: *stage) the way Docker Compose does.
    compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    services = (Map<String, Map<String, Object>>) compose.get("services");
  }

  private static boolean ours(Map<String, Object> service) {
    return "edu2lms:latest".equals(service.get("image"));
  }

  @SuppressWarnings("unchecked")
  private static List<String> list(Object o) {
    return o == null ? List.of() : new ArrayList<>((List<String>) o);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(Map<String, Object> service) {
    Map<String, String> env = new HashMap<>();
    Object e = service.get("environment");
    if (e instanceof Map<?, ?> m) {
      m.forEach((k, v) -> env.put((String) k, String.valueOf(v)));
    }
    return env;
  }

  @Test
  void theStackHasEveryServiceOfTheIssue() {
    assertThat(services.keySet())
        .contains("edu", "lms", "kafka", "edu-demo-data", "edu-setup", "lms-setup", "topics", "capture", "transform", "sink", "prometheus", "grafana");
    services.forEach(
        (name, s) -> {
          assertThat(s.get("image")).as(name + " image").isNotNull();
          if (!ours(s)) {
            assertThat((String) s.get("image")).as(name + " image is pinned").matches("[a-z0-9./-]+:v?[0-9][0-9a-z.]*");
            assertThat(s).as(name + " is not built here").doesNotContainKey("build");
          } else {
            assertThat(s.get("build")).as(name + " builds the repository's Dockerfile").isEqualTo(".");
          }
        });
  }

  @Test
  void everyEdu2lmsCommandParsesAsTheProgramsCommandLine() {
    services.forEach(
        (name, s) -> {
          if (ours(s)) {
            List<String> command = list(s.get("command"));
            assertThat(command).as(name + " command").isNotEmpty();
            CommandLine cli = new CommandLine(new Edu2LmsCommand());
            CommandLine.ParseResult parsed = cli.parseArgs(command.toArray(String[]::new));
            assertThat(parsed.hasSubcommand()).as(name + " runs a subcommand").isTrue();
          }
        });
    assertThat(list(services.get("capture").get("command"))).containsExactly("run", "capture");
    assertThat(list(services.get("transform").get("command"))).containsExactly("run", "transform");
    assertThat(list(services.get("sink").get("command"))).containsExactly("run", "sink");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyStageVariableIsAConfigurationKeyWithAValidValueAndItsSecretsExist() throws Exception {
    Map<String, Object> declaredSecrets = (Map<String, Object>) compose.get("secrets");
    for (String stage : List.of("topics", "capture", "transform", "sink")) {
      Map<String, Object> s = services.get(stage);
      Map<String, String> env = environment(s);
      assertThat(env).as(stage).containsKeys("EDU2LMS_KAFKA_BOOTSTRAP_SERVERS", "EDU2LMS_HTTP_HOST");
      List<String> secrets = list(s.get("secrets"));
      Map<String, String> resolved = new HashMap<>();
      for (Map.Entry<String, String> e : env.entrySet()) {
        assertThat(e.getKey()).as(stage + " variable").startsWith("EDU2LMS_");
        if (e.getKey().endsWith("_FILE")) {
          Matcher m = Pattern.compile("/run/secrets/([a-z0-9_]+)").matcher(e.getValue());
          assertThat(m.matches()).as(stage + " " + e.getKey() + " is a Docker secret").isTrue();
          assertThat(secrets).as(stage + " mounts secret " + m.group(1)).contains(m.group(1));
          assertThat(declaredSecrets).as("secret " + m.group(1) + " is declared").containsKey(m.group(1));
          Path local = dir.resolve(m.group(1));
          Files.writeString(local, "a-secret\n");
          resolved.put(e.getKey(), local.toString());
        } else {
          resolved.put(e.getKey(), e.getValue());
        }
      }
      // The same loader and checks as `edu2lms run` at start-up: unknown keys or bad values fail.
      Edu2LmsConfiguration config = Edu2LmsConfiguration.load(null, resolved, Map.of());
      var settings = config.settings();
      assertThat(settings.capture().eduUser()).isEqualTo("edu2lms_capture");
      assertThat(settings.sink().lmsUser()).isEqualTo("edu2lms_sink");
      assertThat(settings.sink().lmsPassword()).isEqualTo("a-secret");
      assertThat(env).as(stage + ": passwords only as files").doesNotContainKeys("EDU2LMS_CAPTURE_EDU_PASSWORD", "EDU2LMS_SINK_LMS_PASSWORD");
    }
    for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
      for (String secret : list(e.getValue().get("secrets"))) {
        assertThat(declaredSecrets).as(e.getKey() + " secret " + secret).containsKey(secret);
      }
      assertThat(String.valueOf(e.getValue().get("environment"))).as(e.getKey() + " holds no password in clear").doesNotContainPattern("PASSWORD[A-Z_]*=[^/]");
    }
    declaredSecrets.values().forEach(v -> assertThat(((Map<String, String>) v).get("file")).startsWith("./secrets/").endsWith(".txt"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void dependenciesPointAtServicesThatCanSatisfyThem() {
    services.forEach(
        (name, s) -> {
          Object deps = s.get("depends_on");
          Map<String, String> conditions = new HashMap<>();
          if (deps instanceof List<?> l) {
            l.forEach(d -> conditions.put((String) d, "service_started"));
          } else if (deps instanceof Map<?, ?> m) {
            m.forEach((k, v) -> conditions.put((String) k, ((Map<String, String>) v).get("condition")));
          }
          conditions.forEach(
              (dep, condition) -> {
                assertThat(services).as(name + " depends on " + dep).containsKey(dep);
                Map<String, Object> target = services.get(dep);
                switch (condition) {
                  case "service_healthy" -> assertThat(target).as(dep + " has a healthcheck").containsKey("healthcheck");
                  case "service_completed_successfully" -> assertThat(target.get("restart")).as(dep + " is a one-shot").isEqualTo("no");
                  case "service_started" -> {}
                  default -> throw new AssertionError(name + ": unknown condition " + condition);
                }
              });
        });
    assertThat(services.get("capture").get("depends_on").toString()).contains("edu-setup").contains("topics");
    assertThat(services.get("sink").get("depends_on").toString()).contains("lms-setup").contains("topics");
    for (String stage : List.of("capture", "transform", "sink")) {
      assertThat(services.get(stage).get("restart")).as(stage + " restart policy").isEqualTo("unless-stopped");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void portsVolumesAndTheDatabaseAndKafkaSettingsAreConsistent() {
    Set<String> hostPorts = new HashSet<>();
    Map<String, Object> volumes = (Map<String, Object>) compose.get("volumes");
    services.forEach(
        (name, s) -> {
          for (String port : list(s.get("ports"))) {
            assertThat(hostPorts.add(port.split(":")[0])).as(name + " host port " + port + " unique").isTrue();
          }
          for (String v : list(s.get("volumes"))) {
            String source = v.split(":")[0];
            if (source.startsWith("./")) {
              assertThat(ROOT.resolve(source)).as(name + " mounts " + source).exists();
            } else {
              assertThat(volumes).as(name + " volume " + source + " declared").containsKey(source);
            }
          }
        });
    for (String stage : List.of("capture", "transform", "sink")) {
      Map<String, Object> s = services.get(stage);
      String httpPort = environment(s).get("EDU2LMS_HTTP_PORT");
      assertThat(list(s.get("ports"))).as(stage + " publishes its status port").hasSize(1).allMatch(p -> p.endsWith(":" + httpPort));
      assertThat(list(s.get("volumes"))).as(stage + " keeps its data folder").anyMatch(v -> v.endsWith(":/var/lib/edu2lms/data"));
    }
    String eduCommand = String.join(" ", list(services.get("edu").get("command")));
    assertThat(eduCommand).contains("wal_level=logical").containsPattern("max_slot_wal_keep_size=\\d+[GM]B");
    Map<String, String> kafka = environment(services.get("kafka"));
    assertThat(kafka.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
    assertThat(kafka.get("KAFKA_ADVERTISED_LISTENERS")).contains("PLAINTEXT://kafka:9092");
    assertThat(environment(services.get("capture")).get("EDU2LMS_KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
    assertThat(services.get("kafka").get("image")).isEqualTo("apache/kafka:4.1.0");
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheusScrapesTheThreeStagesWhereTheyServeMetricsAndGrafanaIsProvisioned() throws Exception {
    Map<String, Object> prometheus = new Yaml().load(Files.readString(ROOT.resolve("docker/prometheus/prometheus.yml")));
    List<String> targets = new ArrayList<>();
    for (Map<String, Object> job : (List<Map<String, Object>>) prometheus.get("scrape_configs")) {
      assertThat(job.get("metrics_path")).isEqualTo("/metrics");
      for (Map<String, Object> sc : (List<Map<String, Object>>) job.get("static_configs")) {
        targets.addAll((List<String>) sc.get("targets"));
      }
    }
    List<String> expected = new ArrayList<>();
    for (String stage : List.of("capture", "transform", "sink")) {
      expected.add(stage + ":" + environment(services.get(stage)).get("EDU2LMS_HTTP_PORT"));
    }
    assertThat(targets).containsExactlyInAnyOrderElementsOf(expected);

    Map<String, Object> datasources = new Yaml().load(Files.readString(ROOT.resolve("docker/grafana/provisioning/datasources/prometheus.yml")));
    Map<String, Object> ds = ((List<Map<String, Object>>) datasources.get("datasources")).get(0);
    assertThat(ds.get("url")).isEqualTo("http://prometheus:9090");
    JsonNode dashboard = new ObjectMapper().readTree(ROOT.resolve("docker/grafana/dashboards/edu2lms.json").toFile());
    Set<String> metrics = new HashSet<>();
    Pattern name = Pattern.compile("\\b(edu2lms_[a-z_]+|jvm_[a-z_]+)");
    for (JsonNode panel : dashboard.get("panels")) {
      assertThat(panel.path("datasource").path("uid").asText()).as(panel.get("title").asText()).isEqualTo(ds.get("uid"));
      for (JsonNode target : panel.path("targets")) {
        Matcher m = name.matcher(target.path("expr").asText());
        while (m.find()) {
          metrics.add(m.group(1));
        }
      }
    }
    // The panels the issue asks for: lag per stage, freshness, events/s, quarantine by reason.
    assertThat(metrics)
        .contains("edu2lms_consumer_lag_records", "edu2lms_freshness_seconds", "edu2lms_capture_events_total", "edu2lms_transform_events_total",
            "edu2lms_sink_rows_upserted_total", "edu2lms_quarantine_rows");
  }

  @Test
  void theDockerfileBuildsEveryModuleAndRunsAsANonRootUserWithAHealthCheck() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
    int modules = 0;
    while (module.find()) {
      modules++;
      assertThat(dockerfile).as("the image copies module " + module.group(1)).contains("COPY " + module.group(1) + "/ " + module.group(1) + "/");
    }
    assertThat(modules).isGreaterThanOrEqualTo(7);
    assertThat(Pattern.compile("(?m)^FROM ").matcher(dockerfile).results().count()).as("multi-stage").isEqualTo(2);
    assertThat(dockerfile).containsPattern("(?m)^USER edu2lms$").containsPattern("(?m)^HEALTHCHECK .*").contains("/health");
    assertThat(dockerfile).contains("COPY --from=build /src/cli/target/edu2lms.jar").contains("COPY --from=build /src/cli/target/lib/");
  }
}
