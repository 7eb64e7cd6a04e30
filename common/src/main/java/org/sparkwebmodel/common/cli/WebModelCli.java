package org.sparkwebmodel.common.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkwebmodel.common.config.BuildInfo;
import org.sparkwebmodel.common.config.ConfigFiles;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.config.RunFile;
import org.sparkwebmodel.common.config.Step;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.csv.CsvTables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.SparkSessions;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.run.RunLock;
import org.sparkwebmodel.common.run.RunState;
import org.sparkwebmodel.common.sample.SampleData;
import org.sparkwebmodel.common.step.Faults;
import org.sparkwebmodel.common.step.ModuleJob;
import org.sparkwebmodel.common.step.Modules;
import org.sparkwebmodel.common.step.QualityGate;
import org.sparkwebmodel.common.step.StepReport;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.ModelTables;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code web-model} command line (see README, "Command-line contract"): run a playbook, load a
 * CSV file into a table, export a table to CSV, write sample page views. A thin layer over the
 * jobs; errors end in a one-line message on stderr and a non-zero exit status.
 */
@Command(
    name = "web-model",
    mixinStandardHelpOptions = true,
    versionProvider = WebModelCli.Version.class,
    description = "Sessions and users modules of the web data model on Spark and Delta Lake.",
    subcommands = {
      WebModelCli.PlaybookCommand.class,
      WebModelCli.RunCommand.class,
      WebModelCli.UnlockCommand.class,
      WebModelCli.CheckCommand.class,
      WebModelCli.LoadCommand.class,
      WebModelCli.ExportCommand.class,
      WebModelCli.SampleDataCommand.class
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
    int status = execute(args);
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

  /** The running session (tests, a run's later steps) or a new one. */
  static SparkSession session(String what) {
    scala.Option<SparkSession> active = SparkSession.getActiveSession();
    return active.isDefined()
        ? active.get()
        : SparkSessions.builder("spark-web-model " + what).getOrCreate();
  }

  Map<String, String> overrides(Map<String, String> vars) {
    Map<String, String> all = new LinkedHashMap<>(vars);
    if (warehouse != null) {
      all.put("warehouse", warehouse);
    }
    return all;
  }

  /** A command as a person would type it again: the global options, the command, its --var. */
  String commandLine(String command, Map<String, String> vars) {
    StringBuilder line = new StringBuilder();
    if (warehouse != null) {
      line.append("--warehouse ").append(warehouse).append(' ');
    }
    line.append(command);
    vars.forEach((key, value) -> line.append(" --var ").append(key).append('=').append(value));
    return line.toString();
  }

  Warehouse warehouseOrDefault() {
    return new Warehouse(warehouse != null ? warehouse : "./warehouse");
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
    return Modules.named(playbook.module(), playbook.source());
  }

  /** Runs one playbook and prints its summary line; shared with the spark-submit mains. */
  public static StepReport runPlaybook(Playbook playbook, ModuleJob job, PrintWriter out) {
    SparkSession spark = session(playbook.label());
    spark.sparkContext().setJobGroup(playbook.label(), playbook.label(), false);
    StepReport report = job.run(spark, playbook);
    out.println(report.summaryLine());
    out.flush();
    return report;
  }

  @Command(
      name = "playbook",
      description = "Run one playbook (a module's main, complete or destroy).")
  static final class PlaybookCommand implements Callable<Integer> {
    @ParentCommand WebModelCli parent;

    @Spec CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "FILE.yml",
        description = "The playbook to run: a path or a URI (s3://, gs://, hdfs://).")
    String file;

    @Option(
        names = "--var",
        paramLabel = "KEY=VALUE",
        description = "Override a playbook variable.")
    Map<String, String> vars = new LinkedHashMap<>();

    @Override
    public Integer call() {
      Faults.configured();
      startSessionFor(file);
      Playbook playbook = PlaybookLoader.load(file, parent.overrides(vars));
      ModuleJob job = jobFor(playbook);
      PrintWriter out = spec.commandLine().getOut();
      DeltaStore store = storeFor(playbook);
      RunLock lock =
          RunLock.acquire(
              store, playbook.variables(), parent.commandLine("playbook " + file, vars));
      try {
        runPlaybook(playbook, job, out);
      } catch (Exception e) {
        // Spark's SparkException and AnalysisException are checked although nothing declares them.
        failLocks(List.of(lock), playbook.label(), e);
        throw e;
      }
      lock.release();
      out.println();
      TableCounts.print(store, playbook.variables(), out);
      return 0;
    }
  }

  /** Starts the session before reading a configuration file from a URI, for its Hadoop setup. */
  static void startSessionFor(String location) {
    if (ConfigFiles.isRemote(location)) {
      session("spark-web-model");
    }
  }

  static DeltaStore storeFor(Playbook playbook) {
    return new DeltaStore(
        session(playbook.label()), new Warehouse(playbook.variables().warehouse()));
  }

  @Command(
      name = "run",
      description =
          "Run the playbooks of a run file in order (default configs/run.yml); a step whose"
              + " dependency failed is skipped.")
  static final class RunCommand implements Callable<Integer> {
    @ParentCommand WebModelCli parent;

    @Spec CommandSpec spec;

    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "RUN_FILE",
        defaultValue = "configs/run.yml",
        description = "The run file, a path or a URI (default: ${DEFAULT-VALUE}).")
    String file;

    @Option(
        names = "--var",
        paramLabel = "KEY=VALUE",
        description = "Override a variable of every playbook.")
    Map<String, String> vars = new LinkedHashMap<>();

    @Option(
        names = "--from",
        paramLabel = "STEP",
        description =
            "Start at this step of the run file: finish a run that failed or was killed there"
                + " (the earlier steps count as done).")
    String from;

    @Override
    public Integer call() {
      Faults.configured();
      startSessionFor(file);
      RunFile run = RunFile.load(file, parent.overrides(vars));
      run.steps().forEach(step -> jobFor(step.playbook()));
      List<String> names = run.steps().stream().map(RunFile.Entry::name).toList();
      if (from != null && !names.contains(from)) {
        throw new WebModelException(
            "--from " + from + ": no such step in " + run.source() + "; its steps are " + names);
      }
      if (from != null) {
        requireFinishedBefore(run, from);
      }
      List<RunLock> locks = lockAll(run, parent.commandLine("run " + file, vars));
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Map<String, String> outcome = new LinkedHashMap<>();
      List<String> summary = new ArrayList<>();
      String failure = null;
      boolean started = from == null;
      for (RunFile.Entry step : run.steps()) {
        started |= step.name().equals(from);
        if (!started) {
          outcome.put(step.name(), "ok");
          summary.add(String.format("%-26s not run (--from %s)", step.playbook().label(), from));
          continue;
        }
        List<String> blocked =
            step.dependsOn().stream().filter(d -> !"ok".equals(outcome.get(d))).toList();
        if (!blocked.isEmpty()) {
          outcome.put(step.name(), "skipped");
          summary.add(
              String.format("%-26s skipped: %s did not succeed", step.playbook().label(), blocked));
          continue;
        }
        if (failure == null) {
          // After a failure the lock keeps the failed step.
          locks.forEach(lock -> lock.at(step.name()));
        }
        try {
          StepReport report = runPlaybook(step.playbook(), jobFor(step.playbook()), out);
          outcome.put(step.name(), "ok");
          summary.add(report.summaryLine());
        } catch (Exception e) {
          outcome.put(step.name(), "failed");
          String message = Messages.firstLine(e.getMessage());
          summary.add(String.format("%-26s FAILED: %s", step.playbook().label(), message));
          err.println("web-model: step '" + step.name() + "' failed: " + message);
          LOG.warn("step {} failed", step.name(), e);
          if (failure == null) {
            failure = step.name() + "' failed: " + message;
            failLocks(locks, step.name(), e);
          }
        }
      }
      if (failure == null) {
        locks.forEach(RunLock::release);
      }
      out.println();
      out.println("Run " + run.source() + ":");
      summary.forEach(line -> out.println("  " + line));
      out.println();
      Playbook last = run.steps().get(run.steps().size() - 1).playbook();
      TableCounts.print(storeFor(last), last.variables(), out);
      if (failure != null) {
        List<String> skipped =
            outcome.entrySet().stream()
                .filter(e -> e.getValue().equals("skipped"))
                .map(Map.Entry::getKey)
                .toList();
        throw new WebModelException("run step '" + failure + "; skipped: " + skipped);
      }
      return 0;
    }
  }

  /**
   * Refuses {@code --from} when a main step it skips has not finished but its module's complete
   * step will run: complete would refuse, or (with an earlier main finished) a custom step in
   * between would miss the batch. Say where to start instead.
   */
  static void requireFinishedBefore(RunFile run, String from) {
    List<RunFile.Entry> steps = run.steps();
    int start = steps.stream().map(RunFile.Entry::name).toList().indexOf(from);
    for (RunFile.Entry skipped : steps.subList(0, start)) {
      Playbook main = skipped.playbook();
      if (main.step() != Step.MAIN || main.module().equals(Playbook.CUSTOM)) {
        continue;
      }
      boolean completeRuns =
          steps.subList(start, steps.size()).stream()
              .map(RunFile.Entry::playbook)
              .anyMatch(p -> p.step() == Step.COMPLETE && p.module().equals(main.module()));
      boolean finished =
          RunState.read(storeFor(main), main.variables(), main.module())
              .filter(RunState::mainFinished)
              .isPresent();
      if (completeRuns && !finished) {
        throw new WebModelException(
            "--from "
                + from
                + ": step '"
                + skipped.name()
                + "' has no finished "
                + main.module()
                + " main pending its complete step; start from '"
                + skipped.name()
                + "'");
      }
    }
  }

  /**
   * Takes the run lock of every warehouse and entropy the run's steps use (normally one), or none
   * of them.
   */
  static List<RunLock> lockAll(RunFile run, String what) {
    List<RunLock> locks = new ArrayList<>();
    Map<String, Boolean> seen = new LinkedHashMap<>();
    try {
      for (RunFile.Entry step : run.steps()) {
        Variables vars = step.playbook().variables();
        String key = new Warehouse(vars.warehouse()).root() + "|" + vars.entropy();
        if (seen.put(key, true) == null) {
          locks.add(RunLock.acquire(storeFor(step.playbook()), vars, what));
        }
      }
    } catch (RuntimeException e) {
      locks.forEach(RunLock::release);
      throw e;
    }
    return locks;
  }

  /**
   * Marks the locks failed at {@code step}; a failure to do so is attached to {@code cause}, whose
   * error is the one to report.
   */
  static void failLocks(List<RunLock> locks, String step, Exception cause) {
    for (RunLock lock : locks) {
      try {
        lock.fail(step, Messages.firstLine(cause.getMessage()));
      } catch (RuntimeException e) {
        cause.addSuppressed(e);
      }
    }
  }

  /** A command on the tables that {@code --var} names (warehouse, entropy, schemas). */
  abstract static class VarsCommand implements Callable<Integer> {
    @ParentCommand WebModelCli parent;

    @Spec CommandSpec spec;

    @Option(
        names = "--var",
        paramLabel = "KEY=VALUE",
        description =
            "Variables naming the tables: warehouse, entropy, scratch_schema, output_schema.")
    Map<String, String> vars = new LinkedHashMap<>();

    Variables variables() {
      return PlaybookLoader.variables(Map.of(), "--var", parent.overrides(vars));
    }

    DeltaStore store(Variables variables) {
      return new DeltaStore(session(spec.name()), new Warehouse(variables.warehouse()));
    }
  }

  @Command(
      name = "unlock",
      description =
          "Remove the run lock of a warehouse and entropy that a failed or killed run left, and"
              + " say what it was; check the tables first.")
  static final class UnlockCommand extends VarsCommand {
    @Override
    public Integer call() {
      Variables variables = variables();
      spec.commandLine().getOut().println(RunLock.unlock(store(variables), variables));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(
      name = "check",
      description =
          "Check the derived tables against the data-quality rules (reference section 7): columns,"
              + " unique keys, not-NULL columns, metadata counts. Exits 1 when a rule is broken.")
  static final class CheckCommand extends VarsCommand {
    @Override
    public Integer call() {
      Variables variables = variables();
      DeltaStore store = store(variables);
      PrintWriter out = spec.commandLine().getOut();
      List<String> broken = new ArrayList<>();
      Map<TableName, QualityGate> gates = new LinkedHashMap<>();
      for (ModelTable table : Modules.checkedTables()) {
        gates.put(variables.table(table), QualityGate.of(table));
      }
      gates.put(variables.table(ModelTables.DATAMODEL_METADATA), null);
      // Nothing to check is a failure (a wrong warehouse or entropy, or no run yet): the first
      // module's derived table and the metadata must exist.
      TableName first = variables.table(Modules.model().get(0).derived());
      for (Map.Entry<TableName, QualityGate> entry : gates.entrySet()) {
        TableName table = entry.getKey();
        if (!store.exists(table)) {
          out.println(table + ": no such table");
          if (table.equals(first) || entry.getValue() == null) {
            broken.add(table + ": no such table");
          }
          continue;
        }
        out.println(table + ":");
        List<QualityGate.Finding> findings =
            entry.getValue() == null
                ? QualityGate.checkMetadata(store.read(table))
                : entry.getValue().check(store.read(table), true);
        for (QualityGate.Finding finding : findings) {
          String outcome =
              !finding.broken()
                  ? "ok"
                  : (finding.enforced() ? "BROKEN: " : "note: ") + finding.outcome();
          String rule = finding.rule() + (finding.enforced() ? "" : " (reference expectation)");
          out.printf("  %-56s %s%n", rule, outcome);
          if (finding.broken() && finding.enforced()) {
            broken.add(table + ": " + finding.rule());
          }
        }
      }
      out.flush();
      if (!broken.isEmpty()) {
        throw new WebModelException("data-quality check failed: " + String.join("; ", broken));
      }
      return 0;
    }
  }

  /** A command on one table and one CSV file: {@code SCHEMA.TABLE FILE.csv}. */
  abstract static class TableFileCommand implements Callable<Integer> {
    @ParentCommand WebModelCli parent;

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCHEMA.TABLE")
    String table;

    @Parameters(index = "1", paramLabel = "FILE.csv")
    Path file;

    @Override
    public Integer call() {
      TableName name = TableName.parse(table);
      long started = System.nanoTime();
      DeltaStore store = new DeltaStore(session(spec.name()), parent.warehouseOrDefault());
      String outcome = run(store, name);
      spec.commandLine()
          .getOut()
          .printf(
              "%s in %.1f s%n",
              outcome, Duration.ofNanos(System.nanoTime() - started).toMillis() / 1000.0);
      return 0;
    }

    /** Does the work and says what was done. */
    abstract String run(DeltaStore store, TableName name);
  }

  @Command(name = "load", description = "Append the rows of a CSV file to a table.")
  static final class LoadCommand extends TableFileCommand {
    @Option(
        names = "--load-id",
        paramLabel = "ID",
        description =
            "Load only once: a second load with the same ID into the table adds nothing (a retried"
                + " load), e.g. the file's name and date.")
    String loadId;

    @Override
    String run(DeltaStore store, TableName name) {
      CsvTables.Loaded loaded = CsvTables.load(store, name, file, loadId);
      return loaded.before()
          ? String.format(
              "load id %s was loaded into %s before: nothing added from %s", loadId, name, file)
          : String.format("loaded %,d rows from %s into %s", loaded.rows(), file, name);
    }
  }

  @Command(name = "export", description = "Write a whole table to a CSV file.")
  static final class ExportCommand extends TableFileCommand {
    @Override
    String run(DeltaStore store, TableName name) {
      return String.format(
          "exported %,d rows of %s to %s", CsvTables.export(store, name, file), name, file);
    }
  }

  @Command(
      name = "sample-data",
      description = "Append synthetic page views to <scratch_schema>.page_views_staged<entropy>.")
  static final class SampleDataCommand extends VarsCommand {
    @Option(
        names = "--rows",
        paramLabel = "N",
        defaultValue = "100000",
        description = "Page views to write (default ${DEFAULT-VALUE}).")
    long rows;

    @Option(
        names = "--seed",
        paramLabel = "S",
        defaultValue = "1",
        description = "Random seed (default ${DEFAULT-VALUE}); same seed, same rows.")
    long seed;

    @Override
    public Integer call() {
      if (rows < 0) {
        throw new WebModelException("--rows must be >= 0, got: " + rows);
      }
      Variables variables = variables();
      long started = System.nanoTime();
      DeltaStore store = store(variables);
      TableName table = variables.table(ModelTables.PAGE_VIEWS_STAGED);
      SampleData.write(store, table, rows, seed);
      spec.commandLine()
          .getOut()
          .printf(
              "wrote %,d sample page views (seed %d) to %s in %.1f s%n",
              rows, seed, table, Duration.ofNanos(System.nanoTime() - started).toMillis() / 1000.0);
      return 0;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"spark-web-model " + BuildInfo.version()};
    }
  }
}
