package org.edu2lms.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code edu2lms quarantine list|ack|unack}: the quarantine reasons in LMS ({@code
 * edu2lms.quarantine}) and the operator's acknowledgements ({@code edu2lms.quarantine_acks}).
 * Cutover readiness requires every reason present to be acknowledged; {@code mapping_error} is a
 * bug and cannot be acknowledged.
 */
@Command(
    name = "quarantine",
    mixinStandardHelpOptions = true,
    description = "List quarantine reasons with their rows and acknowledgements; acknowledge a reason the operator has reviewed (cutover requires every reason acknowledged).",
    subcommands = {QuarantineCommand.ListReasons.class, QuarantineCommand.Ack.class, QuarantineCommand.Unack.class})
public final class QuarantineCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a subcommand is required (list, ack, unack)");
  }

  /** Reason → rows in edu2lms.quarantine. */
  static Map<String, Long> reasons(Connection lms) throws Exception {
    Map<String, Long> out = new LinkedHashMap<>();
    try (PreparedStatement ps = lms.prepareStatement("SELECT reason, count(*) FROM edu2lms.quarantine GROUP BY reason ORDER BY 2 DESC, 1");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  /** {@code quarantine list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Quarantine reasons, their rows, and whether (and by whom) each is acknowledged.")
  static final class ListReasons implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConnectionOptions where;

    @Override
    public Integer call() throws Exception {
    where.fromConfiguration(spec);
      PrintWriter out = spec.commandLine().getOut();
      try (Connection lms = where.lms();
          PreparedStatement ps =
              lms.prepareStatement(
                  "SELECT coalesce(q.reason, a.reason), coalesce(q.n, 0), a.acknowledged_by, a.acknowledged_at, a.note"
                      + " FROM (SELECT reason, count(*) AS n FROM edu2lms.quarantine GROUP BY reason) q"
                      + " FULL JOIN edu2lms.quarantine_acks a ON a.reason = q.reason ORDER BY 2 DESC, 1");
          ResultSet rs = ps.executeQuery()) {
        out.printf("%-40s %10s  %s%n", "reason", "rows", "acknowledged");
        while (rs.next()) {
          String ack = rs.getString(3) == null ? "NO" : "by " + rs.getString(3) + " at " + rs.getTimestamp(4).toInstant() + (rs.getString(5) == null ? "" : " (" + rs.getString(5) + ")");
          out.printf("%-40s %10d  %s%n", rs.getString(1), rs.getLong(2), ack);
        }
      }
      out.flush();
      return 0;
    }
  }

  /** {@code quarantine ack <reason>}. */
  @Command(name = "ack", mixinStandardHelpOptions = true, description = "Acknowledge a quarantine reason present in LMS after reviewing its rows.")
  static final class Ack implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConnectionOptions where;

    @Parameters(index = "0", paramLabel = "<reason>", description = "a reason code present in edu2lms.quarantine, e.g. missing_parent:students")
    String reason;

    @Option(names = "--note", description = "why it is acceptable, kept with the acknowledgement")
    String note;

    @Override
    public Integer call() throws Exception {
    where.fromConfiguration(spec);
      if (reason.equals("mapping_error")) {
        throw new ParameterException(spec.commandLine(), "mapping_error is a bug in the mapping, not legacy data: it cannot be acknowledged");
      }
      try (Connection lms = where.lms()) {
        Map<String, Long> present = reasons(lms);
        if (!present.containsKey(reason)) {
          throw new ParameterException(
              spec.commandLine(), "no quarantine row has reason '" + reason + "'; present: " + (present.isEmpty() ? "none" : String.join(", ", present.keySet())));
        }
        try (PreparedStatement ps =
            lms.prepareStatement(
                "INSERT INTO edu2lms.quarantine_acks (reason, note) VALUES (?, ?)"
                    + " ON CONFLICT (reason) DO UPDATE SET note = EXCLUDED.note, acknowledged_at = now(), acknowledged_by = current_user")) {
          ps.setString(1, reason);
          ps.setString(2, note);
          ps.executeUpdate();
        }
        spec.commandLine().getOut().printf("acknowledged %s (%d rows)%n", reason, present.get(reason));
        spec.commandLine().getOut().flush();
      }
      return 0;
    }
  }

  /** {@code quarantine unack <reason>}. */
  @Command(name = "unack", mixinStandardHelpOptions = true, description = "Withdraw the acknowledgement of a quarantine reason.")
  static final class Unack implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConnectionOptions where;

    @Parameters(index = "0", paramLabel = "<reason>", description = "an acknowledged reason code")
    String reason;

    @Override
    public Integer call() throws Exception {
    where.fromConfiguration(spec);
      try (Connection lms = where.lms();
          PreparedStatement ps = lms.prepareStatement("DELETE FROM edu2lms.quarantine_acks WHERE reason = ?")) {
        ps.setString(1, reason);
        if (ps.executeUpdate() == 0) {
          throw new ParameterException(spec.commandLine(), "reason '" + reason + "' is not acknowledged");
        }
      }
      spec.commandLine().getOut().printf("withdrew the acknowledgement of %s%n", reason);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
