package org.sparkwebmodel.common.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sparkwebmodel.common.csv.CsvTables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.table.TableName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code web-model export SCHEMA.TABLE FILE.csv}: writes a whole table to a CSV file, rows ordered
 * by all columns ({@link CsvTables#export}).
 */
@Command(name = "export", description = "Write a whole table to a CSV file.")
final class ExportCommand implements Callable<Integer> {
  @ParentCommand WebModelCli cli;

  @Spec CommandSpec spec;

  @Mixin TableFileArgs args;

  @Override
  public Integer call() {
    TableName name = args.name();
    Path file = args.path();
    long started = System.nanoTime();
    DeltaStore store = new DeltaStore(WebModelCli.session(spec.name()), cli.warehouseOrDefault());
    long rows = CsvTables.export(store, name, file);
    spec.commandLine()
        .getOut()
        .printf(
            "%s in %.1f s%n",
            String.format("exported %,d rows of %s to %s", rows, name, file),
            WebModelCli.secondsSince(started));
    return 0;
  }
}
