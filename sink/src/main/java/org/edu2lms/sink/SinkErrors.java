package org.edu2lms.sink;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Set;

/**
 * Sorts the sink's database errors into the ones worth retrying (the LMS is briefly unreachable)
 * and the ones that need a person, with a message saying what to check.
 *
 * <p>Transient, by SQLSTATE (PostgreSQL Appendix A): class 08 (connection exception), 57P01
 * admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53xxx insufficient resources,
 * 40001 serialization_failure and 40P01 deadlock_detected; and any I/O error under a
 * database call. Everything else (authentication 28xxx, unknown database 3D000, missing table,
 * column or privilege 42xxx) stops the sink.
 */
public final class SinkErrors {

  private static final Set<String> TRANSIENT_STATES = Set.of("57P01", "57P02", "57P03", "40001", "40P01");

  private SinkErrors() {}

  /** Whether retrying the same work later can succeed. */
  public static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.startsWith("08") || state.startsWith("53") || TRANSIENT_STATES.contains(state)) {
          return true;
        }
      }
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  /**
   * A one-line explanation of a fatal error naming the configuration key to check.
   *
   * @param e the error that stopped the sink
   * @param config the settings in use (the password is never printed)
   */
  public static String explain(Throwable e, SinkConfig config) {
    SQLException s = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException q && q.getSQLState() != null) {
        s = q;
        break;
      }
    }
    if (s == null) {
      return e.getMessage();
    }
    String state = s.getSQLState();
    if (state.startsWith("28")) {
      return "LMS refused the login of sink.lms.user '" + config.lmsUser() + "' (SQLSTATE " + state
          + "): check sink.lms.user and sink.lms.password. " + s.getMessage();
    }
    if (state.equals("3D000")) {
      return "the LMS database in sink.lms.url does not exist (" + config.lmsJdbcUrl() + "): " + s.getMessage();
    }
    if (state.equals("42501")) {
      return "sink.lms.user '" + config.lmsUser() + "' lacks a privilege on the LMS (SQLSTATE 42501): "
          + s.getMessage() + ". Run `edu2lms setup lms` as the owner of the LMS schema (README §Database roles).";
    }
    if (state.startsWith("42")) {
      return "the LMS schema does not match what the sink writes (SQLSTATE " + state + "): " + s.getMessage()
          + ". Apply the LMS migrations (edu2lms migrates at start-up) and check sink.lms.url.";
    }
    if (isTransient(s)) {
      return "the LMS stayed unreachable after sink.retry.max.attempts=" + config.retryMaxAttempts()
          + " attempts (SQLSTATE " + state + "): " + s.getMessage();
    }
    return e.getMessage() + " (SQLSTATE " + state + ")";
  }
}
