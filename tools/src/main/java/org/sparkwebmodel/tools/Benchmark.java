package org.sparkwebmodel.tools;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

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
    Model model = Model.in(spark, folder, runFile, Map.of());
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
  private record Model(RunFile run, Variables vars, DeltaStore store) {
    static Model in(
        SparkSession spark, Path folder, String runFile, Map<String, String> overrides) {
      createFolder(folder);
      Map<String, String> values = new java.util.HashMap<>(overrides);
      values.put("warehouse", folder.toString());
      RunFile run = RunFile.load(runFile, values);
      Variables vars = run.steps().get(0).playbook().variables();
      return new Model(run, vars, new DeltaStore(spark, vars.locations()));
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
    // From events, base starts at the history and one run reads all of it.
    Model model =
        Model.in(
            spark,
            work.resolve("incremental-x" + historyFactor),
            runFile,
            Map.of(
                "start_date",
                HISTORY_START.toString().substring(0, 10),
                "update_cadence_days",
                String.valueOf(HISTORY_DAYS + 2)));
    RunFile run = model.run();
    Variables vars = model.vars();
    DeltaStore store = model.store();
    boolean events = fromEvents(run);
    TableName staged = vars.table(ModelTables.PAGE_VIEWS_STAGED);
    TableName atomic = vars.table(BaseJob.EVENTS);
    long userPool = SampleData.Shape.of(historyRows, seed).userPool();

    out.printf(
        Locale.ROOT,
        "benchmark: history x%d: %,d page views through the model%n",
        historyFactor,
        historyRows);
    out.flush();
    long started = System.nanoTime();
    if (events) {
      SampleEvents.write(
          store,
          atomic,
          historyRows,
          seed,
          new SampleEvents.Shape(HISTORY_START, HISTORY_DAYS, seed, userPool));
    } else {
      SampleData.write(
          store,
          staged,
          historyRows,
          seed,
          new SampleData.Shape(HISTORY_START, HISTORY_DAYS, seed, userPool));
    }
    runSteps(run, null, List.of());
    if (historyFactor > 1) {
      olderCopies(store, vars, historyFactor - 1, events);
    }
    double historySeconds = seconds(started);

    // The batch: the day after the history, the same users (returning) with new sessions. From
    // events, a week later: the history's late devices (sent up to 5 days late) were collected up
    // to then, and base's window starts at the latest collector time processed.
    Instant batchDay = HISTORY_START.plus(Duration.ofDays(HISTORY_DAYS + (events ? 7 : 0)));
    if (events) {
      SampleEvents.write(
          store,
          atomic,
          batchRows,
          seed + 1000,
          new SampleEvents.Shape(batchDay, 1, seed, userPool));
    } else {
      SampleData.write(
          store, staged, batchRows, seed + 1000, new SampleData.Shape(batchDay, 1, seed, userPool));
    }
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
    List<Timing> steps = runSteps(run, scans, folders);
    return new Incremental(
        historyFactor,
        historySeconds,
        steps,
        sizes,
        readTables(vars, events).stream().map(TableName::name).toList());
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
