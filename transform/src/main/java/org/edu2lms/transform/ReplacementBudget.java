package org.edu2lms.transform;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How many failed stream threads the transform replaces before it gives up: at most {@code max}
 * within any {@code window}. A transient failure (a broker restarting in the middle of a
 * transaction commit, a fenced producer) is survived by replacing the thread, whose tasks then
 * resume from their last committed transaction; a failure that comes back at once, every time (a
 * record the topology cannot process), uses the budget up within the window, and the stage stops
 * with that error instead of spinning (docs/operations.md §Restarts).
 *
 * <p>Thread-safe.
 */
public final class ReplacementBudget {

  /** Replacements allowed within {@link #DEFAULT_WINDOW} by default. */
  public static final int DEFAULT_MAX = 5;

  /** The window of {@link #DEFAULT_MAX}. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);

  private final int max;
  private final long windowNanos;
  private final Deque<Long> granted = new ArrayDeque<>();

  /**
   * @param max replacements allowed within {@code window}, at least 0
   * @param window the sliding window
   * @throws IllegalArgumentException when {@code max} is negative or {@code window} not positive
   */
  public ReplacementBudget(int max, Duration window) {
    if (max < 0 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("a replacement budget needs max >= 0 and a positive window, got " + max + " in " + window);
    }
    this.max = max;
    this.windowNanos = window.toNanos();
  }

  /**
   * Takes one replacement if fewer than {@code max} were taken within the window before {@code
   * nowNanos}.
   *
   * @param nowNanos a monotonic clock ({@link System#nanoTime()})
   * @return whether the failed thread may be replaced
   */
  public synchronized boolean tryTake(long nowNanos) {
    while (!granted.isEmpty() && nowNanos - granted.peekFirst() >= windowNanos) {
      granted.removeFirst();
    }
    if (granted.size() >= max) {
      return false;
    }
    granted.addLast(nowNanos);
    return true;
  }
}
