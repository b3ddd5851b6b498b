package org.edu2lms.generator;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The versioned EDU DDL of edu.md ({@code classpath:db/edu}), applied with Flyway. The EDU schema
 * has no foreign keys and keeps dates as text, on purpose: it is the legacy system.
 */
public final class EduSchema {

  private EduSchema() {}

  /**
   * Creates or upgrades the EDU tables.
   *
   * @param jdbcUrl the EDU database, e.g. {@code jdbc:postgresql://localhost:5432/edu}
   * @return the number of migrations applied now
   * @throws org.flywaydb.core.api.FlywayException when the database cannot be reached or a
   *     migration fails
   */
  public static int migrate(String jdbcUrl, String user, String password) {
    MigrateResult result =
        Flyway.configure()
            .dataSource(jdbcUrl, user, password)
            .locations("classpath:db/edu")
            .table("edu2lms_edu_schema_history")
            .load()
            .migrate();
    return result.migrationsExecuted;
  }
}
