package org.edu2lms.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.edu2lms.cli.config.ConfigKey;
import org.edu2lms.cli.config.Edu2LmsConfiguration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms config check [--config FILE]}: reads the configuration the way {@code edu2lms run}
 * does (defaults, file, {@code EDU2LMS_*} environment variables and {@code _FILE} secrets), checks
 * every value, and prints the effective configuration with each value's origin, secrets masked.
 * Exit code 0 when it is valid, 1 with the offending key named when not.
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Configuration tools.",
    subcommands = {ConfigCommand.Check.class})
public final class ConfigCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: check");
  }

  /** {@code config check}. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Check the configuration of `edu2lms run` and print it (secrets masked) with where each value came from.")
  static final class Check implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "configuration file (.properties, .yaml); default: $EDU2LMS_CONFIG, else none")
    Path configFile;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Edu2LmsConfiguration config;
      try {
        config = Edu2LmsConfiguration.load(configFile, Map.of());
      } catch (IllegalArgumentException e) {
        err.println("edu2lms config check: INVALID: " + e.getMessage());
        return 1;
      }
      out.println(config.describe());
      try {
        config.settings();
      } catch (IllegalArgumentException e) {
        err.println("edu2lms config check: INVALID: " + e.getMessage());
        return 1;
      }
      out.printf(
          "configuration valid for capture, transform and sink (%d keys, %d pass-through: kafka.* %d, streams.* %d, debezium.* %d)%n",
          ConfigKey.values().length,
          config.values().size() - ConfigKey.values().length,
          config.passThrough("kafka.").size(),
          config.passThrough("streams.").size(),
          config.passThrough("debezium.").size());
      return 0;
    }
  }
}
