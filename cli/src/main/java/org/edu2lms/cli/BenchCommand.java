package org.edu2lms.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code edu2lms bench …}: benchmarks that write JSON and Markdown reports (never part of the test
 * run): {@code load} (initial load vs a same-run COPY baseline), {@code live} (end-to-end latency
 * of a steady change rate), {@code sink} (the sink's write path alone, per staging method) and
 * {@code recover} (recovery of each stage of the three-process deployment after {@code kill -9}).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks with JSON and Markdown reports.",
    subcommands = {BenchLoadCommand.class, BenchLiveCommand.class, BenchSinkCommand.class, BenchRecoverCommand.class})
public final class BenchCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a benchmark is required: load, live, sink or recover");
  }
}
