package org.sparkwebmodel.tools;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;
import org.sparkwebmodel.base.BaseJob;
import org.sparkwebmodel.base.BaseTables;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.config.RunFile;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.EventsTable;
import org.sparkwebmodel.common.delta.SparkSessions;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.sample.SampleData;
import org.sparkwebmodel.common.sample.SampleEvents;
import org.sparkwebmodel.common.step.Modules;
import org.sparkwebmodel.common.step.StepReport;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.table.ModelTables;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.pageviews.PageViewsJob;
import org.sparkwebmodel.sessions.Sessionize;
import org.sparkwebmodel.sessions.SessionsJob;
import org.sparkwebmodel.users.UsersJob;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scripts/benchmark.sh}: times the model on sample data in a fresh warehouse and prints the
 * figures (README, "Performance").
 *
 * <ul>
 *   <li>Full run (default): N page views' worth of sample events (or, when the run file starts from
 *       staged page views, N sample page views), the module steps of the run file (custom steps are
 *       left out), each timed with rows in and out and peak memory, and two bare Spark jobs over
 *       the page views: the floor (group by domain_sessionid with a count, min, max and sums of a
 *       few primitive columns, written to Parquet) and "transform only" (the sessions aggregation
 *       written to Parquet). Job / floor for sessions main and the whole run.
 *   <li>{@code --incremental}: a history of H page views run through the model, then one
 *       incremental run of a batch of new sessions with returning users; again with the history
 *       made F times longer (older copies of the events, page views, manifests and derived tables,
 *       each in its own commit, as a longer-running model would have). Prints the files and bytes
 *       each step read of the events, {@code page_views}, {@code sessions} and {@code users}
 *       (Spark's scan metrics) and the ratio of the two runs' times.
 * </ul>
 */
@Command(
    name = "benchmark",
    mixinStandardHelpOptions = true,
    description = "Time the model on sample data in a fresh warehouse (see README, Performance).")
public final class Benchmark implements Callable<Integer> {
  /** The history's sessions start in the 28 days from this day, the batch's on the next day. */
  static final Instant HISTORY_START = Instant.parse("2021-03-01T00:00:00Z");

  static final int HISTORY_DAYS = 28;

  @Option(
      names = "--rows",
      paramLabel = "N",
      defaultValue = "1000000",
      description = "Page views of the full run (default ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--incremental",
      description = "Time an incremental run over a history of H and of F x H page views.")
  boolean incremental;

  @Option(
      names = "--history-rows",
      paramLabel = "H",
      defaultValue = "1000000",
      description = "Page views of the history in --incremental (default ${DEFAULT-VALUE}).")
  long historyRows;

  @Option(
      names = "--batch-rows",
      paramLabel = "B",
      defaultValue = "100000",
      description = "Page views of the incremental batch (default ${DEFAULT-VALUE}).")
  long batchRows;

  @Option(
      names = "--history-factor",
      paramLabel = "F",
      defaultValue = "10",
      description = "The longer history is F times the first (default ${DEFAULT-VALUE}).")
  int factor;

  @Option(
      names = "--batches",
      paramLabel = "K",
      arity = "0..1",
      fallbackValue = "30",
      defaultValue = "0",
      description =
          "Run K incremental batches of B page views in a row after a history of H (default 30),"
              + " in three warehouses: without maintenance, with the maintenance playbook every"
              + " --maintain-every batches, and with Delta's auto compaction and optimized writes;"
              + " print each table's files and the run times.")
  int batches;

  @Option(
      names = "--maintain-every",
      paramLabel = "M",
      defaultValue = "10",
      description =
          "With --batches: the maintenance playbook after every M-th batch (default ${DEFAULT-VALUE}).")
  int maintainEvery;

  @Option(
      names = "--maintenance-playbook",
      paramLabel = "FILE",
      defaultValue = "configs/maintenance/01-maintain.yml",
      description = "With --batches: the maintenance playbook (default ${DEFAULT-VALUE}).")
  String maintenancePlaybook;

  @Option(
      names = "--var",
      paramLabel = "KEY=VALUE",
      description =
          "A variable for every playbook, as for web-model run (for example"
              + " vacuum_retention_hours=0 with vacuum_force=true for the maintenance of"
              + " --batches).")
  Map<String, String> variables = new java.util.LinkedHashMap<>();

  @Option(
      names = "--run-file",
      paramLabel = "FILE",
      defaultValue = "configs/run.yml",
      description = "The run file whose module steps are timed (default ${DEFAULT-VALUE}).")
  String runFile;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seed of the sample data (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "Folder for the benchmark's warehouses, kept afterwards (default: a temporary folder,"
              + " deleted at the end).")
  Path workDir;

  @Spec CommandSpec spec;

  private PrintWriter out;

  public static void main(String[] args) {
    CommandLine commandLine = new CommandLine(new Benchmark());
    commandLine.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          line.getErr().println("benchmark: error: " + e.getMessage());
          if (!(e instanceof WebModelException)) {
            e.printStackTrace(line.getErr());
          }
          return 1;
        });
    int status = commandLine.execute(args);
    SparkSession.getActiveSession()
        .foreach(
            session -> {
              session.stop();
              return null;
            });
    System.exit(status);
  }

  @Override
  public Integer call() throws IOException {
    if (rows <= 0 || historyRows <= 0 || batchRows <= 0 || factor < 2) {
      throw new WebModelException(
          "--rows, --history-rows and --batch-rows must be > 0 and --history-factor >= 2");
    }
    if (batches < 0 || maintainEvery < 1 || (batches > 0 && incremental)) {
      throw new WebModelException(
          "--batches must be >= 1 and --maintain-every >= 1, and --batches and --incremental"
              + " are two modes: choose one");
    }
    out = spec.commandLine().getOut();
    Path work = workDir != null ? workDir : Files.createTempDirectory("web-model-benchmark");
    Files.createDirectories(work);
    try {
      long started = System.nanoTime();
      SparkSession spark = SparkSessions.builder("spark-web-model benchmark").getOrCreate();
      double sessionSeconds = seconds(started);
      double jvmToSession =
          (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime())
              / 1000.0;
      ScanMetrics scans = ScanMetrics.register(spark);
      List<String> machine = machine(spark, sessionSeconds, jvmToSession);
      if (incremental) {
        incremental(spark, work, scans, machine);
      } else if (batches > 0) {
        batches(spark, work, machine);
      } else {
        full(spark, work, machine);
      }
      return 0;
    } finally {
      if (workDir == null) {
        deleteRecursively(work);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Full run

  private void full(SparkSession spark, Path work, List<String> machine) {
    Path folder = work.resolve("full");
    Model model = Model.in(spark, folder, runFile, variables);
    RunFile run = model.run();
    DeltaStore store = model.store();
    boolean events = fromEvents(run);
    TableName input =
        events
            ? model.vars().table(BaseJob.EVENTS)
            : model.vars().table(ModelTables.PAGE_VIEWS_STAGED);
    String what = events ? "page views' worth of sample events" : "sample page views";

    double generate =
        time(
            () -> {
              if (events) {
                SampleEvents.write(store, input, rows, seed);
              } else {
                SampleData.write(store, input, rows, seed);
              }
            });
    out.printf(Locale.ROOT, "benchmark: %,d %s written in %.1f s%n", rows, what, generate);
    out.flush();

    // Two floors over the page views the sessions module reads (from events: those the chain
    // wrote). The honest floor: what Spark needs at least to read them, group them by session and
    // write one narrow row per session. "transform only": sessions' own aggregation (Sessionize,
    // without the de-duplication the input does not need) written to Parquet, the cost of the
    // transform without the model's checks and Delta writes.
    TableName pageViews = events ? model.vars().table(PageViewsJob.PAGE_VIEWS) : input;
    List<Timing> steps = events ? runSteps(run, null, List.of()) : List.of();
    Timing floor =
        floor(
            "floor",
            folder.resolve("floor-honest.parquet"),
            rows,
            () ->
                store
                    .read(pageViews)
                    .groupBy("domain_sessionid")
                    .agg(
                        count(lit(1)).as("page_views"),
                        min("start_tstamp").as("start_tstamp"),
                        max("end_tstamp").as("end_tstamp"),
                        sum("engaged_time_in_s").as("engaged_time_in_s"),
                        max("page_view_in_session_index").as("last_index")));
    Timing transformOnly =
        floor(
            "transform only",
            folder.resolve("floor-sessionize.parquet"),
            rows,
            () -> Sessionize.apply(store.read(pageViews), false));
    if (!events) {
      steps = runSteps(run, null, List.of());
    }

    out.println();
    out.printf(
        Locale.ROOT,
        "Benchmark: full run of %,d %s (seed %d), run file %s%n",
        rows,
        events ? "page views' worth of events" : "page views",
        seed,
        runFile);
    machine.forEach(line -> out.println("  " + line));
    out.printf(Locale.ROOT, "  sample data: %,d %s generated in %.1f s%n%n", rows, what, generate);
    List<Timing> rowsToPrint = new ArrayList<>(steps);
    rowsToPrint.add(floor);
    rowsToPrint.add(transformOnly);
    printSteps(rowsToPrint, List.of());
    double total = steps.stream().mapToDouble(Timing::seconds).sum();
    Timing sessionsMain =
        steps.stream().filter(t -> t.step().equals("sessions main")).findFirst().orElseThrow();
    out.println();
    out.printf(Locale.ROOT, "  total of the %d steps: %.1f s%n", steps.size(), total);
    // The figure to compare across sizes (README, "Scale"): it should not grow with the input.
    out.printf(
        Locale.ROOT,
        "  per million page views: %.1f s (the %d steps)%n",
        total / (rows / 1_000_000.0),
        steps.size());
    out.printf(
        Locale.ROOT,
        "  job / floor: %s %.1f s / floor %.1f s = %.2f; the whole run %.1f s / floor %.1f s ="
            + " %.2f%n",
        sessionsMain.step(),
        sessionsMain.seconds(),
        floor.seconds(),
        sessionsMain.seconds() / floor.seconds(),
        total,
        floor.seconds(),
        total / floor.seconds());
    out.printf(
        Locale.ROOT,
        "  job / transform only: %s %.1f s / %.1f s = %.2f%n",
        sessionsMain.step(),
        sessionsMain.seconds(),
        transformOnly.seconds(),
        sessionsMain.seconds() / transformOnly.seconds());
    printPeakMemory();
  }

  /** A bare Spark job timed as a step: the query written to Parquet, then its rows counted. */
  private Timing floor(String name, Path parquet, long rowsIn, Supplier<Dataset<Row>> query) {
    String target = parquet.toUri().toString();
    Memory.reset();
    double seconds = time(() -> query.get().write().mode("overwrite").parquet(target));
    Memory memory = Memory.peak();
    long rowsOut = query.get().sparkSession().read().parquet(target).count();
    out.printf(
        Locale.ROOT, "benchmark: %s done in %.1f s (%,d sessions)%n", name, seconds, rowsOut);
    out.flush();
    return new Timing(name, seconds, rowsIn, rowsOut, memory, List.of());
  }

  private void printPeakMemory() {
    out.printf(
        Locale.ROOT,
        "  peak memory of the JVM: heap %s MB, resident %s MB%n",
        mb(Memory.maxHeap()),
        mb(Memory.maxRss()));
    out.flush();
  }

  /** A new, empty warehouse folder and the run file's playbooks pointed at it. */
  private record Model(RunFile run, Variables vars, DeltaStore store, Map<String, String> values) {
    static Model in(
        SparkSession spark, Path folder, String runFile, Map<String, String> overrides) {
      createFolder(folder);
      Map<String, String> values = new java.util.HashMap<>(overrides);
      values.put("warehouse", folder.toString());
      RunFile run = RunFile.load(runFile, values);
      Variables vars = run.steps().get(0).playbook().variables();
      return new Model(run, vars, new DeltaStore(spark, vars.locations()), Map.copyOf(values));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Incremental runs

  /** One incremental run: its steps and the size of the derived tables it ran against. */
  private record Incremental(
      int factor,
      double historySeconds,
      List<Timing> steps,
      List<String> tableSizes,
      List<String> readColumns) {
    double seconds() {
      return steps.stream().mapToDouble(Timing::seconds).sum();
    }
  }

  private void incremental(SparkSession spark, Path work, ScanMetrics scans, List<String> machine) {
    Incremental shorter = incrementalRun(spark, work, scans, 1);
    Incremental longer = incrementalRun(spark, work, scans, factor);
    out.println();
    out.printf(
        Locale.ROOT,
        "Benchmark: incremental run of %,d page views (one day, new sessions and returning users)"
            + " after a history of %,d page views (%d days) and of %d x that%n",
        batchRows,
        historyRows,
        HISTORY_DAYS,
        factor);
    machine.forEach(line -> out.println("  " + line));
    for (Incremental run : List.of(shorter, longer)) {
      out.println();
      out.printf(
          Locale.ROOT,
          "  history x%d (loaded in %.1f s): %s%n",
          run.factor(),
          run.historySeconds(),
          String.join("; ", run.tableSizes()));
      printSteps(run.steps(), run.readColumns());
      out.printf(Locale.ROOT, "  incremental run: %.1f s%n", run.seconds());
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "  ratio (history x%d / history x1): %.1f s / %.1f s = %.2f%n",
        factor,
        longer.seconds(),
        shorter.seconds(),
        longer.seconds() / shorter.seconds());
    printPeakMemory();
  }

  private Incremental incrementalRun(
      SparkSession spark, Path work, ScanMetrics scans, int historyFactor) {
    Model model =
        Model.in(spark, work.resolve("incremental-x" + historyFactor), runFile, historyVars());
    Variables vars = model.vars();
    DeltaStore store = model.store();
    boolean events = fromEvents(model.run());

    out.printf(
        Locale.ROOT,
        "benchmark: history x%d: %,d page views through the model%n",
        historyFactor,
        historyRows);
    out.flush();
    long started = System.nanoTime();
    history(model);
    if (historyFactor > 1) {
      olderCopies(store, vars, historyFactor - 1, events);
    }
    double historySeconds = seconds(started);

    writeBatch(model, 1);
    List<String> sizes = new ArrayList<>();
    List<String> folders = new ArrayList<>();
    for (TableName table : readTables(vars, events)) {
      Row detail = store.deltaTable(table).detail().select("numFiles", "sizeInBytes").first();
      sizes.add(
          String.format(
              Locale.ROOT,
              "%s %,d rows in %d files, %s MB",
              table,
              store.read(table).count(),
              detail.getLong(0),
              mb(detail.getLong(1))));
      folders.add(store.location(table));
    }
    out.printf(Locale.ROOT, "benchmark: history x%d: incremental run%n", historyFactor);
    out.flush();
    List<Timing> steps = runSteps(model.run(), scans, folders);
    return new Incremental(
        historyFactor,
        historySeconds,
        steps,
        sizes,
        readTables(vars, events).stream().map(TableName::name).toList());
  }

  /**
   * The variables of a model with a history: from events, base starts at the history and one run
   * reads all of it; {@code --var} values on top.
   */
  private Map<String, String> historyVars() {
    Map<String, String> values = new java.util.HashMap<>(variables);
    values.put("start_date", HISTORY_START.toString().substring(0, 10));
    values.put("update_cadence_days", String.valueOf(HISTORY_DAYS + 2));
    return values;
  }

  /** The history: H page views (or their events) over 28 days, run through the model. */
  private void history(Model model) {
    writeSample(model, HISTORY_START, HISTORY_DAYS, historyRows, seed);
    runSteps(model.run(), null, List.of());
  }

  /**
   * Batch {@code n} (from 1) of B page views: one day of the history's users (returning) with new
   * sessions, on the day after the history or the previous batch. From events, a week later: the
   * late devices of the day before (sent up to 5 days late) were collected up to then, and base's
   * window starts at the latest collector time processed.
   */
  private void writeBatch(Model model, int n) {
    boolean events = fromEvents(model.run());
    Instant day = HISTORY_START.plus(Duration.ofDays(HISTORY_DAYS + (events ? 7L * n : n - 1)));
    writeSample(model, day, 1, batchRows, seed + 999 + n);
  }

  /**
   * Appends {@code rows} sample page views (or their events, when the run starts from them) over
   * {@code days} days from {@code firstDay}, by the history's users.
   */
  private void writeSample(Model model, Instant firstDay, int days, long rows, long rowSeed) {
    long userPool = SampleData.Shape.of(historyRows, seed).userPool();
    if (fromEvents(model.run())) {
      SampleEvents.write(
          model.store(),
          model.vars().table(BaseJob.EVENTS),
          rows,
          rowSeed,
          new SampleEvents.Shape(firstDay, days, seed, userPool));
    } else {
      SampleData.write(
          model.store(),
          model.vars().table(ModelTables.PAGE_VIEWS_STAGED),
          rows,
          rowSeed,
          new SampleData.Shape(firstDay, days, seed, userPool));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // K incremental batches in a row

  /** How the tables of a warehouse are kept while K batches run. */
  private enum Upkeep {
    NONE("no maintenance", Map.of()),
    MAINTENANCE("maintenance every %d", Map.of()),
    AUTO(
        "auto compaction + optimized writes",
        Map.of(
            "spark.databricks.delta.autoCompact.enabled", "true",
            "spark.databricks.delta.optimizeWrite.enabled", "true"));

    final String label;
    final Map<String, String> sessionConf;

    Upkeep(String label, Map<String, String> sessionConf) {
      this.label = label;
      this.sessionConf = sessionConf;
    }
  }

  /** The files of one table: in its latest version, and stored in its folder. */
  private record TableFiles(TableName table, DeltaStore.Files latest, DeltaStore.Files stored) {}

  /** One warehouse's K batches: each batch's run time, the maintenances', files after 1 and K. */
  private record Series(
      String label,
      Model model,
      List<Double> runSeconds,
      List<Double> maintenanceSeconds,
      List<TableFiles> afterFirst,
      List<TableFiles> afterLast) {}

  private void batches(SparkSession spark, Path work, List<String> machine) {
    List<Series> all = new ArrayList<>();
    for (Upkeep upkeep : Upkeep.values()) {
      all.add(series(spark, work, upkeep));
    }
    List<String> equal = sameRows(all);

    out.println();
    out.printf(
        Locale.ROOT,
        "Benchmark: %d incremental batches of %,d page views in a row (one day each, new sessions"
            + " and returning users) after a history of %,d page views (%d days), run file %s%n",
        batches,
        batchRows,
        historyRows,
        HISTORY_DAYS,
        runFile);
    machine.forEach(line -> out.println("  " + line));
    out.println();
    out.printf(
        Locale.ROOT,
        "  %-36s %9s %9s %9s %9s   %s%n",
        "incremental run of the model, s",
        "batch 1",
        "batch " + batches,
        "median",
        "total",
        "maintenance, s");
    for (Series series : all) {
      List<Double> runs = series.runSeconds();
      List<Double> upkeep = series.maintenanceSeconds();
      out.printf(
          Locale.ROOT,
          "  %-36s %9.1f %9.1f %9.1f %9.1f   %s%n",
          series.label(),
          runs.get(0),
          runs.get(runs.size() - 1),
          median(runs),
          runs.stream().mapToDouble(Double::doubleValue).sum(),
          upkeep.isEmpty()
              ? "-"
              : String.format(
                  Locale.ROOT,
                  "%d runs, median %.1f, total %.1f",
                  upkeep.size(),
                  median(upkeep),
                  upkeep.stream().mapToDouble(Double::doubleValue).sum()));
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "  data files of each table after batch 1 and after batch %d (its maintenance included):"
            + " in the latest version / stored in the folder%n",
        batches);
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-42s", "table"));
    for (Series series : all) {
      header.append(String.format(Locale.ROOT, " %25s", abbreviate(series.label(), 25)));
    }
    out.println(header);
    StringBuilder sub = new StringBuilder(String.format(Locale.ROOT, "  %-42s", ""));
    for (int i = 0; i < all.size(); i++) {
      sub.append(String.format(Locale.ROOT, " %12s %12s", "batch 1", "batch " + batches));
    }
    out.println(sub);
    List<TableName> tables = all.get(0).afterLast().stream().map(TableFiles::table).toList();
    for (int t = 0; t < tables.size(); t++) {
      StringBuilder line =
          new StringBuilder(String.format(Locale.ROOT, "  %-42s", tables.get(t).toString()));
      for (Series series : all) {
        line.append(
            String.format(
                Locale.ROOT,
                " %12s %12s",
                filesOf(series.afterFirst(), tables.get(t)),
                filesOf(series.afterLast(), tables.get(t))));
      }
      out.println(line);
    }
    StringBuilder total = new StringBuilder(String.format(Locale.ROOT, "  %-42s", "all tables"));
    for (Series series : all) {
      total.append(
          String.format(
              Locale.ROOT,
              " %12s %12s",
              totalFiles(series.afterFirst()),
              totalFiles(series.afterLast())));
    }
    out.println(total);
    out.println();
    out.println(
        "  the same rows in the three warehouses (every table above but datamodel_metadata): "
            + String.join(", ", equal));
    printPeakMemory();
  }

  /** One warehouse: the history, then K batches, each followed by the model's run. */
  private Series series(SparkSession spark, Path work, Upkeep upkeep) {
    String label =
        upkeep == Upkeep.MAINTENANCE
            ? String.format(Locale.ROOT, upkeep.label, maintainEvery)
            : upkeep.label;
    Model model =
        Model.in(
            spark,
            work.resolve("batches-" + upkeep.name().toLowerCase(Locale.ROOT)),
            runFile,
            historyVars());
    Playbook maintenance =
        upkeep == Upkeep.MAINTENANCE
            ? PlaybookLoader.load(maintenancePlaybook, model.values())
            : null;
    List<Double> runs = new ArrayList<>();
    List<Double> maintenances = new ArrayList<>();
    List<TableFiles> afterFirst = List.of();
    List<TableFiles> afterLast = List.of();
    Map<String, String> before = new java.util.HashMap<>();
    upkeep.sessionConf.forEach(
        (key, value) -> {
          before.put(key, spark.conf().get(key, null));
          spark.conf().set(key, value);
        });
    try {
      out.printf(Locale.ROOT, "benchmark: %s: history of %,d page views%n", label, historyRows);
      out.flush();
      history(model);
      for (int n = 1; n <= batches; n++) {
        writeBatch(model, n);
        out.printf(Locale.ROOT, "benchmark: %s: batch %d of %d%n", label, n, batches);
        out.flush();
        runs.add(
            runSteps(model.run(), null, List.of()).stream().mapToDouble(Timing::seconds).sum());
        if (maintenance != null && n % maintainEvery == 0) {
          maintenances.add(time(() -> runPlaybook(spark, maintenance)));
        }
        if (n == 1) {
          afterFirst = tableFiles(model);
        }
        if (n == batches) {
          afterLast = tableFiles(model);
        }
      }
    } finally {
      before.forEach(
          (key, value) -> {
            if (value == null) {
              spark.conf().unset(key);
            } else {
              spark.conf().set(key, value);
            }
          });
    }
    return new Series(label, model, runs, maintenances, afterFirst, afterLast);
  }

  private void runPlaybook(SparkSession spark, Playbook playbook) {
    StepReport report = Modules.named(playbook.module(), playbook.source()).run(spark, playbook);
    out.println(report.summaryLine());
    out.flush();
  }

  /** The files of every table the model keeps that exists, in chain order. */
  private static List<TableFiles> tableFiles(Model model) {
    DeltaStore store = model.store();
    return Modules.keptTables().stream()
        .map(model.vars()::table)
        .filter(store::exists)
        .map(table -> new TableFiles(table, store.files(table), store.storedFiles(table)))
        .toList();
  }

  /**
   * Checks that every warehouse's tables hold the rows of the first one's, each row compared as
   * JSON; returns each table's row count. The metadata differs by design (run ids, times).
   */
  private static List<String> sameRows(List<Series> all) {
    List<String> counts = new ArrayList<>();
    Series first = all.get(0);
    TableName metadata = first.model().vars().table(ModelTables.DATAMODEL_METADATA);
    for (TableFiles files : first.afterLast()) {
      TableName table = files.table();
      if (table.equals(metadata)) {
        continue;
      }
      Dataset<Row> expected = asJson(first.model().store().read(table));
      long rows = expected.count();
      for (Series other : all.subList(1, all.size())) {
        Dataset<Row> actual = asJson(other.model().store().read(table));
        long missing = expected.exceptAll(actual).count();
        long extra = actual.exceptAll(expected).count();
        if (missing > 0 || extra > 0) {
          throw new WebModelException(
              String.format(
                  Locale.ROOT,
                  "%s differs between the warehouse with %s and the one with %s: %,d rows"
                      + " missing, %,d extra",
                  table,
                  first.label(),
                  other.label(),
                  missing,
                  extra));
        }
      }
      counts.add(String.format(Locale.ROOT, "%s %,d rows", table, rows));
    }
    return counts;
  }

  private static Dataset<Row> asJson(Dataset<Row> rows) {
    return rows.select(to_json(struct(col("*"))).as("row"));
  }

  private static String filesOf(List<TableFiles> files, TableName table) {
    return files.stream()
        .filter(f -> f.table().equals(table))
        .findFirst()
        .map(f -> f.latest().files() + " / " + f.stored().files())
        .orElse("-");
  }

  private static String totalFiles(List<TableFiles> files) {
    return files.stream().mapToLong(f -> f.latest().files()).sum()
        + " / "
        + files.stream().mapToLong(f -> f.stored().files()).sum();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String abbreviate(String text, int width) {
    return text.length() <= width ? text : text.substring(0, width - 1) + ".";
  }

  /** Whether the run file starts from events (it runs the base module). */
  private static boolean fromEvents(RunFile run) {
    return run.steps().stream().anyMatch(e -> e.playbook().module().equals("base"));
  }

  /** The tables whose reads the incremental run reports: what grows with the history. */
  private static List<TableName> readTables(Variables vars, boolean events) {
    List<TableName> tables = new ArrayList<>();
    if (events) {
      tables.add(vars.table(BaseJob.EVENTS));
      tables.add(vars.table(PageViewsJob.PAGE_VIEWS));
    }
    tables.add(vars.table(SessionsJob.SESSIONS));
    tables.add(vars.table(UsersJob.USERS));
    return tables;
  }

  /**
   * Appends {@code copies} older copies of the history (the events, when the run starts from them,
   * and the derived tables and manifests), each shifted back by a whole number of history lengths
   * with its own event, page view, session and user ids, one commit per copy and table.
   */
  private void olderCopies(DeltaStore store, Variables vars, int copies, boolean events) {
    List<TableName> tables = new ArrayList<>();
    if (events) {
      tables.add(vars.table(PageViewsJob.PAGE_VIEWS));
      tables.add(vars.table(BaseTables.EVENT_ID_MANIFEST));
      tables.add(vars.table(BaseTables.SESSION_ID_MANIFEST));
    }
    tables.addAll(
        List.of(
            vars.table(SessionsJob.SESSIONS),
            vars.table(UsersJob.USERS),
            vars.table(UsersJob.USERS_MANIFEST)));
    for (TableName table : tables) {
      long version = store.version(table);
      Dataset<Row> base = store.readAt(table, version);
      for (int copy = 1; copy <= copies; copy++) {
        store.append(table, shifted(base, copy));
      }
    }
    if (events) {
      // The events table through the loader's writer: its partition column is generated.
      TableName atomic = vars.table(BaseJob.EVENTS);
      Dataset<Row> base = store.readAt(atomic, store.version(atomic)).drop(AtomicEvents.LOAD_DATE);
      for (int copy = 1; copy <= copies; copy++) {
        EventsTable.append(store, atomic, shifted(base, copy));
      }
    }
  }

  /** {@code rows} moved {@code copy} history lengths back, with ids of their own. */
  private static Dataset<Row> shifted(Dataset<Row> rows, int copy) {
    long days = (long) HISTORY_DAYS * copy;
    String suffix = "-h" + copy;
    return rows.select(
        Stream.of(rows.schema().fields())
            .map(field -> shift(field, days, suffix))
            .toArray(Column[]::new));
  }

  private static final java.util.Set<String> IDS =
      java.util.Set.of(
          "domain_sessionid", "domain_userid", "event_id", "page_view_id", "session_id");

  private static Column shift(StructField field, long days, String suffix) {
    String name = field.name();
    if (IDS.contains(name)) {
      return concat(col(name), lit(suffix)).as(name);
    }
    if (field.dataType() instanceof TimestampType) {
      return expr("`" + name + "` - INTERVAL " + days + " DAYS").as(name);
    }
    return col(name);
  }

  // ---------------------------------------------------------------------------------------------
  // Steps

  /** One timed step. */
  private record Timing(
      String step, double seconds, long rowsIn, long rowsOut, Memory memory, List<String> reads) {}

  /** Runs the module steps of {@code run}, timing each; with {@code scans}, what each read. */
  private List<Timing> runSteps(RunFile run, ScanMetrics scans, List<String> folders) {
    List<Timing> timings = new ArrayList<>();
    for (RunFile.Entry entry : run.steps()) {
      Playbook playbook = entry.playbook();
      if (playbook.module().equals(Playbook.CUSTOM)) {
        continue;
      }
      if (scans != null) {
        scans.reset();
      }
      Memory.reset();
      long started = System.nanoTime();
      StepReport report =
          Modules.named(playbook.module(), playbook.source()).run(SparkSession.active(), playbook);
      out.println(report.summaryLine());
      out.flush();
      double seconds = seconds(started);
      Memory memory = Memory.peak();
      List<String> reads = new ArrayList<>();
      for (String folder : folders) {
        ScanMetrics.Read read = scans.read(folder);
        reads.add(String.format(Locale.ROOT, "%d / %s", read.files(), mb(read.bytes())));
      }
      timings.add(
          new Timing(
              playbook.label(), seconds, report.rowsRead(), report.rowsWritten(), memory, reads));
    }
    return timings;
  }

  private void printSteps(List<Timing> steps, List<String> readColumns) {
    StringBuilder header =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "  %-22s %8s %12s %10s %10s %9s %9s",
                "step",
                "wall s",
                "rows in",
                "rows out",
                "rows/s",
                "heap MB",
                "RSS MB"));
    for (String table : readColumns) {
      header.append(String.format(Locale.ROOT, "  %-20s", table + " files/MB read"));
    }
    out.println(header);
    for (Timing step : steps) {
      StringBuilder line =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "  %-22s %8.1f %12s %10s %10s %9s %9s",
                  step.step(),
                  step.seconds(),
                  String.format(Locale.ROOT, "%,d", step.rowsIn()),
                  String.format(Locale.ROOT, "%,d", step.rowsOut()),
                  step.seconds() > 0
                      ? String.format(Locale.ROOT, "%,.0f", step.rowsIn() / step.seconds())
                      : "",
                  mb(step.memory().heap()),
                  mb(step.memory().rss())));
      for (String read : step.reads()) {
        line.append(String.format(Locale.ROOT, "  %-20s", read));
      }
      out.println(line);
    }
  }

  private List<String> machine(SparkSession spark, double sessionSeconds, double jvmToSession) {
    Runtime runtime = Runtime.getRuntime();
    return List.of(
        String.format(
            Locale.ROOT,
            "machine: %d cores, %s MB max heap, Java %s, Spark %s, master %s, %s shuffle"
                + " partitions",
            runtime.availableProcessors(),
            mb(runtime.maxMemory()),
            System.getProperty("java.version"),
            spark.version(),
            spark.sparkContext().master(),
            spark.conf().get("spark.sql.shuffle.partitions")),
        String.format(
            Locale.ROOT,
            "Spark session started in %.1f s (%.1f s after the JVM started); the step times"
                + " below run from each step's start to its end",
            sessionSeconds,
            jvmToSession));
  }

  // ---------------------------------------------------------------------------------------------
  // Memory

  /** Peak heap in use (sampled every 20 ms) and peak resident memory of the process. */
  private record Memory(long heap, long rss) {
    private static final java.util.concurrent.atomic.AtomicLong PEAK_HEAP =
        new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong MAX_HEAP =
        new java.util.concurrent.atomic.AtomicLong();

    static {
      Thread sampler =
          new Thread(
              () -> {
                MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
                while (true) {
                  long used = memory.getHeapMemoryUsage().getUsed();
                  PEAK_HEAP.accumulateAndGet(used, Math::max);
                  MAX_HEAP.accumulateAndGet(used, Math::max);
                  try {
                    Thread.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "benchmark-heap-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }

    private static final java.util.concurrent.atomic.AtomicLong MAX_RSS =
        new java.util.concurrent.atomic.AtomicLong(-1);

    /** The peaks since the last {@link #reset}. */
    static Memory peak() {
      long rss = processPeakRss();
      MAX_RSS.accumulateAndGet(rss, Math::max);
      return new Memory(PEAK_HEAP.get(), rss);
    }

    /** The largest resident memory seen at the end of a timed part (the steps' peaks included). */
    static long maxRss() {
      return Math.max(MAX_RSS.get(), processPeakRss());
    }

    /** Starts new peaks: the heap's, and on Linux the process's resident memory (clear_refs). */
    static void reset() {
      PEAK_HEAP.set(0);
      try {
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      } catch (IOException | RuntimeException e) {
        // Not Linux, or not allowed: the resident peak is then the process's peak so far.
      }
    }

    /** The largest heap in use seen since the benchmark started. */
    static long maxHeap() {
      return MAX_HEAP.get();
    }

    /** VmHWM of /proc/self/status (Linux), or -1. */
    static long processPeakRss() {
      try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
        return lines
            .filter(line -> line.startsWith("VmHWM:"))
            .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024)
            .findFirst()
            .orElse(-1L);
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static double time(Runnable action) {
    long started = System.nanoTime();
    action.run();
    return seconds(started);
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private static String mb(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", bytes / (1024 * 1024));
  }

  private static void createFolder(Path folder) {
    try {
      if (Files.exists(folder)) {
        throw new WebModelException(
            "benchmark folder " + folder + " exists: use an empty --work-dir");
      }
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + folder, e);
    }
  }
}
