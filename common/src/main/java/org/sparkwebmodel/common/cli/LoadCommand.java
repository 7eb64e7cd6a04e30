package org.sparkwebmodel.common.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sparkwebmodel.common.csv.CsvTables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.table.TableName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code web-model load SCHEMA.TABLE FILE.csv}: appends a CSV file's rows to a table in one commit
 * ({@link CsvTables#load}); with {@code --load-id}, only once.
 */
@Command(name = "load", description = "Append the rows of a CSV file to a table.")
final class LoadCommand implements Callable<Integer> {
  @ParentCommand WebModelCli cli;

  @Spec CommandSpec spec;

  @Mixin TableFileArgs args;

  @Option(
      names = "--load-id",
      paramLabel = "ID",
      description =
          "Load only once: a second load with the same ID into the table adds nothing (a retried"
              + " load), e.g. the file's name and date.")
  String loadId;

  @Override
  public Integer call() {
    TableName name = args.name();
    Path file = args.file;
    long started = System.nanoTime();
    DeltaStore store = new DeltaStore(WebModelCli.session(spec.name()), cli.warehouseOrDefault());
    CsvTables.Loaded loaded = CsvTables.load(store, name, file, loadId);
    String outcome =
        loaded.before()
            ? String.format(
                "load id %s was loaded into %s before: nothing added from %s", loadId, name, file)
            : String.format("loaded %,d rows from %s into %s", loaded.rows(), file, name);
    spec.commandLine()
        .getOut()
        .printf("%s in %.1f s%n", outcome, WebModelCli.secondsSince(started));
    return 0;
  }
}
