package org.sparkwebmodel.common.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkwebmodel.common.config.BuildInfo;
import org.sparkwebmodel.common.config.ConfigFiles;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.SparkSessions;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.step.ModuleJob;
import org.sparkwebmodel.common.step.StepReport;
import org.sparkwebmodel.common.table.Warehouse;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code web-model} command line (see README, "Command line"): the root command with the global
 * {@code --warehouse}, {@code main}, the one-line error a person reads, and the session helpers the
 * commands share. Each command is a class of its own ({@link PlaybookCommand}, {@link RunCommand},
 * {@link UnlockCommand}, {@link CheckCommand}, {@link LoadCommand}, {@link ExportCommand}, {@link
 * SqlCommand}, {@link SampleDataCommand}); {@code --var} is {@link VarOptions}. A thin layer over
 * the jobs; errors end in a one-line message on stderr and a non-zero exit status.
 */
@Command(
    name = "web-model",
    mixinStandardHelpOptions = true,
    versionProvider = WebModelCli.Version.class,
    resourceBundle = "org.sparkwebmodel.common.cli.VarOptions",
    description = "Sessions and users modules of the web data model on Spark and Delta Lake.",
    subcommands = {
      PlaybookCommand.class,
      RunCommand.class,
      UnlockCommand.class,
      CheckCommand.class,
      LoadCommand.class,
      ExportCommand.class,
      SqlCommand.class,
      SampleDataCommand.class
    })
public final class WebModelCli {
  private static final Logger LOG = LoggerFactory.getLogger(WebModelCli.class);

  @Option(
      names = "--warehouse",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description =
          "Root folder or URI of the Delta tables (default: ./warehouse or the playbook's).")
  String warehouse;

  /** Runs the command line and returns the exit status; the session is left running. */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** As {@link #execute(String...)}, printing to the given writers. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new WebModelCli());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(WebModelCli::handleFailure);
    commandLine.setParameterExceptionHandler(
        (e, arguments) -> {
          PrintWriter writer = e.getCommandLine().getErr();
          writer.println("web-model: error: " + e.getMessage());
          e.getCommandLine().usage(writer);
          writer.flush();
          return 2;
        });
    return commandLine.execute(args);
  }

  /**
   * The entry point of the launcher and of the jobs' spark-submit mains. It exits with the
   * command's status, except in YARN cluster mode: there the application master reports the outcome
   * only when {@code main} returns or throws (an explicit exit marks even a success as failed), so
   * it returns on success and throws on failure.
   */
  public static void main(String[] args) {
    int status;
    try {
      status = execute(args);
    } catch (OutOfMemoryError e) {
      // picocli passes Errors on; the one-line error still ends the output
      System.err.printf(
          "web-model: error: out of memory: the driver's heap (%,d MB) is too small; raise"
              + " WEB_MODEL_HEAP (e.g. WEB_MODEL_HEAP=8g) and run again%n",
          Runtime.getRuntime().maxMemory() >> 20);
      status = 1;
    }
    boolean clusterMode =
        "cluster".equals(System.getProperty("spark.submit.deployMode"))
            || SparkSession.getActiveSession().exists(s -> isClusterMode(s));
    SparkSession.getActiveSession()
        .foreach(
            session -> {
              session.stop();
              return null;
            });
    if (!clusterMode) {
      System.exit(status);
    }
    if (status != 0) {
      throw new WebModelException(
          "web-model exited with status " + status + " (see the error above)");
    }
  }

  private static boolean isClusterMode(SparkSession session) {
    return "cluster"
        .equals(session.sparkContext().getConf().get("spark.submit.deployMode", "client"));
  }

  /** Prints the one-line error (then the stack trace for unexpected failures) and exits 1. */
  static int handleFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
    PrintWriter err = commandLine.getErr();
    if (e instanceof WebModelException) {
      err.println("web-model: error: " + e.getMessage());
      LOG.debug("failure", e);
    } else {
      err.println(
          "web-model: error: "
              + e.getClass().getSimpleName()
              + ": "
              + Messages.firstLine(e.getMessage()));
      e.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  /**
   * Arguments of a job's spark-submit main ({@code [--warehouse DIR] FILE.yml [--var K=V ...]}) as
   * a {@code playbook} command line.
   */
  public static String[] playbookArgs(String[] args) {
    if (Arrays.asList(args).contains("playbook")) {
      return args;
    }
    String[] result = new String[args.length + 1];
    result[0] = "playbook";
    System.arraycopy(args, 0, result, 1, args.length);
    return result;
  }

  /** The module a playbook runs, among the modules on the classpath. */
  public static ModuleJob jobFor(Playbook playbook) {
    return RunExecutor.module(playbook);
  }

  /** Runs one playbook and prints its summary line; shared with the spark-submit mains. */
  public static StepReport runPlaybook(Playbook playbook, ModuleJob job, PrintWriter out) {
    StepReport report = RunExecutor.runStep(session(playbook.label()), playbook, job);
    out.println(report.summaryLine());
    out.flush();
    return report;
  }

  /** The running session (tests, a run's later steps) or a new one named after {@code what}. */
  static SparkSession session(String what) {
    scala.Option<SparkSession> active = SparkSession.getActiveSession();
    return active.isDefined()
        ? active.get()
        : SparkSessions.builder("spark-web-model " + what).getOrCreate();
  }

  /** Starts the session before reading a configuration file from a URI, for its Hadoop setup. */
  static void startSessionFor(String location) {
    if (ConfigFiles.isRemote(location)) {
      session("spark-web-model");
    }
  }

  /** The tables of {@code vars}' warehouse, in the session (started for {@code what}). */
  static DeltaStore store(String what, Variables vars) {
    return new DeltaStore(session(what), vars.locations());
  }

  /** The tables of the warehouse of the global {@code --warehouse} (default ./warehouse). */
  Warehouse warehouseOrDefault() {
    return new Warehouse(warehouse != null ? warehouse : "./warehouse");
  }

  /**
   * Seconds since {@code startNanos} (a {@link System#nanoTime()}), for the timing a person reads.
   */
  static double secondsSince(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos).toMillis() / 1000.0;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"spark-web-model " + BuildInfo.version()};
    }
  }
}
