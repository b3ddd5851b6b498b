package org.edu2lms.cli;

import org.edu2lms.sink.SinkConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The sink's {@code sink.upsert.connections} as an {@code edu2lms bench load}/{@code bench live}
 * option (a picocli mixin).
 */
final class UpsertConnectionsOption {

  @Option(
      names = "--upsert-connections",
      defaultValue = "" + SinkConfig.DEFAULT_UPSERT_CONNECTIONS,
      description = "LMS connections that share a big upsert of the sink (sink.upsert.connections, 1.." + SinkConfig.MAX_UPSERT_CONNECTIONS
          + "; default: ${DEFAULT-VALUE})")
  int connections;

  /**
   * The connections asked for; called before the benchmark starts anything, so a bad value costs
   * no servers and no generated data.
   *
   * @throws ParameterException naming the option when it is outside 1..{@link
   *     SinkConfig#MAX_UPSERT_CONNECTIONS}, so picocli prints the usage
   */
  int require(CommandSpec spec) {
    if (connections < 1 || connections > SinkConfig.MAX_UPSERT_CONNECTIONS) {
      throw new ParameterException(
          spec.commandLine(), "--upsert-connections must be 1.." + SinkConfig.MAX_UPSERT_CONNECTIONS + ", got " + connections);
    }
    return connections;
  }
}
