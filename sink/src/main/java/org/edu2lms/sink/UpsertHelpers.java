package org.edu2lms.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extra LMS connections of one sink ({@code sink.upsert.connections} − 1) and one thread each:
 * {@link LmsSink} hands each of them one part of a big table's upsert, which it writes in a
 * transaction of its own and commits before the sink's main connection commits its part.
 *
 * <p>Every helper session runs with {@code lock_timeout} = {@value #LOCK_TIMEOUT}: the sink's
 * thread waits (in Java) for the helpers while its own transaction is open, so a helper that waits
 * for a row lock of that transaction would otherwise wait forever, a deadlock PostgreSQL cannot see.
 * With the timeout the helper's part fails (SQLSTATE 55P03), is rolled back, and the sink writes it
 * on its main connection instead. Connections are opened on first use (a sink that never sees a
 * big batch opens none) and replaced after an error that may have broken them.
 */
final class UpsertHelpers implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UpsertHelpers.class);

  /** Longest wait of a helper for a row lock before its part goes back to the main connection. */
  static final String LOCK_TIMEOUT = "2s";

  /** The work of one part: writes with the helper's connection and its writer of the table. */
  @FunctionalInterface
  interface Part<T> {
    T write(Connection c, TableWriter w) throws SQLException;
  }

  /** One helper: its connection and its writers (each with the session's staging tables). */
  private static final class Slot {
    Connection connection;
    final Map<String, TableWriter> writers = new HashMap<>();
  }

  private final SinkConfig config;
  private final Slot[] slots;
  private final ExecutorService threads;

  /**
   * @param config the sink settings: {@code sink.upsert.connections} − 1 helpers, the LMS URL and
   *     role, the staging method
   */
  UpsertHelpers(SinkConfig config) {
    this.config = config;
    this.slots = new Slot[config.upsertConnections() - 1];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot();
    }
    AtomicInteger n = new AtomicInteger();
    this.threads =
        slots.length == 0
            ? null
            : Executors.newFixedThreadPool(
                slots.length,
                r -> {
                  Thread t = new Thread(r, "edu2lms-sink-upsert-" + n.incrementAndGet());
                  t.setDaemon(true);
                  return t;
                });
  }

  /** The number of helper connections. */
  int size() {
    return slots.length;
  }

  /**
   * Runs one part on helper {@code slot} in a transaction of its own, committed when the part
   * returns, rolled back when it throws. One part per slot at a time: the caller waits for every
   * part it submitted before it submits the next ones.
   *
   * @param slot 0 .. {@link #size()} − 1
   * @param table the table the part writes
   * @param part the work
   * @return the part's result; its failure (a {@link SQLException} with the SQLSTATE, e.g. 55P03
   *     for the lock timeout) as the cause of the future's {@link
   *     java.util.concurrent.ExecutionException}
   */
  <T> Future<T> submit(int slot, LmsTable table, Part<T> part) {
    Slot s = slots[slot];
    return threads.submit(
        () -> {
          Connection c = connection(s);
          try {
            T result = part.write(c, s.writers.computeIfAbsent(table.name(), k -> new TableWriter(table, config.stageMethod())));
            c.commit();
            return result;
          } catch (SQLException | RuntimeException e) {
            try {
              c.rollback();
            } catch (SQLException broken) {
              close(s);
            }
            if (SinkErrors.isTransient(e)) {
              close(s);
            }
            throw e;
          }
        });
  }

  private Connection connection(Slot s) throws SQLException {
    if (s.connection == null) {
      Connection c = LmsSink.open(config, "edu2lms-sink-upsert");
      try (Statement st = c.createStatement()) {
        st.execute("SET lock_timeout = '" + LOCK_TIMEOUT + "'");
        c.setAutoCommit(false);
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      s.writers.clear();
      s.connection = c;
    }
    return s.connection;
  }

  private static void close(Slot s) {
    if (s.connection != null) {
      try {
        s.connection.close();
      } catch (SQLException e) {
        LOG.debug("closing a helper LMS connection: {}", e.getMessage());
      }
      s.connection = null;
    }
  }

  /** Stops the threads and closes the connections (a part still running is rolled back by the server). */
  @Override
  public void close() {
    if (threads != null) {
      threads.shutdownNow();
    }
    for (Slot s : slots) {
      close(s);
    }
  }
}
