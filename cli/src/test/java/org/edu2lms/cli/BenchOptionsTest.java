package org.edu2lms.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A bad option of {@code edu2lms bench load|live} is a usage error (exit 2, the option named)
 * before the benchmark starts anything: no data folder, no servers, no generated EDU.
 */
class BenchOptionsTest {

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "load, --upsert-connections, 9, '--upsert-connections must be 1..8, got 9'",
    "live, --upsert-connections, 0, '--upsert-connections must be 1..8, got 0'",
    "load, --stream-threads, 0, '--stream-threads must be 1..64, got 0'",
    "live, --stream-threads, 65, '--stream-threads must be 1..64, got 65'",
    "live, --warmup, PT31M, '--warmup must be between 0 and 30 minutes, got PT31M'",
    "live, --warmup, -PT1S, '--warmup must be between 0 and 30 minutes, got PT-1S'",
    "live, --capture-compression, brotli, '--capture-compression takes none, gzip, snappy, lz4 or zstd, got brotli'",
    "live, --streams, processing.guarantee=at_least_once, '--streams processing.guarantee is set by edu2lms and cannot be overridden'"
  })
  void aValueOutOfRangeIsAUsageErrorBeforeAnythingStarts(String bench, String option, String value, String message) {
    Path data = dir.resolve("bench-data");
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Edu2LmsCommand()).setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err));

    int exit = cli.execute("bench", bench, option, value, "--data-dir", data.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith(message).contains("Usage: edu2lms bench " + bench);
    assertThat(data).as("nothing was prepared").doesNotExist();
  }
}
