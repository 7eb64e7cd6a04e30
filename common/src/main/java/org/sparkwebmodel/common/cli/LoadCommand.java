package org.sparkwebmodel.common.cli;

import java.time.Instant;
import java.util.concurrent.Callable;
import org.sparkwebmodel.common.csv.CsvTables;
import org.sparkwebmodel.common.csv.EnrichedTsv;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code web-model load SCHEMA.TABLE FILE}: appends a file's rows to a table in one commit. A table
 * named {@code events} (in any schema, e.g. {@code atomic.events}) is the atomic events table: FILE
 * is Snowplow enriched TSV ({@link EnrichedTsv#load}). Every other table takes CSV ({@link
 * CsvTables#load}); with {@code --load-id}, only once.
 */
@Command(
    name = "load",
    description = {
      "Append the rows of a file to a table.",
      "SCHEMA.events (a table named events, e.g. atomic.events): FILE is Snowplow enriched TSV (one"
          + " event a line, 131 tab-separated fields; a local path or a URI such as s3://..., .gz"
          + " read as compressed), written in the Lake Loader's layout, entity columns included.",
      "Any other table: FILE is CSV with a header row (a local path or a URI such as s3://...,"
          + " .gz read as compressed), streamed through Spark's CSV reader."
    })
final class LoadCommand implements Callable<Integer> {
  /** The name of the table that {@code load} fills from enriched TSV, in any schema. */
  static final String EVENTS = "events";

  @ParentCommand WebModelCli cli;

  @Spec CommandSpec spec;

  @Mixin TableFileArgs args;

  @Option(
      names = "--load-id",
      paramLabel = "ID",
      description =
          "CSV only: load only once: a second load with the same ID into the table adds nothing (a"
              + " retried load), e.g. the file's name and date.")
  String loadId;

  @Override
  public Integer call() {
    TableName name = args.name();
    long started = System.nanoTime();
    if (name.name().equals(EVENTS)) {
      if (loadId != null) {
        throw new WebModelException(
            "--load-id is for CSV loads; " + name + " is loaded from enriched TSV without it");
      }
      DeltaStore store = new DeltaStore(WebModelCli.session(spec.name()), cli.warehouseOrDefault());
      EnrichedTsv.Loaded loaded = EnrichedTsv.load(store, name, args.file, Instant.now());
      spec.commandLine()
          .getOut()
          .printf(
              "loaded %,d events from %s into %s, %d entity columns %s in %.1f s%n",
              loaded.events(),
              args.file,
              name,
              loaded.entityColumns().size(),
              loaded.entityColumns(),
              WebModelCli.secondsSince(started));
      return 0;
    }
    DeltaStore store = new DeltaStore(WebModelCli.session(spec.name()), cli.warehouseOrDefault());
    String file = args.file;
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
