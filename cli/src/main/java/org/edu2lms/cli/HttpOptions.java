package org.edu2lms.cli;

import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where a process serves its status page and {@code /metrics} ({@code demo}, {@code run}), and how
 * often the page's accounting of mapping.md is recounted (a count over every EDU and LMS table:
 * cheap at the demo's scale, minutes apart on a production database).
 */
final class HttpOptions {

  @Option(names = "--http-port", defaultValue = "8080", description = "port of the status page and /metrics; 0 = any free port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--http-host", defaultValue = "127.0.0.1", description = "address the status page binds; 0.0.0.0 to reach it from other hosts (default: ${DEFAULT-VALUE})")
  String host;

  /** @throws ParameterException naming the option when the port is out of range */
  void validate(CommandSpec spec) {
    if (port < 0 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "--http-port must be 0..65535, got " + port);
    }
  }

  /** The page's address, for messages. */
  String url(int boundPort) {
    return "http://" + host + ":" + boundPort + "/";
  }

  /** How often the accounting is recounted: every 10 s for the demo's small database, else every 5 min. */
  static Duration accountingInterval(boolean demo) {
    return demo ? Duration.ofSeconds(10) : Duration.ofMinutes(5);
  }
}
