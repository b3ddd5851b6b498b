package org.edu2lms.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code edu2lms}: the command-line program of the EDU → LMS sync. Exit codes: 0 success, 1 the
 * work ran but its check failed (e.g. the accounting does not balance) or a stage failed, 2 a bad
 * command line.
 */
@Command(
    name = "edu2lms",
    mixinStandardHelpOptions = true,
    version = "edu2lms 0.1.0",
    description = "Change-data-capture sync from the legacy EDU database to the LMS database.",
    subcommands = {GenerateCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Edu2LmsCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (generate, demo)");
  }

  /** Runs the program and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Edu2LmsCommand()).execute(args));
  }
}
