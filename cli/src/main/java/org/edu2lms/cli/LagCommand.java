package org.edu2lms.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.edu2lms.cli.ops.LagReport;
import org.edu2lms.cli.ops.StatusJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms lag}: how far behind each stage of a running pipeline is ({@link LagReport}):
 * the capture's replication slot, the transform's and the sink's consumer lag per table, and the
 * end-to-end freshness measured by the heartbeat. {@code --json} prints the report as one JSON
 * object (the same shape as the status page's {@code /api/lag}); {@code --watch} repeats it.
 * Exit code 0 when every part could be read, 1 when one could not (the part carries the error).
 */
@Command(
    name = "lag",
    mixinStandardHelpOptions = true,
    description = "Show the replication-slot lag, consumer lag per stage and table, and end-to-end freshness of a running pipeline.")
public final class LagCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions where;

  @Option(names = "--json", description = "print the report as JSON")
  boolean json;

  @Option(names = "--watch", description = "refresh every --interval until interrupted")
  boolean watch;

  @Option(names = "--interval", defaultValue = "PT2S", description = "refresh interval for --watch, ISO-8601 (default: ${DEFAULT-VALUE})")
  Duration interval;

  @Override
  public Integer call() throws Exception {
    where.fromConfiguration(spec);
    if (interval.isNegative() || interval.toMillis() < 200) {
      throw new ParameterException(spec.commandLine(), "--interval must be at least PT0.2S, got " + interval);
    }
    PrintWriter out = spec.commandLine().getOut();
    ObjectMapper mapper = StatusJson.mapper();
    boolean terminal = System.console() != null;
    try (Admin admin = where.admin();
        Connection edu = where.edu();
        Connection lms = where.lms()) {
      while (true) {
        LagReport report = LagReport.take(admin, edu, lms, where.groups());
        if (json) {
          out.println(mapper.writeValueAsString(report));
        } else {
          if (watch && terminal) {
            out.print("\033[H\033[2J");
          }
          out.print(report.format());
        }
        out.flush();
        if (!watch) {
          return complete(report) ? 0 : 1;
        }
        Thread.sleep(interval.toMillis());
      }
    }
  }

  private static boolean complete(LagReport r) {
    return r.capture().error() == null && r.transform().error() == null && r.sink().error() == null && r.freshness().error() == null;
  }
}
