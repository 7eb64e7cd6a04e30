package org.sparkwebmodel.common.cli;

import java.io.PrintWriter;
import java.util.List;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.step.Modules;
import org.sparkwebmodel.common.table.TableName;

/** The closing table of a run: the model's derived and staged tables with their row counts. */
public final class TableCounts {
  private TableCounts() {}

  /** Prints every existing table of the model for {@code vars} with its row count. */
  public static void print(DeltaStore store, Variables vars, PrintWriter out) {
    List<TableName> tables = Modules.countedTables().stream().map(vars::table).toList();
    out.printf("%-45s %12s%n", "table", "rows");
    for (TableName table : tables) {
      if (store.exists(table)) {
        // Delta answers count() from its log statistics, without reading the data files.
        out.printf("%-45s %,12d%n", table, store.read(table).count());
      }
    }
    out.flush();
  }
}
