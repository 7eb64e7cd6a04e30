package org.sparkwebmodel.common.cli;

import java.util.concurrent.Callable;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.sample.SampleData;
import org.sparkwebmodel.common.table.ModelTables;
import org.sparkwebmodel.common.table.TableName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code web-model sample-data}: appends synthetic page views ({@link SampleData}) to the staged
 * page views that {@code --var} names; the same {@code --rows} and {@code --seed}, the same rows.
 */
@Command(
    name = "sample-data",
    description = "Append synthetic page views to <scratch_schema>.page_views_staged<entropy>.")
final class SampleDataCommand implements Callable<Integer> {
  @ParentCommand WebModelCli cli;

  @Spec CommandSpec spec;

  @Mixin VarOptions vars;

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
    Variables variables = vars.tableVariables(cli.warehouse);
    long started = System.nanoTime();
    DeltaStore store = WebModelCli.store(spec.name(), variables);
    TableName table = variables.table(ModelTables.PAGE_VIEWS_STAGED);
    SampleData.write(store, table, rows, seed);
    spec.commandLine()
        .getOut()
        .printf(
            "wrote %,d sample page views (seed %d) to %s in %.1f s%n",
            rows, seed, table, WebModelCli.secondsSince(started));
    return 0;
  }
}
