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
    return start(log, List.of("-Xmx512m"), environment, args);
  }

  /**
   * As {@link #start(Path, java.util.Map, String...)} with these JVM options instead of the 512 MB
   * heap (e.g. {@code -Xmx1g}).
   *
   * @throws java.io.IOException when the JVM cannot be started
   */
  static Process start(Path log, List<String> jvmOptions, java.util.Map<String, String> environment, String... args)
      throws java.io.IOException {
    return start(log, System.getProperty("java.class.path"), jvmOptions, environment, args);
  }

  /**
   * As {@link #start(Path, List, java.util.Map, String...)} on the given classpath (e.g. another
   * build's {@code edu2lms.jar}).
   *
   * @throws java.io.IOException when the JVM cannot be started
   */
  static Process start(Path log, String classpath, List<String> jvmOptions, java.util.Map<String, String> environment, String... args)
      throws java.io.IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", classpath, Edu2LmsCommand.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(cmd);
    builder.environment().putAll(environment);
    return builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }
}
