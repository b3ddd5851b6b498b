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
      description = "LMS connections that share a big upsert of the sink (sink.upsert.connections, 1..8; default: ${DEFAULT-VALUE})")
  int connections;

  /**
   * The sink settings of {@code base} with these connections.
   *
   * @throws ParameterException naming the option when it is outside 1..8, so picocli prints the usage
   */
  SinkConfig apply(CommandSpec spec, SinkConfig base) {
    if (connections < 1 || connections > 8) {
      throw new ParameterException(spec.commandLine(), "--upsert-connections must be 1..8, got " + connections);
    }
    return base.withUpsertConnections(connections);
  }
}
