package org.edu2lms.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The data folder of the embedded commands (demo, bench): PostgreSQL and Kafka data, the Streams
 * state, the capture's offset file and the log. A run starts from an empty folder: an offset file
 * left from an earlier run would point the capture at a WAL position the new database never had.
 *
 * <p>Only a folder these commands made is emptied: they mark each folder they create, or find
 * empty, with {@value #MARKER}, and refuse a folder that holds anything without it. A pipeline's
 * own data folder ({@code run --data-dir}: its offsets and state stores) is never theirs.
 */
final class DataDirs {

  /** The file that marks a folder as the embedded commands' own. */
  static final String MARKER = ".edu2lms-embedded";

  private DataDirs() {}

  /**
   * Readies the data folder of an embedded command and points the command's log into it.
   *
   * @param name the command, naming its log lines (e.g. {@code demo})
   * @throws ParameterException (exit code 2) when the folder holds files but no marker; nothing is
   *     deleted then
   * @throws IOException when the folder cannot be created or emptied
   */
  static void prepare(CommandSpec spec, String name, Path dataDir) throws IOException {
    try {
      reset(dataDir);
    } catch (NotOwnedException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Logging.forEmbedded(name, dataDir);
  }

  /**
   * Creates the folder with its marker, or empties a folder that has the marker (the marker is
   * kept); an empty folder without one gets it.
   *
   * @throws NotOwnedException naming the folder when it holds files but no marker
   * @throws IOException when something cannot be created or deleted
   */
  static void reset(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path marker = dataDir.resolve(MARKER);
    List<Path> content;
    try (Stream<Path> list = Files.list(dataDir)) {
      content = list.filter(p -> !p.getFileName().toString().equals(MARKER)).toList();
    }
    if (!content.isEmpty() && !Files.exists(marker)) {
      throw new NotOwnedException(
          "--data-dir "
              + dataDir
              + " holds files but no "
              + MARKER
              + " marker, so demo or bench did not create it (it may be a pipeline's data folder with its offsets): "
              + "nothing deleted; choose another --data-dir, or empty or remove that folder yourself");
    }
    for (Path p : content) {
      try (Stream<Path> walk = Files.walk(p)) {
        for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(q);
        }
      }
    }
    if (!Files.exists(marker)) {
      Files.writeString(marker, "Made by edu2lms demo or bench, which empty this folder when they start.\n");
    }
  }

  /** A data folder that the embedded commands did not create. */
  static final class NotOwnedException extends IOException {
    NotOwnedException(String message) {
      super(message);
    }
  }
}
