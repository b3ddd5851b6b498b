package org.edu2lms.cli;

import java.time.Duration;
import java.util.Map;
import org.edu2lms.transform.TransformConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The transform's two commit intervals as {@code edu2lms bench} options (a picocli mixin):
 * {@code transform.commit.interval} and {@code transform.catchup.commit.interval}
 * ({@link org.edu2lms.transform.CatchUpPolicy}).
 */
final class CommitIntervalOptions {

  @Option(
      names = "--commit-interval",
      defaultValue = "PT" + TransformConfig.DEFAULT_COMMIT_INTERVAL_MS / 1000.0 + "S",
      description = "the transform's commit interval while it keeps up (transform.commit.interval; default: ${DEFAULT-VALUE})")
  Duration commitInterval;

  @Option(
      names = "--catchup-commit-interval",
      defaultValue = "PT" + TransformConfig.DEFAULT_CATCH_UP_COMMIT_INTERVAL_MS / 1000.0 + "S",
      description =
          "the transform's commit interval while it works off a backlog (transform.catchup.commit.interval; equal to"
              + " --commit-interval: one interval throughout; default: ${DEFAULT-VALUE})")
  Duration catchUpCommitInterval;

  /**
   * Checks both against the transform's bounds ({@link TransformConfig#MIN_COMMIT_INTERVAL_MS},
   * catch-up at least live).
   *
   * @throws ParameterException naming the option and the value, so picocli prints the usage
   */
  void require(CommandSpec spec) {
    if (commitInterval.toMillis() < TransformConfig.MIN_COMMIT_INTERVAL_MS) {
      throw new ParameterException(
          spec.commandLine(), "--commit-interval must be at least " + TransformConfig.MIN_COMMIT_INTERVAL_MS + " ms, got " + commitInterval);
    }
    if (catchUpCommitInterval.compareTo(commitInterval) < 0) {
      throw new ParameterException(
          spec.commandLine(), "--catchup-commit-interval must be at least --commit-interval (" + commitInterval + "), got " + catchUpCommitInterval);
    }
  }

  /**
   * The transform settings of {@code base} with these intervals.
   *
   * @param streamThreads stream threads
   * @param streams {@code streams.*} pass-through properties
   */
  TransformConfig apply(TransformConfig base, int streamThreads, Map<String, String> streams) {
    return new TransformConfig(
        base.kafkaBootstrap(),
        base.applicationId(),
        base.stateDir(),
        commitInterval.toMillis(),
        catchUpCommitInterval.toMillis(),
        base.catchUpLag(),
        streamThreads,
        base.kafkaClient(),
        streams);
  }
}
