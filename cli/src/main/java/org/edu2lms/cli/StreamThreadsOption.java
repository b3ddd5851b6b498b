package org.edu2lms.cli;

import org.edu2lms.transform.TransformConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The transform's {@code transform.stream.threads} as an {@code edu2lms bench load}/{@code bench
 * live} option (a picocli mixin).
 */
final class StreamThreadsOption {

  @Option(
      names = "--stream-threads",
      defaultValue = "" + TransformConfig.DEFAULT_STREAM_THREADS,
      description = "the transform's stream threads (transform.stream.threads; default: ${DEFAULT-VALUE})")
  int streamThreads;

  /**
   * The stream threads asked for.
   *
   * @throws ParameterException naming the option when it is outside 1..{@link
   *     TransformConfig#MAX_STREAM_THREADS}, so picocli prints the usage
   */
  int require(CommandSpec spec) {
    if (streamThreads < 1 || streamThreads > TransformConfig.MAX_STREAM_THREADS) {
      throw new ParameterException(spec.commandLine(), "--stream-threads must be 1.." + TransformConfig.MAX_STREAM_THREADS + ", got " + streamThreads);
    }
    return streamThreads;
  }
}
