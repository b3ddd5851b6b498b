package org.edu2lms.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options every {@code edu2lms bench} command takes (a picocli mixin). */
final class BenchOptions {

  @Option(names = "--scale", defaultValue = "0.1", description = "EDU size as a multiple of the profile, > 0 and <= 2 (default: ${DEFAULT-VALUE})")
  double scale;

  @Option(names = "--seed", defaultValue = "42", description = "generator seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--data-dir", defaultValue = "edu2lms-bench-data", description = "folder for the embedded servers and the log, emptied first; only a folder bench or the demo made (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(names = "--report-dir", defaultValue = "docs/benchmarks", description = "where the JSON and Markdown reports go (default: ${DEFAULT-VALUE})")
  Path reportDir;

  /**
   * Checks the options, empties the data folder and points the log file into it ({@link
   * DataDirs#prepare}).
   *
   * @throws ParameterException naming the bad option (picocli prints the usage), or the data
   *     folder when bench or the demo did not make it
   * @throws IOException when the data folder cannot be emptied
   */
  void prepare(CommandSpec spec) throws IOException {
    if (!(scale > 0) || scale > 2) {
      throw new ParameterException(spec.commandLine(), "--scale must be > 0 and <= 2, got " + scale);
    }
    DataDirs.prepare(spec, "bench-" + spec.name(), dataDir);
  }
}
