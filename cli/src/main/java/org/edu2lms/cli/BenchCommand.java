package org.edu2lms.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code edu2lms bench …}: benchmarks that write JSON and Markdown reports (never part of the test
 * run). {@code load} (initial load vs a same-run COPY baseline) and {@code sink} (the sink's write
 * path alone, per staging method) are built; the live-sync latency benchmark of the issue
 * "Benchmarks: initial load and live-sync latency" is not built yet.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks with JSON and Markdown reports.",
    subcommands = {BenchLoadCommand.class, BenchSinkCommand.class})
public final class BenchCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a benchmark is required: load or sink (live is not built yet)");
  }
}
