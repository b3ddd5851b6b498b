package org.edu2lms.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.edu2lms.capture.CaptureConfig;
import org.edu2lms.cli.Logging;
import org.edu2lms.cli.Pipeline;
import org.edu2lms.sink.SinkConfig;
import org.edu2lms.sink.StageMethod;
import org.edu2lms.transform.TransformConfig;

/**
 * The effective configuration of an edu2lms process: every {@link ConfigKey} with its value and
 * where the value came from, plus the pass-through keys ({@code kafka.*}, {@code streams.*},
 * {@code debezium.*}). Immutable. Sources, later ones winning (README §Configuration):
 *
 * <ol>
 *   <li>the defaults of {@link ConfigKey};
 *   <li>a configuration file, {@code .properties} or {@code .yaml}/{@code .yml} (nested maps and
 *       dotted keys are the same key);
 *   <li>environment variables {@code EDU2LMS_<KEY>} (key upper-cased, dots as underscores), or
 *       {@code EDU2LMS_<KEY>_FILE} naming a file that holds the value (Docker/Kubernetes secrets;
 *       one trailing newline dropped); {@code EDU2LMS_EDU_PASSWORD} and {@code
 *       EDU2LMS_LMS_PASSWORD} are accepted for {@code capture.edu.password} and {@code
 *       sink.lms.password} (the ops commands' variables);
 *   <li>command-line options ({@code edu2lms run --lms-url …}).
 * </ol>
 *
 * Unknown keys, in the file or as {@code EDU2LMS_*} variables, are refused with the key named;
 * every value is checked when the stage settings are built ({@link #settings()}), so a bad
 * configuration fails at start-up.
 */
public final class Edu2LmsConfiguration {

  /**
   * One value.
   *
   * @param text the value as text (a secret's real value: print it with {@link #display})
   * @param origin where it came from: {@code default}, {@code file <path>}, {@code env <NAME>},
   *     {@code command line <option>}
   * @param secret whether it is masked in output
   */
  public record Value(String text, String origin, boolean secret) {

    /**
     * The value for output: {@code ****} for a non-empty secret, and for the value of a {@code
     * password} or {@code sslpassword} parameter inside a URL.
     */
    public String display() {
      return secret && !text.isEmpty() ? "****" : org.edu2lms.schemas.UrlPasswords.mask(text);
    }
  }

  /** The environment variable naming the configuration file when {@code --config} is not given. */
  public static final String CONFIG_ENV = ConfigKey.ENV_PREFIX + "CONFIG";

  /**
   * Environment variables of edu2lms that are not configuration keys: the file's name, the
   * launcher's JVM options, {@code setup}'s owner password, the tests' infrastructure choice.
   */
  private static final List<String> NOT_KEYS =
      List.of(
          CONFIG_ENV, ConfigKey.ENV_PREFIX + "JAVA_OPTS", ConfigKey.ENV_PREFIX + "SETUP_PASSWORD",
          ConfigKey.ENV_PREFIX + "TEST_INFRASTRUCTURE");

  /** The ops commands' password variables, accepted as these keys. */
  private static final Map<String, ConfigKey> ALIASES =
      Map.of(
          ConfigKey.ENV_PREFIX + "EDU_PASSWORD", ConfigKey.CAPTURE_EDU_PASSWORD,
          ConfigKey.ENV_PREFIX + "LMS_PASSWORD", ConfigKey.SINK_LMS_PASSWORD);

  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final Map<String, Value> values;

  private Edu2LmsConfiguration(Map<String, Value> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  /**
   * Reads and combines the sources.
   *
   * @param file the configuration file, or {@code null} for none
   * @param environment the process environment ({@link System#getenv()}); only {@code EDU2LMS_*}
   *     variables are read
   * @param commandLine values given as command-line options: key → (value, option name)
   * @return the effective configuration (values not yet checked: see {@link #settings()})
   * @throws ConfigurationException naming the file, variable or key that is unreadable or unknown
   */
  public static Edu2LmsConfiguration load(
      Path file, Map<String, String> environment, Map<String, Map.Entry<String, String>> commandLine) {
    Map<String, Value> values = new LinkedHashMap<>();
    for (ConfigKey k : ConfigKey.values()) {
      values.put(k.key(), new Value(k.defaultValue(), "default", k.secret()));
    }
    if (file != null) {
      String origin = "file " + file;
      for (Map.Entry<String, String> e : readFile(file).entrySet()) {
        put(values, e.getKey(), e.getValue(), origin, "in " + file);
      }
    }
    Map<String, String> env = new TreeMap<>(environment);
    Map<String, String> setBy = new TreeMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(ConfigKey.ENV_PREFIX) || NOT_KEYS.contains(name)) {
        continue;
      }
      String key;
      String text;
      String origin;
      if (name.endsWith("_FILE") && ConfigKey.byEnvironmentVariable(name).isEmpty()) {
        // EDU2LMS_<KEY>_FILE names a file holding the value (EDU2LMS_CAPTURE_OFFSET_FILE is a key).
        String base = name.substring(0, name.length() - "_FILE".length());
        key = keyOfVariable(base, name);
        text = readSecretFile(name, e.getValue());
        origin = "env " + name + " (" + e.getValue() + ")";
      } else {
        key = keyOfVariable(name, name);
        text = e.getValue();
        origin = "env " + name;
      }
      String other = setBy.put(key, name);
      if (other != null) {
        throw new ConfigurationException("both " + other + " and " + name + " set " + key + ": set one of them");
      }
      put(values, key, text, origin, "as " + name);
    }
    for (Map.Entry<String, Map.Entry<String, String>> e : commandLine.entrySet()) {
      put(values, e.getKey(), e.getValue().getKey(), "command line " + e.getValue().getValue(), "on the command line");
    }
    derive(values, ConfigKey.CAPTURE_OFFSET_FILE, "capture-offsets.dat");
    derive(values, ConfigKey.TRANSFORM_STATE_DIR, "streams");
    return new Edu2LmsConfiguration(values);
  }

  /**
   * The configuration of a process that has only the environment and maybe a file: {@code file},
   * else the file named by {@value #CONFIG_ENV}, else none.
   */
  public static Edu2LmsConfiguration load(Path file, Map<String, Map.Entry<String, String>> commandLine) {
    Map<String, String> env = System.getenv();
    Path f = file != null ? file : env.containsKey(CONFIG_ENV) && !env.get(CONFIG_ENV).isBlank() ? Path.of(env.get(CONFIG_ENV)) : null;
    return load(f, env, commandLine);
  }

  /** An empty path key becomes a file or folder in {@code data.dir}. */
  private static void derive(Map<String, Value> values, ConfigKey key, String name) {
    if (values.get(key.key()).text().isEmpty()) {
      String dataDir = values.get(ConfigKey.DATA_DIR.key()).text();
      values.put(key.key(), new Value(Path.of(dataDir).resolve(name).toString(), "data.dir + " + name, false));
    }
  }

  private static String keyOfVariable(String variable, String asWritten) {
    ConfigKey alias = ALIASES.get(variable);
    if (alias != null) {
      return alias.key();
    }
    Optional<ConfigKey> own = ConfigKey.byEnvironmentVariable(variable);
    if (own.isPresent()) {
      return own.get().key();
    }
    String rest = variable.substring(ConfigKey.ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    if (ConfigKey.passThrough(rest)) {
      return rest;
    }
    throw new ConfigurationException(
        "unknown environment variable " + asWritten + ": no configuration key " + rest + similarKeys(rest));
  }

  private static void put(Map<String, Value> values, String key, String text, String origin, String where) {
    ConfigKey own = ConfigKey.byName(key).orElse(null);
    if (own == null && !ConfigKey.passThrough(key)) {
      throw new ConfigurationException("unknown configuration key " + key + " " + where + similarKeys(key));
    }
    boolean secret = own != null ? own.secret() : ConfigKey.secretPassThrough(key);
    values.put(key, new Value(own != null && !secret ? text.strip() : text, origin, secret));
  }

  private static String similarKeys(String key) {
    String first = key.contains(".") ? key.substring(0, key.indexOf('.') + 1) : key;
    List<String> similar =
        java.util.Arrays.stream(ConfigKey.values()).map(ConfigKey::key).filter(k -> k.startsWith(first)).toList();
    return similar.isEmpty()
        ? " (keys: see `edu2lms config check`; pass-through prefixes " + ConfigKey.PASS_THROUGH + ")"
        : " (known " + first + "* keys: " + String.join(", ", similar) + ")";
  }

  private static String readSecretFile(String variable, String path) {
    try {
      return readSecret(Path.of(path));
    } catch (IOException | RuntimeException e) {
      throw new ConfigurationException(variable + ": cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * A secret held in a file (a Docker secret): its content, one trailing newline ({@code \n} or
   * {@code \r\n}) dropped.
   *
   * @throws IOException when the file cannot be read
   */
  public static String readSecret(Path file) throws IOException {
    String s = Files.readString(file, StandardCharsets.UTF_8);
    return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  /**
   * The key/value pairs of a configuration file.
   *
   * @param file {@code *.properties}, {@code *.yaml} or {@code *.yml}
   * @return flat dotted keys → values (YAML lists become comma-separated values)
   * @throws ConfigurationException naming the file when it cannot be read or parsed
   */
  static Map<String, String> readFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try {
      Map<String, String> flat = new LinkedHashMap<>();
      if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        JsonNode root = new YAMLMapper().readTree(file.toFile());
        if (root != null && !root.isMissingNode() && !root.isNull()) {
          if (!root.isObject()) {
            throw new ConfigurationException(file + ": the YAML document must be a map of keys");
          }
          flatten("", root, flat, file);
        }
      } else if (name.endsWith(".properties")) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          p.load(r);
        }
        for (String k : new java.util.TreeSet<>(p.stringPropertyNames())) {
          flat.put(k, p.getProperty(k));
        }
      } else {
        throw new ConfigurationException(file + ": a configuration file ends in .properties, .yaml or .yml");
      }
      return flat;
    } catch (IOException | IllegalArgumentException e) {
      if (e instanceof ConfigurationException c) {
        throw c;
      }
      // A parse error's own message quotes the offending line, which may hold a password.
      String why =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j
              ? "not valid YAML" + (j.getLocation() == null ? "" : " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr())
                  + " (the parser's message is left out: it quotes the line, which may hold a secret)"
              : e.getMessage();
      throw new ConfigurationException("cannot read the configuration file " + file + ": " + why);
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> flat, Path file) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), flat, file);
      }
    } else if (node.isArray()) {
      List<String> items = new ArrayList<>();
      for (JsonNode item : node) {
        if (item.isContainerNode()) {
          throw new ConfigurationException(file + ": " + prefix + " is a list of maps; a list may hold plain values only");
        }
        items.add(item.asText());
      }
      flat.put(prefix, String.join(",", items));
    } else {
      flat.put(prefix, node.isNull() ? "" : node.asText());
    }
  }

  /** Every key: the own keys in {@link ConfigKey} order, then the pass-through keys as set. */
  public Map<String, Value> values() {
    return values;
  }

  /** The value of an own key. */
  public Value value(ConfigKey key) {
    return values.get(key.key());
  }

  /** The text of an own key (a secret's real value). */
  public String text(ConfigKey key) {
    return values.get(key.key()).text();
  }

  /**
   * @throws ConfigurationException naming the key and the value's origin when it is not an integer
   */
  public int integer(ConfigKey key) {
    Value v = values.get(key.key());
    try {
      return Integer.parseInt(v.text());
    } catch (NumberFormatException e) {
      throw new ConfigurationException(key.key() + " must be an integer, got '" + v.display() + "' (" + v.origin() + ")");
    }
  }

  /**
   * @throws ConfigurationException naming the key and the value's origin when it is not a duration
   */
  public Duration duration(ConfigKey key) {
    Value v = values.get(key.key());
    try {
      return parseDuration(v.text());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          key.key() + " must be a duration such as 500ms, 2s, 5m, 1h or PT0.5S, got '" + v.display() + "' (" + v.origin() + ")");
    }
  }

  /**
   * A duration: a number with a unit ({@code ms}, {@code s}, {@code m}, {@code h}, {@code d}) or
   * ISO-8601 ({@code PT0.5S}).
   *
   * @throws IllegalArgumentException for anything else
   */
  static Duration parseDuration(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    Matcher m = SIMPLE_DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a duration: " + text, e);
    }
  }

  private Path path(ConfigKey key) {
    try {
      return Path.of(text(key));
    } catch (java.nio.file.InvalidPathException e) {
      throw new ConfigurationException(key.key() + " is not a path: " + e.getMessage() + " (" + value(key).origin() + ")");
    }
  }

  /** The pass-through properties of one prefix, without it (e.g. {@code kafka.}). */
  public Map<String, String> passThrough(String prefix) {
    Map<String, String> m = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(prefix) && ConfigKey.passThrough(k)) {
            m.put(k.substring(prefix.length()), v.text());
          }
        });
    return m;
  }

  /**
   * The settings of the three stages, every value checked ({@code log.*} too).
   *
   * @throws ConfigurationException naming the first bad key, its value and where it was set
   */
  public Pipeline.Settings settings() {
    try {
      // Not part of the stages' settings, checked here so that a bad one stops the start-up too.
      logFormat();
      logFile();
      notReadyAfter();
      Map<String, String> kafka = passThrough("kafka.");
      String bootstrap = text(ConfigKey.KAFKA_BOOTSTRAP_SERVERS);
      CaptureConfig capture =
          new CaptureConfig(
              text(ConfigKey.CAPTURE_EDU_HOST),
              integer(ConfigKey.CAPTURE_EDU_PORT),
              text(ConfigKey.CAPTURE_EDU_DATABASE),
              text(ConfigKey.CAPTURE_EDU_USER),
              text(ConfigKey.CAPTURE_EDU_PASSWORD),
              bootstrap,
              text(ConfigKey.CAPTURE_SLOT_NAME),
              text(ConfigKey.CAPTURE_PUBLICATION_NAME),
              path(ConfigKey.CAPTURE_OFFSET_FILE),
              duration(ConfigKey.CAPTURE_HEARTBEAT_INTERVAL),
              text(ConfigKey.CAPTURE_EDU_SSLMODE),
              kafka,
              passThrough("debezium."),
              tableList(ConfigKey.CAPTURE_SNAPSHOT_HELD_TABLES));
      TransformConfig transform =
          new TransformConfig(
              bootstrap,
              text(ConfigKey.TRANSFORM_APPLICATION_ID),
              path(ConfigKey.TRANSFORM_STATE_DIR),
              duration(ConfigKey.TRANSFORM_COMMIT_INTERVAL).toMillis(),
              duration(ConfigKey.TRANSFORM_CATCHUP_COMMIT_INTERVAL).toMillis(),
              integer(ConfigKey.TRANSFORM_CATCHUP_LAG),
              integer(ConfigKey.TRANSFORM_STREAM_THREADS),
              kafka,
              passThrough("streams."));
      SinkConfig sink =
          new SinkConfig(
              text(ConfigKey.SINK_LMS_URL),
              text(ConfigKey.SINK_LMS_USER),
              text(ConfigKey.SINK_LMS_PASSWORD),
              bootstrap,
              text(ConfigKey.SINK_GROUP_ID),
              integer(ConfigKey.SINK_MAX_POLL_RECORDS),
              stageMethod(),
              integer(ConfigKey.SINK_UPSERT_CONNECTIONS),
              duration(ConfigKey.SINK_PARKED_GRACE),
              duration(ConfigKey.SINK_PARKED_RETRY_INTERVAL),
              integer(ConfigKey.SINK_RETRY_MAX_ATTEMPTS),
              duration(ConfigKey.SINK_RETRY_MAX_BACKOFF),
              kafka);
      int partitions = integer(ConfigKey.TOPICS_PARTITIONS);
      if (partitions < 1 || partitions > 1000) {
        throw new IllegalArgumentException("topics.partitions must be 1..1000, got " + partitions);
      }
      int replication = integer(ConfigKey.TOPICS_REPLICATION_FACTOR);
      if (replication < 1 || replication > Short.MAX_VALUE) {
        throw new IllegalArgumentException("topics.replication.factor must be at least 1, got " + replication);
      }
      int port = integer(ConfigKey.HTTP_PORT);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("http.port must be 0..65535, got " + port);
      }
      return new Pipeline.Settings(capture, transform, sink, partitions, (short) replication, path(ConfigKey.DATA_DIR));
    } catch (ConfigurationException e) {
      throw e;
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ConfigurationException(withOrigin(e.getMessage()), e);
    }
  }

  /**
   * The format of a stage's log ({@code log.format}).
   *
   * @throws ConfigurationException naming the value and where it was set unless text or json
   */
  public Logging.Format logFormat() {
    Value v = value(ConfigKey.LOG_FORMAT);
    try {
      return Logging.Format.of(v.text());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("log.format must be text or json, got '" + v.text() + "' (" + v.origin() + ")");
    }
  }

  /**
   * How long a stage may be unable to progress before it is reported not ready ({@code
   * health.not.ready.after}, {@link org.edu2lms.cli.ops.Readiness}).
   *
   * @throws ConfigurationException when it is not a duration of at least 1 s
   */
  public Duration notReadyAfter() {
    Duration d = duration(ConfigKey.HEALTH_NOT_READY_AFTER);
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigurationException(
          "health.not.ready.after must be at least 1s, got " + d + " (" + value(ConfigKey.HEALTH_NOT_READY_AFTER).origin() + ")");
    }
    return d;
  }

  /**
   * The file a stage also logs to ({@code log.file}), if any.
   *
   * @throws ConfigurationException when it is not a path
   */
  public Optional<Path> logFile() {
    return text(ConfigKey.LOG_FILE).isBlank() ? Optional.empty() : Optional.of(path(ConfigKey.LOG_FILE));
  }

  /** A comma-separated list, blanks around the names ignored; empty text: an empty list. */
  private List<String> tableList(ConfigKey key) {
    return java.util.Arrays.stream(text(key).split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
  }

  private StageMethod stageMethod() {
    Value v = value(ConfigKey.SINK_STAGE_METHOD);
    try {
      return StageMethod.valueOf(v.text().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("sink.stage.method must be insert or copy, got '" + v.text() + "' (" + v.origin() + ")");
    }
  }

  /** Appends where the key named at the start of a validation message was set. */
  private String withOrigin(String message) {
    if (message == null) {
      return "invalid configuration";
    }
    for (Map.Entry<String, Value> e : values.entrySet()) {
      if (message.startsWith(e.getKey() + " ")) {
        return message + " (" + e.getValue().origin() + ")";
      }
    }
    return message;
  }

  /**
   * The effective configuration as {@code key = value  # origin} lines, secrets masked, own keys
   * in {@link ConfigKey} order then the pass-through keys.
   */
  public String describe() {
    int width = values.keySet().stream().mapToInt(String::length).max().orElse(20);
    return values.entrySet().stream()
        .sorted(
            java.util.Comparator.comparing((Map.Entry<String, Value> e) -> ConfigKey.passThrough(e.getKey()))
                .thenComparing(e -> ConfigKey.byName(e.getKey()).map(Enum::ordinal).orElse(0))
                .thenComparing(Map.Entry::getKey))
        .map(e -> String.format("%-" + width + "s = %-40s # %s", e.getKey(), e.getValue().display(), e.getValue().origin()))
        .collect(Collectors.joining(System.lineSeparator()));
  }
}
