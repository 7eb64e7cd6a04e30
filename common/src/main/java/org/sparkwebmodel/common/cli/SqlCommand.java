package org.sparkwebmodel.common.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_json;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.InsertIntoStatement;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.csv.CsvTables;
import org.sparkwebmodel.common.delta.SparkSessions;
import org.sparkwebmodel.common.delta.WarehouseCatalog;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code web-model sql "SELECT ..."}: one Spark SQL query over the warehouse, tables named {@code
 * schema.table} ({@link WarehouseCatalog}, with or without a metastore; {@code --catalog session}:
 * by the session catalog's names), printed as an aligned table or, with {@code --csv}, as CSV in
 * the format of {@code export}. Queries only: a statement that would write (INSERT, MERGE, DELETE,
 * CREATE, DROP, ...) is refused before it runs, since it would bypass the run lock; tables are
 * written by the model's steps and custom steps.
 */
@picocli.CommandLine.Command(
    name = "sql",
    description = {
      "Run one Spark SQL query over the warehouse's tables (SCHEMA.TABLE) and print the result.",
      "Queries only (SELECT, WITH, VALUES, TABLE, FROM, SHOW, DESCRIBE, EXPLAIN)."
    })
final class SqlCommand implements Callable<Integer> {
  /** The commands that only read: Spark plans them as commands, but they write nothing. */
  private static final Set<String> READING_COMMANDS = Set.of("show", "describe", "desc", "explain");

  /** The first keywords of a query. */
  private static final Set<String> QUERIES = Set.of("select", "with", "values", "table", "from");

  @ParentCommand WebModelCli cli;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "QUERY", description = "The query, in one argument.")
  String query;

  @Option(
      names = "--csv",
      description = "Print every row as CSV (header first), as `export` writes it.")
  boolean csv;

  @Option(
      names = "--catalog",
      paramLabel = "warehouse|session",
      defaultValue = "warehouse",
      description =
          "Where SCHEMA.TABLE is looked up: warehouse (default, the warehouse's folders) or session"
              + " (the Spark session's catalog: a metastore the model registers its tables in).")
  String catalog;

  @Option(
      names = "--max-rows",
      paramLabel = "N",
      defaultValue = "1000",
      description =
          "Rows the aligned table shows at most (default ${DEFAULT-VALUE}); --csv prints all.")
  int maxRows;

  @Override
  public Integer call() {
    if (maxRows < 1) {
      throw new WebModelException("--max-rows must be at least 1, got " + maxRows);
    }
    if (!catalog.equals("warehouse") && !catalog.equals("session")) {
      throw new WebModelException("--catalog must be warehouse or session, got '" + catalog + "'");
    }
    SparkSession spark = WebModelCli.session("sql");
    SparkSession session =
        catalog.equals("session")
            ? spark
            : WarehouseCatalog.sessionOver(spark, cli.warehouseOrDefault());
    return SparkSessions.whileActive(
        session,
        () -> {
          requireQuery(session, query);
          Dataset<Row> result = printable(run(session, query));
          PrintWriter out = spec.commandLine().getOut();
          if (csv) {
            try {
              CsvTables.write(result.columns(), result.toLocalIterator(), out);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          } else {
            List<Row> rows = result.limit(maxRows + 1).collectAsList();
            printAligned(result.schema(), rows.subList(0, Math.min(rows.size(), maxRows)), out);
            out.println(
                rows.size() > maxRows
                    ? String.format(
                        Locale.ROOT,
                        "(the first %,d rows; --max-rows N shows more, --csv all)",
                        maxRows)
                    : String.format(
                        Locale.ROOT, "(%,d %s)", rows.size(), rows.size() == 1 ? "row" : "rows"));
          }
          out.flush();
          return 0;
        });
  }

  /**
   * Refuses a statement that writes, before anything runs, naming it: the statement must start with
   * a query's keyword or a reading command's, and its parsed plan may hold no insert and no command
   * (a {@code WITH ... INSERT} starts like a query).
   */
  static void requireQuery(SparkSession session, String query) {
    LogicalPlan plan;
    try {
      plan = session.sessionState().sqlParser().parsePlan(query);
    } catch (Exception e) {
      throw new WebModelException(
          "cannot parse the query " + quoted(query) + ": " + Messages.firstLine(e.getMessage()), e);
    }
    String first = firstKeyword(query);
    boolean reading = READING_COMMANDS.contains(first);
    Optional<LogicalPlan> write = Optional.of(plan);
    if (reading || QUERIES.contains(first)) {
      scala.Option<LogicalPlan> found =
          plan.find(
              node -> node instanceof InsertIntoStatement || (node instanceof Command && !reading));
      write = found.isDefined() ? Optional.of(found.get()) : Optional.empty();
    }
    if (write.isPresent()) {
      throw new WebModelException(
          "web-model sql runs queries only, and "
              + quoted(query)
              + " would write ("
              + write.get().nodeName()
              + "): tables are written by the model's steps and custom steps, under the run lock");
    }
  }

  /** The statement's first word, lower case, after any comments. */
  private static String firstKeyword(String query) {
    String code = query.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)--.*$", " ").strip();
    return code.split("[\\s(]", 2)[0].toLowerCase(Locale.ROOT);
  }

  private static Dataset<Row> run(SparkSession session, String query) {
    try {
      return session.sql(query);
    } catch (Exception e) {
      // Spark's AnalysisException is checked in Java terms although no signature declares it.
      throw new WebModelException(
          "query " + quoted(query) + " failed: " + Messages.firstLine(e.getMessage()), e);
    }
  }

  /** Nested values (structs, arrays, maps) as JSON text, the rest as they are. */
  private static Dataset<Row> printable(Dataset<Row> result) {
    Column[] columns =
        Arrays.stream(result.schema().fields())
            .map(
                f ->
                    nested(f.dataType())
                        ? to_json(col("`" + f.name() + "`")).as(f.name())
                        : col("`" + f.name() + "`"))
            .toArray(Column[]::new);
    return Arrays.stream(result.schema().fields()).anyMatch(f -> nested(f.dataType()))
        ? result.select(columns)
        : result;
  }

  private static boolean nested(DataType type) {
    return type instanceof StructType || type instanceof ArrayType || type instanceof MapType;
  }

  /** Columns padded to their widest value, numbers to the right, NULL spelt out. */
  static void printAligned(StructType schema, List<Row> rows, PrintWriter out) {
    StructField[] fields = schema.fields();
    int[] widths = new int[fields.length];
    List<String[]> cells = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      widths[i] = fields[i].name().length();
    }
    for (Row row : rows) {
      String[] line = new String[fields.length];
      for (int i = 0; i < fields.length; i++) {
        String text = CsvTables.text(row.get(i));
        line[i] = text == null ? "NULL" : text.replace("\n", "\\n");
        widths[i] = Math.max(widths[i], line[i].length());
      }
      cells.add(line);
    }
    StringBuilder header = new StringBuilder();
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      header.append(i == 0 ? " " : " | ").append(pad(fields[i].name(), widths[i], false));
      rule.append(i == 0 ? "-" : "-+-").append("-".repeat(widths[i]));
    }
    out.println(header.toString().stripTrailing());
    out.println(rule.append('-'));
    for (String[] line : cells) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < fields.length; i++) {
        boolean right = fields[i].dataType() instanceof NumericType && !"NULL".equals(line[i]);
        text.append(i == 0 ? " " : " | ").append(pad(line[i], widths[i], right));
      }
      out.println(text.toString().stripTrailing());
    }
  }

  private static String pad(String text, int width, boolean right) {
    String spaces = " ".repeat(width - text.length());
    return right ? spaces + text : text + spaces;
  }

  private static String quoted(String query) {
    String code = query.strip().replaceAll("\\s+", " ");
    return "'" + (code.length() <= 60 ? code : code.substring(0, 57) + "...") + "'";
  }
}
