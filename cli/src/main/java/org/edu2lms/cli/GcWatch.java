package org.edu2lms.cli;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * What the garbage collector did during a benchmark, from this JVM's GC notifications (JMX):
 *
 * <ul>
 *   <li>the largest heap in use right after a collection: the sum of the heap pools' use after
 *       each collection, the highest seen. Unlike the peak of the heap in use, which G1 lets grow
 *       towards {@code -Xmx} before it collects, this is what the pipeline kept (reachable data,
 *       plus old-generation garbage not yet collected by a young collection): the figure to hold
 *       against a heap budget such as issue 9's 2 GiB ({@code bench load});
 *   <li>the stop-the-world pauses, per window ({@link #takePauses()}, {@code bench live}): every
 *       stage and the broker share this JVM, so a pause delays every change in flight.
 * </ul>
 *
 * <p>A notification counts as a pause unless its action names a concurrent cycle (ZGC's and
 * Shenandoah's "end of GC cycle"); G1's young, mixed and full collections are pauses. Durations
 * are the collector's own, in whole milliseconds. Thread-safe.
 */
final class GcWatch implements AutoCloseable {

  /**
   * Stop-the-world pauses in a window.
   *
   * @param count pauses
   * @param totalMs their summed duration, in ms
   * @param longestMs the longest, in ms (0 when none)
   */
  record Pauses(long count, long totalMs, long longestMs) {}

  private long maxHeapAfterGc;
  private long collections;
  private long pauses;
  private long pauseTotalMs;
  private long pauseLongestMs;
  private final Set<String> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toSet());
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener =
      (notification, handback) -> {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
          record(GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()));
        }
      };

  /** Starts listening to every collector of this JVM. */
  GcWatch() {
    this(true);
  }

  /** @param listen false: only what {@link #record(String, long, long)} is given (tests) */
  GcWatch(boolean listen) {
    if (!listen) {
      return;
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  private void record(GarbageCollectionNotificationInfo info) {
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    record(info.getGcAction(), info.getGcInfo().getDuration(), used);
  }

  /**
   * One collection.
   *
   * @param action the collector's action ("end of minor GC", "end of GC cycle", …)
   * @param durationMs its duration, in ms
   * @param heapUsedAfter bytes of heap in use after it
   */
  synchronized void record(String action, long durationMs, long heapUsedAfter) {
    maxHeapAfterGc = Math.max(maxHeapAfterGc, heapUsedAfter);
    collections++;
    if (!action.contains("cycle")) {
      pauses++;
      pauseTotalMs += durationMs;
      pauseLongestMs = Math.max(pauseLongestMs, durationMs);
    }
  }

  /** Bytes: the largest heap in use after one collection so far (0 before the first). */
  synchronized long maxBytes() {
    return maxHeapAfterGc;
  }

  /** Collections seen so far (pauses and concurrent cycles). */
  synchronized long collections() {
    return collections;
  }

  /** The pauses since the previous call (or since this watch started), and a new window. */
  synchronized Pauses takePauses() {
    Pauses p = new Pauses(pauses, pauseTotalMs, pauseLongestMs);
    pauses = 0;
    pauseTotalMs = 0;
    pauseLongestMs = 0;
    return p;
  }

  @Override
  public void close() {
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(listener);
      } catch (ListenerNotFoundException ignored) {
        // never added
      }
    }
  }
}
