package org.edu2lms.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.edu2lms.generator.EduGenerator;
import org.edu2lms.generator.EduSchema;
import org.edu2lms.generator.Profile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code edu2lms generate}: creates the EDU schema and fills it with the spec's profile. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Create the EDU schema (edu.md) and fill it with generated legacy data (spec/README.md profile).")
public final class GenerateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--edu-url", required = true, description = "JDBC URL of the empty EDU database, e.g. jdbc:postgresql://localhost:5432/edu")
  String eduUrl;

  @Option(names = "--edu-user", defaultValue = "postgres", description = "EDU user (default: ${DEFAULT-VALUE})")
  String eduUser;

  @Option(names = "--edu-password", defaultValue = "", description = "EDU password (default: empty)")
  String eduPassword;

  @Option(names = "--edu-password-file", paramLabel = "FILE", description = "file holding the EDU password (a Docker secret), instead of --edu-password")
  java.nio.file.Path eduPasswordFile;

  @Option(names = "--scale", defaultValue = "1.0", description = "multiplier of the profile's row counts; 1.0 ≈ 3.9 M rows (default: ${DEFAULT-VALUE})")
  double scale;

  @Option(names = "--seed", defaultValue = "42", description = "random seed; the same seed and scale give the same data (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--skip-if-not-empty", description = "exit 0 without generating when the EDU tables already hold rows (an init step run at every start, e.g. in docker-compose)")
  boolean skipIfNotEmpty;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!(scale > 0) || scale > 100) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--scale must be > 0 and <= 100, got " + scale);
    }
    if (eduPasswordFile != null) {
      eduPassword = org.edu2lms.cli.config.Edu2LmsConfiguration.readSecret(eduPasswordFile);
    }
    long start = System.nanoTime();
    int applied = EduSchema.migrate(eduUrl, eduUser, eduPassword);
    out.printf("EDU schema ready (%d migrations applied)%n", applied);
    if (skipIfNotEmpty) {
      try (Connection c = DriverManager.getConnection(eduUrl, eduUser, eduPassword)) {
        if (EduGenerator.holdsRows(c)) {
          out.println("EDU already holds rows: nothing generated (--skip-if-not-empty)");
          return 0;
        }
      }
    }
    long rows = generate(eduUrl, eduUser, eduPassword, new Profile(scale), seed);
    out.printf("generated %,d EDU rows at scale %s, seed %d, in %.1f s%n", rows, scale, seed, (System.nanoTime() - start) / 1e9);
    return 0;
  }

  /** Generates with a progress bar on a terminal, periodic lines otherwise ({@link Progress}); returns the row count. */
  static long generate(String url, String user, String password, Profile profile, long seed) throws Exception {
    EduGenerator generator = new EduGenerator(profile, seed);
    try (Connection c = DriverManager.getConnection(url, user, password);
        ProgressBar bar = Progress.bar("generate EDU", generator.totalRows(), " rows")) {
      generator.generate(c, bar::stepBy);
    }
    return generator.totalRows();
  }
}
