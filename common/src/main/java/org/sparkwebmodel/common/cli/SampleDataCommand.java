package org.sparkwebmodel.common.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.sample.SampleData;
import org.sparkwebmodel.common.sample.SampleEvents;
import org.sparkwebmodel.common.table.ModelTables;
import org.sparkwebmodel.common.table.TableName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code web-model sample-data}: appends synthetic Snowplow events ({@link SampleEvents}) to the
 * atomic events table, or with {@code --page-views} synthetic page views ({@link SampleData}) to
 * the staged page views that {@code --var} names; the same {@code --rows} and {@code --seed}, the
 * same rows.
 */
@Command(
    name = "sample-data",
    description = {
      "Append synthetic Snowplow events (page views with their page pings, link clicks and"
          + " structured events, in the Lake Loader layout) to the atomic events table, or with"
          + " --page-views synthetic page views to <scratch_schema>.page_views_staged<entropy>."
    })
final class SampleDataCommand implements Callable<Integer> {
  @ParentCommand WebModelCli cli;

  @Spec CommandSpec spec;

  @Mixin VarOptions vars;

  @Option(
      names = "--rows",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Page views to write, or whose events to write (default ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Random seed (default ${DEFAULT-VALUE}); same seed, same rows.")
  long seed;

  @Option(
      names = "--events-table",
      paramLabel = "SCHEMA.TABLE",
      description =
          "The events table to append to (default atomic.events, or the table the events or"
              + " input_schema variable names).")
  String eventsTable;

  @Option(
      names = "--page-views",
      description =
          "Write staged page views (the sessions module's input) instead of events: all 98"
              + " columns of <scratch_schema>.page_views_staged<entropy>.")
  boolean pageViews;

  @Override
  public Integer call() {
    if (rows < 0) {
      throw new WebModelException("--rows must be >= 0, got: " + rows);
    }
    if (pageViews && eventsTable != null) {
      throw new WebModelException("--events-table and --page-views exclude each other");
    }
    Variables variables = vars.tableVariables(cli.warehouse);
    TableName events =
        eventsTable != null ? TableName.parse(eventsTable) : variables.base().eventsTable();
    long started = System.nanoTime();
    DeltaStore store = WebModelCli.store(spec.name(), variables);
    if (pageViews) {
      TableName table = variables.table(ModelTables.PAGE_VIEWS_STAGED);
      SampleData.write(store, table, rows, seed);
      spec.commandLine()
          .getOut()
          .printf(
              "wrote %,d sample page views (seed %d) to %s in %.1f s%n",
              rows, seed, table, WebModelCli.secondsSince(started));
      return 0;
    }
    Map<String, Long> written = SampleEvents.write(store, events, rows, seed);
    long total = written.values().stream().mapToLong(Long::longValue).sum();
    spec.commandLine()
        .getOut()
        .printf(
            "wrote %,d sample events of %,d page views (seed %d) to %s in %.1f s: %s%n",
            total,
            rows,
            seed,
            events,
            WebModelCli.secondsSince(started),
            written.entrySet().stream()
                .map(e -> String.format("%,d %s", e.getValue(), e.getKey()))
                .collect(Collectors.joining(", ")));
    return 0;
  }
}
