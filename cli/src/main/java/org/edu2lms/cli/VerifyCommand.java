package org.edu2lms.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.util.concurrent.Callable;
import org.edu2lms.cli.ops.StatusJson;
import org.edu2lms.cli.verify.VerifyReport;
import org.edu2lms.cli.verify.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms verify}: proves LMS is the mapping of EDU ({@link Verifier}): every LMS table,
 * the quarantine and the data-quality notes row by row, and the accounting. Progress (one line per
 * check) goes to standard error; the report to standard output, as text or {@code --json}. The run
 * is recorded in {@code edu2lms.verify_runs} unless {@code --no-record}. Exit code 0 only when
 * everything balances, 1 otherwise.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Reconcile LMS with EDU through the mapping: recompute every EDU row with the transform's mapping and compare it with its LMS row (per-row hash, in chunks of EDU ids), the quarantine reason and the data-quality notes; then the accounting.",
      "Run it when the pipeline is caught up (edu2lms lag shows 0): changes in flight show as differences. Exit code 0 only when everything balances."
    })
public final class VerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions where;

  @Option(names = "--json", description = "print the report as JSON")
  boolean json;

  @Option(names = "--chunk-rows", defaultValue = "" + Verifier.DEFAULT_CHUNK_ROWS, description = "EDU rows compared per chunk (default: ${DEFAULT-VALUE})")
  int chunkRows;

  @Option(names = "--no-record", description = "do not record the run in edu2lms.verify_runs (the status page and cutover-check read the latest)")
  boolean noRecord;

  @Override
  public Integer call() throws Exception {
    where.fromConfiguration(spec);
    if (chunkRows < 1) {
      throw new ParameterException(spec.commandLine(), "--chunk-rows must be at least 1, got " + chunkRows);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (Connection edu = where.edu();
        Connection lms = where.lms()) {
      VerifyReport report =
          new Verifier(edu, lms, chunkRows, c -> {
                err.printf("verify %-10s %-28s %,10d expected  %s%n", c.kind(), c.name(), c.expected(),
                    c.clean() ? "ok" : c.missing() + " missing, " + c.extra() + " extra, " + c.differing() + " differing");
                err.flush();
              })
              .run();
      if (!noRecord) {
        Verifier.record(lms, report);
      }
      if (json) {
        out.println(StatusJson.mapper().writeValueAsString(report));
      } else {
        out.print(report.format());
      }
      out.flush();
      return report.passed() ? 0 : 1;
    }
  }
}
