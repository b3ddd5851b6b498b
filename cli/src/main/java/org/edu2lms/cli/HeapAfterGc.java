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
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The largest heap in use right after a garbage collection, over a benchmark: the sum of the heap
 * pools' use after each collection (JMX GC notifications), the highest seen. Unlike the peak of the
 * heap in use, which G1 lets grow towards {@code -Xmx} before it collects, this is what the
 * pipeline kept (reachable data, plus old-generation garbage not yet collected by a young
 * collection): the figure to hold against a heap budget such as issue 9's 2 GiB.
 */
final class HeapAfterGc implements AutoCloseable {

  private final AtomicLong max = new AtomicLong();
  private final AtomicLong collections = new AtomicLong();
  private final Set<String> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toSet());
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener =
      (notification, handback) -> {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
          GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
          long used = 0;
          for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
              used += e.getValue().getUsed();
            }
          }
          max.accumulateAndGet(used, Math::max);
          collections.incrementAndGet();
        }
      };

  /** Starts listening to every collector of this JVM. */
  HeapAfterGc() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  /** Bytes: the largest heap in use after one collection so far (0 before the first). */
  long maxBytes() {
    return max.get();
  }

  /** Collections seen so far. */
  long collections() {
    return collections.get();
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
