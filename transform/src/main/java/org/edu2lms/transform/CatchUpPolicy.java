package org.edu2lms.transform;

import java.time.Duration;
import java.util.Optional;

/**
 * Chooses the transform's commit interval from its consumer lag: the short live interval while it
 * keeps up, the longer catch-up interval while it works off a backlog (the initial load, a
 * transform restarted after a stop). The switch itself is cheap ({@link LiveCommits}); the policy
 * still switches only on a sustained lag, so that a short burst does not flip the mode, with
 * hysteresis: to catch-up when the lag stays at or above {@code catchUpLag} for {@link
 * #ENTER_AFTER}, back to live when it stays at or below a tenth of it for {@link #LEAVE_AFTER}.
 *
 * <p>Why two intervals (docs/benchmarks §Two commit intervals): every exactly-once hop of the
 * topology waits about half a commit interval before the next stage can read its records, so live
 * latency wants a short interval; each commit costs a transaction round (offsets, markers on every
 * partition written), so a backlog is worked off faster with a long one.
 *
 * <p>Not thread-safe: one probing thread feeds it.
 */
public final class CatchUpPolicy {

  /** The two modes and their commit intervals. */
  public enum Mode {
    /** Keeping up: {@link TransformConfig#commitIntervalMs()}. */
    LIVE,
    /** Working off a backlog: {@link TransformConfig#catchUpCommitIntervalMs()}. */
    CATCH_UP
  }

  /** How long the lag must stay at or above the catch-up lag before switching to catch-up. */
  public static final Duration ENTER_AFTER = Duration.ofSeconds(2);

  /** How long the lag must stay at or below a tenth of the catch-up lag before switching to live. */
  public static final Duration LEAVE_AFTER = Duration.ofSeconds(6);

  private final long enterLag;
  private final long leaveLag;
  private Mode mode = Mode.LIVE;
  private long heldSinceNanos;
  private boolean holding;

  /**
   * Starts in {@link Mode#LIVE}.
   *
   * @param catchUpLag consumer lag in records from which a backlog is worked off in catch-up mode
   *     ({@link TransformConfig#catchUpLag()}), at least {@link TransformConfig#MIN_CATCH_UP_LAG}
   * @throws IllegalArgumentException when {@code catchUpLag} is below that
   */
  public CatchUpPolicy(long catchUpLag) {
    if (catchUpLag < TransformConfig.MIN_CATCH_UP_LAG) {
      throw new IllegalArgumentException("catch-up lag must be at least " + TransformConfig.MIN_CATCH_UP_LAG + ", got " + catchUpLag);
    }
    this.enterLag = catchUpLag;
    this.leaveLag = catchUpLag / 10;
  }

  /** The current mode. */
  public Mode mode() {
    return mode;
  }

  /** The lag at or below which catch-up mode ends (a tenth of the catch-up lag), in records. */
  public long leaveLag() {
    return leaveLag;
  }

  /**
   * Records one probe of the consumer lag and tells whether the mode changes now.
   *
   * @param lag the transform's consumer lag on the EDU data topics, in records; negative when
   *     unknown (nothing committed yet, broker not answering): no evidence either way, so a
   *     pending switch starts over
   * @param nowNanos a monotonic clock ({@link System#nanoTime()})
   * @return the new mode when it changes with this probe, else empty
   */
  public Optional<Mode> observe(long lag, long nowNanos) {
    boolean pointsAway = lag >= 0 && (mode == Mode.LIVE ? lag >= enterLag : lag <= leaveLag);
    if (!pointsAway) {
      holding = false;
      return Optional.empty();
    }
    if (!holding) {
      holding = true;
      heldSinceNanos = nowNanos;
    }
    Duration needed = mode == Mode.LIVE ? ENTER_AFTER : LEAVE_AFTER;
    if (nowNanos - heldSinceNanos < needed.toNanos()) {
      return Optional.empty();
    }
    holding = false;
    mode = mode == Mode.LIVE ? Mode.CATCH_UP : Mode.LIVE;
    return Optional.of(mode);
  }
}
