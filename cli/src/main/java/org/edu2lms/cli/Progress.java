package org.edu2lms.cli;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of long work (generate, initial load): on a terminal a bar with rate and ETA, redrawn
 * every 0.5 s; otherwise (CI logs, a pipe, a file) a plain line every 10 s, also in the log file.
 */
final class Progress {

  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

  private Progress() {}

  /** Whether standard output is an interactive terminal. */
  static boolean terminal() {
    return System.console() != null;
  }

  /**
   * @param task what is measured, e.g. {@code generate EDU}
   * @param total the amount of work; -1 when unknown (the bar then shows the count and rate only)
   * @param unit e.g. {@code " rows"}
   */
  static ProgressBar bar(String task, long total, String unit) {
    ProgressBarBuilder b =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setStyle(ProgressBarStyle.ASCII)
            .setUnit(unit, 1)
            .showSpeed();
    if (terminal()) {
      return b.setUpdateIntervalMillis(500).build();
    }
    return b.setUpdateIntervalMillis(10_000)
        .setConsumer(
            new DelegatingProgressBarConsumer(
                line -> {
                  System.out.println("      " + line.strip());
                  System.out.flush();
                  LOG.info("{}", line.strip());
                },
                120))
        .build();
  }
}
