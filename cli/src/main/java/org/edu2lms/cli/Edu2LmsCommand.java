package org.edu2lms.cli;

import org.slf4j.LoggerFactory;
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
    subcommands = {GenerateCommand.class, DemoCommand.class, RunCommand.class, ConfigCommand.class, SetupCommand.class, LagCommand.class, VerifyCommand.class, ReloadCommand.class, ReplayCommand.class, CutoverCheckCommand.class, QuarantineCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Edu2LmsCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (generate, demo, setup, run, config, lag, verify, reload, replay, cutover-check, quarantine, bench)");
  }

  /** Runs the program and exits with its exit code. */
  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new Edu2LmsCommand());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          // The operator gets the reason in one line per cause; the stack goes to the command's log
          // (none for the operations commands: logback.xml).
          LoggerFactory.getLogger(Edu2LmsCommand.class).warn("{} failed", commandLine.getCommandName(), e);
          StringBuilder msg = new StringBuilder("edu2lms " + commandLine.getCommandName() + ": " + e.getMessage());
          for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !msg.toString().contains(c.getMessage())) {
              msg.append(System.lineSeparator()).append("  caused by: ").append(c.getMessage());
            }
          }
          commandLine.getErr().println(msg);
          return 1;
        });
    System.exit(cli.execute(args));
  }
}
