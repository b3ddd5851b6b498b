package org.edu2lms.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The data folder of the embedded commands (demo, bench): PostgreSQL and Kafka data, the Streams
 * state and the capture's offset file. A run starts from an empty folder: an offset file left
 * from an earlier run would point the capture at a WAL position the new database never had.
 */
final class DataDirs {

  /** What a run leaves in the folder (the log file is kept and appended to). */
  private static final List<String> STATE = List.of("postgres", "kafka", "streams", "capture-offsets.dat");

  private DataDirs() {}

  /**
   * Creates the folder and deletes the state of an earlier run.
   *
   * @throws IOException when something cannot be deleted
   */
  static void reset(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    for (String name : STATE) {
      Path p = dataDir.resolve(name);
      if (Files.exists(p)) {
        try (Stream<Path> walk = Files.walk(p)) {
          for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(q);
          }
        }
      }
    }
  }
}
