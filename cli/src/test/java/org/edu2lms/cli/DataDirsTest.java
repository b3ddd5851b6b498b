package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The demo and the benchmarks never delete what they did not create ("operable for months":
 * {@code ./edu2lms demo} in an ops folder must not wipe a pipeline's offsets).
 */
class DataDirsTest {

  @TempDir Path dir;

  private static String[] names(Path folder) throws Exception {
    try (Stream<Path> list = Files.list(folder)) {
      return list.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
    }
  }

  @Test
  void aNewFolderGetsTheMarkerAndNothingElse() throws Exception {
    Path data = dir.resolve("a").resolve("demo");

    DataDirs.reset(data);

    assertThat(names(data)).containsExactly(DataDirs.MARKER);
  }

  @Test
  void anEmptyFolderWithoutTheMarkerIsTakenAndMarked() throws Exception {
    Path data = Files.createDirectory(dir.resolve("empty"));

    DataDirs.reset(data);

    assertThat(names(data)).containsExactly(DataDirs.MARKER);
  }

  @Test
  void aFolderWithTheMarkerIsEmptiedAndKeepsTheMarker() throws Exception {
    Path data = dir.resolve("demo");
    DataDirs.reset(data);
    Files.createDirectories(data.resolve("postgres").resolve("base"));
    Files.writeString(data.resolve("postgres").resolve("base").resolve("1"), "pages");
    Files.writeString(data.resolve("capture-offsets.dat"), "offsets");
    Files.writeString(data.resolve("edu2lms.log"), "an earlier run\n");

    DataDirs.reset(data);

    assertThat(names(data)).containsExactly(DataDirs.MARKER);
  }

  @Test
  void aFolderWithContentButNoMarkerIsRefusedAndLeftIntact() throws Exception {
    Path data = Files.createDirectory(dir.resolve("edu2lms-data"));
    Files.writeString(data.resolve("capture-offsets.dat"), "production offsets");
    Files.createDirectories(data.resolve("streams").resolve("0_1"));

    assertThatThrownBy(() -> DataDirs.reset(data))
        .isInstanceOf(DataDirs.NotOwnedException.class)
        .hasMessageStartingWith("--data-dir " + data + " holds files but no .edu2lms-embedded marker")
        .hasMessageContaining("nothing deleted");

    assertThat(names(data)).containsExactly("capture-offsets.dat", "streams");
    assertThat(data.resolve("capture-offsets.dat")).hasContent("production offsets");
    assertThat(data.resolve("streams").resolve("0_1")).isDirectory();
  }

  /** Both commands go through one check: a usage error (exit 2) naming the folder, nothing deleted. */
  @ParameterizedTest
  @ValueSource(strings = {"demo", "bench load", "bench sink", "bench live"})
  void demoAndBenchRefuseAFolderTheyDidNotMakeAsAUsageError(String command) throws Exception {
    Path data = Files.createDirectory(dir.resolve("ops"));
    Files.writeString(data.resolve("capture-offsets.dat"), "production offsets");
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Edu2LmsCommand()).setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err));

    String[] args = Stream.concat(Stream.of(command.split(" ")), Stream.of("--data-dir", data.toString())).toArray(String[]::new);
    int exit = cli.execute(args);

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("--data-dir " + data + " holds files but no .edu2lms-embedded marker").contains("Usage: edu2lms " + command);
    assertThat(names(data)).containsExactly("capture-offsets.dat");
    assertThat(data.resolve("capture-offsets.dat")).hasContent("production offsets");
  }
}
