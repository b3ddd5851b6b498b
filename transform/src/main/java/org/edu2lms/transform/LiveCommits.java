package org.edu2lms.transform;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.ProcessorWrapper;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.WrappedFixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.WrappedProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The transform's two commit intervals in one running Kafka Streams instance: the instance runs
 * with the long catch-up interval as its {@code commit.interval.ms}, and while {@link Pacer#live()}
 * every task that processed a record asks for a commit ({@link ProcessingContext#commit()}) at
 * most once per live interval per stream thread. A request made too early is deferred to a
 * one-shot wall-clock punctuation of that task, so the last records of a burst are committed within
 * about one live interval, not at the next catch-up commit.
 *
 * <p>Why not restart Kafka Streams with the other interval: a close and open inside the process
 * can meet a rebalance or a restore under way, and a close that times out leaves the state folder
 * locked, so a stage could end by itself on its own recovery (docs/operations.md §Restarts). Kafka
 * Streams commits requested tasks at the end of the processing round that requested them
 * ({@code TaskManager.maybeCommitActiveTasksPerUserRequested}), together with every other task
 * of the thread that has work to commit, so one request per thread and interval is enough.
 *
 * <p>Installed as the topology's {@link ProcessorWrapper} ({@link #configure}), it wraps every
 * processor of the DSL and of {@code process()}; the {@link Pacer} reaches it through the
 * streams configuration under {@link #PACER}. Without a pacer the wrapper passes records through.
 */
public final class LiveCommits implements ProcessorWrapper {

  /** The streams configuration key whose value is the {@link Pacer} of the instance. */
  public static final String PACER = "edu2lms.transform.live.commits";

  private Pacer pacer;

  /** Takes the {@link Pacer} under {@link #PACER}, if any. */
  @Override
  public void configure(Map<String, ?> configs) {
    Object p = configs.get(PACER);
    pacer = p instanceof Pacer given ? given : null;
  }

  @Override
  public <KIn, VIn, KOut, VOut> WrappedProcessorSupplier<KIn, VIn, KOut, VOut> wrapProcessorSupplier(
      String processorName, ProcessorSupplier<KIn, VIn, KOut, VOut> supplier) {
    Pacer p = pacer;
    return new WrappedProcessorSupplier<>() {
      @Override
      public Processor<KIn, VIn, KOut, VOut> get() {
        Processor<KIn, VIn, KOut, VOut> inner = supplier.get();
        return p == null ? inner : new PacedProcessor<>(inner, p);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return supplier.stores();
      }
    };
  }

  @Override
  public <KIn, VIn, VOut> WrappedFixedKeyProcessorSupplier<KIn, VIn, VOut> wrapFixedKeyProcessorSupplier(
      String processorName, FixedKeyProcessorSupplier<KIn, VIn, VOut> supplier) {
    Pacer p = pacer;
    return new WrappedFixedKeyProcessorSupplier<>() {
      @Override
      public FixedKeyProcessor<KIn, VIn, VOut> get() {
        FixedKeyProcessor<KIn, VIn, VOut> inner = supplier.get();
        return p == null ? inner : new PacedFixedKeyProcessor<>(inner, p);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return supplier.stores();
      }
    };
  }

  /**
   * The live/catch-up switch and the request timing, shared by every task of one Kafka Streams
   * instance. {@link #setLive} may be called from any thread; the rest runs on stream threads.
   */
  public static final class Pacer {

    private final long liveIntervalMs;
    private final LongSupplier clockMs;
    private volatile boolean live = true;
    /** Per stream thread: when it last asked for a commit, in {@link #clockMs} milliseconds. */
    private final ThreadLocal<long[]> lastRequest;
    /**
     * One state per task id: a task runs on one stream thread at a time, and the ids are a fixed
     * set (sub-topologies × partitions), so nothing accumulates over rebalances.
     */
    private final Map<TaskId, TaskPacing> tasks = new ConcurrentHashMap<>();

    /**
     * Starts live.
     *
     * @param liveIntervalMs the live commit interval, in ms ({@link TransformConfig#commitIntervalMs()})
     * @throws IllegalArgumentException when it is not positive
     */
    public Pacer(long liveIntervalMs) {
      this(liveIntervalMs, System::currentTimeMillis);
    }

    /** As {@link #Pacer(long)} with the given wall clock, in ms (tests). */
    Pacer(long liveIntervalMs, LongSupplier clockMs) {
      if (liveIntervalMs < 1) {
        throw new IllegalArgumentException("live commit interval must be positive, got " + liveIntervalMs + " ms");
      }
      this.liveIntervalMs = liveIntervalMs;
      this.clockMs = clockMs;
      this.lastRequest = ThreadLocal.withInitial(() -> new long[] {clockMs.getAsLong() - liveIntervalMs});
    }

    /** Whether tasks ask for commits at the live interval now. */
    public boolean live() {
      return live;
    }

    /** Live (commits at the live interval) or catch-up (Kafka Streams' own, longer interval). */
    public void setLive(boolean live) {
      this.live = live;
    }

    /** The live commit interval, in ms. */
    public long liveIntervalMs() {
      return liveIntervalMs;
    }

    /** The pacing state of the context's task, when one of its processors is initialised. */
    TaskPacing task(ProcessingContext context) {
      TaskPacing t = tasks.computeIfAbsent(context.taskId(), id -> new TaskPacing());
      // A task initialised again (a new or revived task after a rebalance) has no punctuation left.
      t.pending = null;
      return t;
    }

    /**
     * After a processor of {@code task} processed a record: asks for a commit now when this
     * stream thread has not asked for one within the live interval, else makes sure the task asks
     * once that interval has passed.
     */
    void processed(TaskPacing task, ProcessingContext context) {
      if (!live) {
        return;
      }
      long now = clockMs.getAsLong();
      task.processedAtMs = now;
      long[] last = lastRequest.get();
      if (now - last[0] >= liveIntervalMs) {
        last[0] = now;
        context.commit();
      } else if (task.pending == null) {
        task.pending = context.schedule(Duration.ofMillis(liveIntervalMs), PunctuationType.WALL_CLOCK_TIME, ts -> deferred(task, context));
      }
    }

    /**
     * The deferred request of a task, a live interval after it was scheduled: nothing when a
     * request of this thread made since the task's last record covers it (a request commits
     * every task of the thread); a request when the thread has asked for none within the interval;
     * else it waits for the next firing. So a thread asks at most once per interval, whether
     * from a record or from a punctuation.
     */
    private void deferred(TaskPacing task, ProcessingContext context) {
      long now = clockMs.getAsLong();
      long[] last = lastRequest.get();
      boolean covered = last[0] >= task.processedAtMs;
      if (live && !covered && now - last[0] < liveIntervalMs) {
        return;
      }
      Cancellable c = task.pending;
      task.pending = null;
      if (c != null) {
        c.cancel();
      }
      if (live && !covered) {
        last[0] = now;
        context.commit();
      }
    }
  }

  /** The pacing state of one task: its deferred commit request, while one is scheduled. */
  static final class TaskPacing {
    Cancellable pending;
    /** When a processor of the task last processed a record, in the pacer's clock. */
    long processedAtMs;
  }

  private static final class PacedProcessor<KIn, VIn, KOut, VOut> implements Processor<KIn, VIn, KOut, VOut> {
    private final Processor<KIn, VIn, KOut, VOut> inner;
    private final Pacer pacer;
    private TaskPacing task;
    private ProcessingContext context;

    PacedProcessor(Processor<KIn, VIn, KOut, VOut> inner, Pacer pacer) {
      this.inner = inner;
      this.pacer = pacer;
    }

    @Override
    public void init(ProcessorContext<KOut, VOut> context) {
      this.context = context;
      task = pacer.task(context);
      inner.init(context);
    }

    @Override
    public void process(Record<KIn, VIn> record) {
      inner.process(record);
      pacer.processed(task, context);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  private static final class PacedFixedKeyProcessor<KIn, VIn, VOut> implements FixedKeyProcessor<KIn, VIn, VOut> {
    private final FixedKeyProcessor<KIn, VIn, VOut> inner;
    private final Pacer pacer;
    private TaskPacing task;
    private ProcessingContext context;

    PacedFixedKeyProcessor(FixedKeyProcessor<KIn, VIn, VOut> inner, Pacer pacer) {
      this.inner = inner;
      this.pacer = pacer;
    }

    @Override
    public void init(FixedKeyProcessorContext<KIn, VOut> context) {
      this.context = context;
      task = pacer.task(context);
      inner.init(context);
    }

    @Override
    public void process(FixedKeyRecord<KIn, VIn> record) {
      inner.process(record);
      pacer.processed(task, context);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
