package org.edu2lms.cli.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.edu2lms.cli.verify.Verifier;

/**
 * Cutover readiness (issue "Operate the transition"): READY only when every stage is caught up
 * (transform and sink consumer lag 0 on the data topics, the capture's slot active, freshness under
 * {@link Criteria#maxFreshness}), a verify passed within {@link Criteria#maxVerifyAge}, no row has
 * been parked longer than {@link Criteria#parkedGrace}, there is no {@code mapping_error}, and
 * every quarantine reason present has been acknowledged ({@code edu2lms quarantine ack}).
 * Otherwise NOT READY with one blocker line per unmet condition. Served by {@code edu2lms
 * cutover-check} and the status page.
 *
 * @param at when it was evaluated
 * @param ready every condition holds
 * @param blockers the unmet conditions, each a sentence naming what to do
 * @param criteria the thresholds used
 * @param facts what LMS said
 */
public record CutoverCheck(Instant at, boolean ready, List<String> blockers, Criteria criteria, Facts facts) {

  public CutoverCheck {
    blockers = List.copyOf(blockers);
  }

  /** "READY" or "NOT READY". */
  public String verdict() {
    return ready ? "READY" : "NOT READY";
  }

  /**
   * The thresholds.
   *
   * @param maxFreshness freshness (now − EDU commit of the newest heartbeat in LMS) must be below
   * @param maxVerifyAge the latest passed verify must have finished within
   * @param parkedGrace rows parked longer than this block (the sink's parking grace, 2 min by default)
   */
  public record Criteria(Duration maxFreshness, Duration maxVerifyAge, Duration parkedGrace) {
    /** 5 s freshness, a verify within 1 h, 2 min parking grace. */
    public static final Criteria DEFAULTS = new Criteria(Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofMinutes(2));

    /**
     * @throws IllegalArgumentException naming the threshold that is zero or negative
     */
    public Criteria {
      for (Map.Entry<String, Duration> e : Map.of("max freshness", maxFreshness, "max verify age", maxVerifyAge, "parked grace", parkedGrace).entrySet()) {
        if (e.getValue().isZero() || e.getValue().isNegative()) {
          throw new IllegalArgumentException(e.getKey() + " must be positive, got " + e.getValue());
        }
      }
    }
  }

  /**
   * What LMS says about readiness.
   *
   * @param lastVerify the latest recorded verify run, or null when none
   * @param parkedTooLong rows parked for longer than the grace period
   * @param mappingErrors quarantine rows with reason {@code mapping_error}
   * @param unacknowledged quarantine reason → rows, for the reasons not acknowledged
   * @param error why LMS could not be read, or null
   */
  public record Facts(Verifier.LastRun lastVerify, long parkedTooLong, long mappingErrors, Map<String, Long> unacknowledged, String error) {
    public Facts {
      unacknowledged = unacknowledged == null ? Map.of() : Map.copyOf(unacknowledged);
    }

    /**
     * Reads the facts from LMS; a failure is recorded in {@link #error}, not thrown.
     *
     * @param lms LMS, or null when it cannot be reached
     */
    public static Facts read(Connection lms, Criteria criteria) {
      if (lms == null) {
        return new Facts(null, 0, 0, Map.of(), "LMS cannot be reached");
      }
      try {
        Optional<Verifier.LastRun> last = Verifier.last(lms);
        long parked;
        try (PreparedStatement ps = lms.prepareStatement("SELECT count(*) FROM edu2lms.parked WHERE first_seen < now() - make_interval(secs => ?)")) {
          ps.setDouble(1, criteria.parkedGrace().toMillis() / 1000.0);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            parked = rs.getLong(1);
          }
        }
        Map<String, Long> unacked = new LinkedHashMap<>();
        long mappingErrors = 0;
        try (PreparedStatement ps =
                lms.prepareStatement(
                    "SELECT q.reason, count(*), bool_or(a.reason IS NOT NULL) FROM edu2lms.quarantine q"
                        + " LEFT JOIN edu2lms.quarantine_acks a ON a.reason = q.reason GROUP BY q.reason ORDER BY 2 DESC, 1");
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (rs.getString(1).equals("mapping_error")) {
              mappingErrors = rs.getLong(2);
            } else if (!rs.getBoolean(3)) {
              unacked.put(rs.getString(1), rs.getLong(2));
            }
          }
        }
        return new Facts(last.orElse(null), parked, mappingErrors, unacked, null);
      } catch (SQLException e) {
        return new Facts(null, 0, 0, Map.of(), "LMS: " + e.getMessage());
      }
    }
  }

  /**
   * Evaluates readiness; pure.
   *
   * @param lag the pipeline's lag, as {@link LagReport#take} read it
   * @param facts what LMS says
   * @param now the time to age the verify run against
   */
  public static CutoverCheck evaluate(LagReport lag, Facts facts, Criteria criteria, Instant now) {
    List<String> blockers = new ArrayList<>();
    LagReport.Capture capture = lag.capture();
    if (capture.error() != null) {
      blockers.add("capture: cannot read the replication slot: " + capture.error());
    } else if (!capture.slotExists()) {
      blockers.add("capture: replication slot " + capture.slot() + " does not exist");
    } else if (!capture.slotActive()) {
      blockers.add("capture: replication slot " + capture.slot() + " is not active (no capture connected)");
    }
    stage("transform", lag.transform(), blockers);
    stage("sink", lag.sink(), blockers);
    LagReport.Freshness f = lag.freshness();
    if (f.error() != null) {
      blockers.add("freshness unknown: " + f.error());
    } else if (f.seconds() == null) {
      blockers.add("freshness unknown: no heartbeat has reached LMS yet");
    } else if (f.seconds() * 1000 >= criteria.maxFreshness().toMillis()) {
      blockers.add(String.format("freshness %.1f s is not under %.1f s: LMS is behind EDU", f.seconds(), criteria.maxFreshness().toMillis() / 1000.0));
    }
    if (facts.error() != null) {
      blockers.add("cannot read the readiness facts: " + facts.error());
    } else {
      Verifier.LastRun v = facts.lastVerify();
      if (v == null) {
        blockers.add("no verify run recorded: run edu2lms verify");
      } else if (!v.passed()) {
        blockers.add("the last verify (" + v.finishedAt() + ") failed: " + String.join("; ", v.problems().stream().limit(5).toList()));
      } else if (Duration.between(v.finishedAt(), now).compareTo(criteria.maxVerifyAge()) > 0) {
        blockers.add("the last passed verify (" + v.finishedAt() + ") is older than " + criteria.maxVerifyAge() + ": run edu2lms verify");
      }
      if (facts.parkedTooLong() > 0) {
        blockers.add(facts.parkedTooLong() + " rows parked longer than " + criteria.parkedGrace() + " (edu2lms.parked)");
      }
      if (facts.mappingErrors() > 0) {
        blockers.add(facts.mappingErrors() + " mapping_error rows in edu2lms.quarantine (a bug in the mapping)");
      }
      facts.unacknowledged().forEach((reason, rows) ->
          blockers.add("quarantine reason " + reason + " (" + rows + " rows) not acknowledged: review it, then edu2lms quarantine ack " + reason));
    }
    return new CutoverCheck(now, blockers.isEmpty(), blockers, criteria, facts);
  }

  /** Consumer lag of the data topics (heartbeat topics excluded: freshness covers them). */
  private static void stage(String name, LagReport.StageLag s, List<String> blockers) {
    if (s.error() != null) {
      blockers.add(name + ": consumer lag unknown: " + s.error());
      return;
    }
    if (s.total() == null) {
      blockers.add(name + ": consumer group " + s.group() + " has committed nothing yet");
      return;
    }
    if (s.dataTotal() > 0) {
      blockers.add(name + ": consumer lag " + s.dataTotal() + " records (group " + s.group() + ")");
    }
  }

  /** The verdict and its blockers, one per line. */
  public String format() {
    StringBuilder sb = new StringBuilder(verdict()).append('\n');
    blockers.forEach(b -> sb.append("  - ").append(b).append('\n'));
    return sb.toString();
  }
}
