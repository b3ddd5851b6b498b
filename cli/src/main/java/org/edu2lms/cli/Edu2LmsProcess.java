package org.edu2lms.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code edu2lms} program launched as its own JVM on this JVM's classpath (the packaged jar's
 * manifest lists target/lib, so the classpath of {@code java -jar edu2lms.jar} serves as well), so
 * a kill is a real signal: used by {@code bench recover} and the tests that run stages apart.
 */
final class Edu2LmsProcess {

  private Edu2LmsProcess() {}

  /**
   * Starts {@code edu2lms <args>} with a 512 MB heap; standard output and error are appended to {@code log}.
   *
   * @throws java.io.IOException when the JVM cannot be started
   */
  static Process start(Path log, String... args) throws java.io.IOException {
    return start(log, java.util.Map.of(), args);
  }

  /**
   * As {@link #start(Path, String...)}, with these environment variables added to the test's.
   *
   * @throws java.io.IOException when the JVM cannot be started
   */
  static Process start(Path log, java.util.Map<String, String> environment, String... args) throws java.io.IOException {
    return start(log, "512m", environment, args);
  }

  /**
   * As {@link #start(Path, java.util.Map, String...)} with a heap of {@code heap} ({@code -Xmx}
   * syntax, e.g. {@code 512m}).
   *
   * @throws java.io.IOException when the JVM cannot be started
   */
  static Process start(Path log, String heap, java.util.Map<String, String> environment, String... args) throws java.io.IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
        "-cp", System.getProperty("java.class.path"), Edu2LmsCommand.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(cmd);
    builder.environment().putAll(environment);
    return builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }
}
