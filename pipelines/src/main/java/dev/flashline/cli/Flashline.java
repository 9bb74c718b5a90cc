package dev.flashline.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code flashline} command line. */
@Command(
    name = "flashline",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Bulk LLM classification and summarisation with the exact cost of every record.",
    subcommands = {LabelCommand.class, StreamCommand.class, ServeCommand.class, EstimateCommand.class, QuantizeCommand.class, ClusterCommand.class, CommandLine.HelpCommand.class})
public final class Flashline {
  /** Exit code for a bad command line, job spec or input: nothing ran. */
  static final int USAGE = 2;

  /** Exit code for a job that started and then failed. */
  static final int FAILED = 1;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs one command with its output and errors going to the given writers; returns the exit code. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return new CommandLine(new Flashline())
        .setOut(out)
        .setErr(err)
        .setExitCodeExceptionMapper(e -> FAILED)
        .setParameterExceptionHandler(
            (e, ignored) -> {
              e.getCommandLine().getErr().println("flashline: " + e.getMessage());
              e.getCommandLine().getErr().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
              return USAGE;
            })
        .execute(args);
  }
}
