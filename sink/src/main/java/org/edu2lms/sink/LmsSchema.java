package org.edu2lms.sink;

import org.flywaydb.core.Flyway;

/**
 * The versioned LMS DDL of lms.md ({@code classpath:db/lms}), applied with Flyway: every table,
 * CHECK, UNIQUE and FOREIGN KEY as specified, plus the {@code edu2lms} bookkeeping schema
 * (quarantine, parked rows).
 */
public final class LmsSchema {

  private LmsSchema() {}

  /**
   * Creates or upgrades the LMS schema.
   *
   * @return the number of migrations applied now
   * @throws org.flywaydb.core.api.FlywayException when the database cannot be reached or a
   *     migration fails
   */
  public static int migrate(String jdbcUrl, String user, String password) {
    return Flyway.configure()
        .dataSource(jdbcUrl, user, password)
        .locations("classpath:db/lms")
        .table("edu2lms_lms_schema_history")
        .load()
        .migrate()
        .migrationsExecuted;
  }
}
