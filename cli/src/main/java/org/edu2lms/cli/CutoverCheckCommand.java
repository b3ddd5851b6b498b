package org.edu2lms.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.edu2lms.cli.ops.CutoverCheck;
import org.edu2lms.cli.ops.LagReport;
import org.edu2lms.cli.ops.StatusJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms cutover-check}: whether it is safe to switch the application to LMS ({@link
 * CutoverCheck}). Prints READY, or NOT READY with the blockers. Exit code 0 when READY, 1 when
 * NOT READY.
 */
@Command(
    name = "cutover-check",
    mixinStandardHelpOptions = true,
    description = {
      "Cutover readiness: READY only when every stage is caught up (consumer lag 0, slot active, freshness under --max-freshness),"
          + " a verify passed within --max-verify-age, no row is parked longer than --parked-grace, there is no mapping_error,"
          + " and every quarantine reason is acknowledged (edu2lms quarantine ack). Exit code 0 when READY, 1 otherwise."
    })
public final class CutoverCheckCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions where;

  @Option(names = "--max-freshness", defaultValue = "PT5S", description = "freshness must be under this, ISO-8601 (default: ${DEFAULT-VALUE})")
  Duration maxFreshness;

  @Option(names = "--max-verify-age", defaultValue = "PT1H", description = "a verify must have passed within this, ISO-8601 (default: ${DEFAULT-VALUE})")
  Duration maxVerifyAge;

  @Option(names = "--parked-grace", defaultValue = "PT2M", description = "rows parked longer than this block, ISO-8601 (default: ${DEFAULT-VALUE})")
  Duration parkedGrace;

  @Option(names = "--json", description = "print the verdict as JSON")
  boolean json;

  @Override
  public Integer call() throws Exception {
    where.fromConfiguration(spec);
    CutoverCheck.Criteria criteria;
    try {
      criteria = new CutoverCheck.Criteria(maxFreshness, maxVerifyAge, parkedGrace);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Admin admin = where.admin();
        Connection edu = where.edu();
        Connection lms = where.lms()) {
      LagReport lag = LagReport.take(admin, edu, lms, where.groups());
      CutoverCheck check = CutoverCheck.evaluate(lag, CutoverCheck.Facts.read(lms, criteria), criteria, Instant.now());
      out.print(json ? StatusJson.mapper().writeValueAsString(check) + "\n" : check.format());
      out.flush();
      return check.ready() ? 0 : 1;
    }
  }
}
