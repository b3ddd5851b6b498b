package org.edu2lms.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.edu2lms.cli.LiveWorkload.Target;

/**
 * {@link LiveWorkload} at a steady rate on a thread of its own, remembering every change until it
 * is in LMS, so the bench can tell how fresh LMS is while stages are killed and restarted.
 *
 * <p>Freshness here is the age of the oldest change not yet in LMS (0 when none is waiting): LMS
 * then holds every change committed in EDU before that. The heartbeat's age ({@code edu2lms lag})
 * says less after a kill: the capture writes the heartbeat, and a fresh heartbeat does not mean
 * the data partitions behind it are through. A change counts as in LMS once its LMS row was
 * committed ({@code pg_xact_commit_timestamp}) at or after the moment the change was issued; both
 * clocks are this machine's.
 */
final class SteadyWorkload implements AutoCloseable {

  /**
   * A change not yet seen in LMS.
   *
   * @param target the LMS row it must change
   * @param issuedMs when the writer issued the EDU statement, epoch ms (before its commit)
   */
  record Pending(Target target, long issuedMs) {}

  private final LiveWorkload workload;
  private final double perSecond;
  private final Deque<Pending> pending = new ArrayDeque<>();
  private final Thread thread;
  private volatile boolean stop;
  private volatile Throwable failure;
  private volatile long lastIssuedMs;
  private volatile long changes;
  private volatile long startNanos;

  /**
   * @param workload the changes, applied by this object's thread only from {@link #start()} on
   * @param perSecond changes per second, > 0
   */
  SteadyWorkload(LiveWorkload workload, double perSecond) {
    this.workload = workload;
    this.perSecond = perSecond;
    this.thread = new Thread(this::run, "bench-steady-workload");
    this.thread.setDaemon(true);
  }

  /** Starts writing. */
  void start() {
    startNanos = System.nanoTime();
    thread.start();
  }

  private void run() {
    try {
      while (!stop) {
        long due = startNanos + (long) (changes * 1e9 / perSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
          continue;
        }
        long issued = System.currentTimeMillis();
        Target t = workload.next();
        synchronized (pending) {
          if (t != null) {
            pending.add(new Pending(t, issued));
          } else {
            // A delete of a row inserted earlier: that insert may never be seen in LMS now.
            pending.removeIf(p -> p.target().lmsTable().equals("grades") && p.target().lmsId().equals(workload.lastDeleted));
          }
        }
        lastIssuedMs = issued;
        changes++;
      }
    } catch (Throwable e) {
      failure = e;
    }
  }

  /** When the newest completed change was issued, epoch ms; 0 before the first. */
  long lastIssuedMs() {
    return lastIssuedMs;
  }

  /** The error that stopped the writer, or null while it runs. */
  Throwable failure() {
    return failure;
  }

  /** Changes per second achieved since {@link #start()}. */
  double achievedPerSecond() {
    return changes / ((System.nanoTime() - startNanos) / 1e9);
  }

  /**
   * Looks the waiting changes up in LMS, forgets those that are there and returns the age of the
   * oldest one still waiting.
   *
   * @param lms a connection to LMS (used by the caller's thread only)
   * @return seconds; 0 when nothing waits
   * @throws SQLException when LMS cannot be read
   */
  double freshnessSeconds(Connection lms) throws SQLException {
    List<Pending> waiting;
    synchronized (pending) {
      waiting = new ArrayList<>(pending);
    }
    Map<String, Double> committed = lmsCommitMs(lms, waiting);
    long now = System.currentTimeMillis();
    synchronized (pending) {
      pending.removeIf(p -> inLms(p, committed));
      return age(pending, now);
    }
  }

  /** Whether the change's LMS row was committed at or after the change was issued. */
  static boolean inLms(Pending p, Map<String, Double> lmsCommitMs) {
    Double ms = lmsCommitMs.get(key(p.target()));
    return ms != null && ms >= p.issuedMs();
  }

  /**
   * The age of the oldest waiting change.
   *
   * @param waiting changes in the order they were issued
   * @param nowMs epoch ms
   * @return seconds, 0 when none waits
   */
  static double age(Deque<Pending> waiting, long nowMs) {
    return waiting.isEmpty() ? 0 : Math.max(0, nowMs - waiting.peekFirst().issuedMs()) / 1e3;
  }

  private static String key(Target t) {
    return t.lmsTable() + "/" + t.lmsId();
  }

  /** The commit time (epoch ms) of the current version of each LMS row the changes wait for, by {@link #key}. */
  private static Map<String, Double> lmsCommitMs(Connection lms, List<Pending> waiting) throws SQLException {
    Map<String, List<String>> idsByTable = new HashMap<>();
    waiting.forEach(p -> idsByTable.computeIfAbsent(p.target().lmsTable(), k -> new ArrayList<>()).add(p.target().lmsId()));
    Map<String, Double> out = new HashMap<>();
    for (Map.Entry<String, List<String>> e : idsByTable.entrySet()) {
      try (PreparedStatement ps =
          lms.prepareStatement(
              "SELECT id::text, extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 FROM " + e.getKey()
                  + " WHERE id = ANY (?::uuid[])")) {
        ps.setArray(1, lms.createArrayOf("text", e.getValue().stream().distinct().toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(e.getKey() + "/" + rs.getString(1), rs.getDouble(2));
          }
        }
      }
    }
    return out;
  }

  /** Stops the writer and waits for its thread. */
  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.join(10_000);
  }
}
