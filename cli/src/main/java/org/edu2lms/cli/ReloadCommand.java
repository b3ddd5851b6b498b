package org.edu2lms.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.util.concurrent.Callable;
import org.edu2lms.cli.ops.Reload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms reload --table <edu_table> [--where <condition>]}: re-reads EDU rows through the
 * running pipeline ({@link Reload}: a Debezium incremental snapshot requested through the signal
 * table {@code public.edu2lms_signal} in EDU). An unknown table or a condition EDU rejects is a
 * usage error (exit 2) and nothing is sent.
 */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    description = {
      "Re-read an EDU table, or the rows matching --where, through the running pipeline while streaming continues:"
          + " a Debezium incremental snapshot requested by a row in the signal table public.edu2lms_signal in EDU.",
      "The rows flow through transform and sink idempotently. Watch edu2lms lag; then edu2lms verify."
    })
public final class ReloadCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions where;

  @Option(names = "--table", required = true, description = "the EDU table to re-read, e.g. users")
  String table;

  @Option(names = "--where", description = "an SQL condition over the table's columns, e.g. \"id BETWEEN 1000 AND 2000\" (default: every row)")
  String condition;

  @Override
  public Integer call() throws Exception {
    where.fromConfiguration(spec);
    PrintWriter out = spec.commandLine().getOut();
    try (Connection edu = where.edu()) {
      Reload.Request request;
      try {
        request = Reload.request(edu, table, condition);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      out.printf("reload of %s%s requested (%,d rows now): signal %s in public.edu2lms_signal; the capture re-reads them in chunks while streaming%n",
          table, condition == null ? "" : " WHERE " + condition, request.rows(), request.signalId());
      out.flush();
      return 0;
    }
  }
}
