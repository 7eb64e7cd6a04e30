package org.sparkwebmodel.common.cli;

import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.step.Modules;
import org.sparkwebmodel.common.table.TableName;

/**
 * The closing table of a run or a step: the model's derived and staged tables that exist, in the
 * model's order, with their row counts.
 */
public record TableCounts(Map<TableName, Long> rows) {
  public TableCounts {
    rows = Collections.unmodifiableMap(new LinkedHashMap<>(rows));
  }

  /** Counts every existing table of the model for {@code vars}. */
  public static TableCounts count(DeltaStore store, Variables vars) {
    Map<TableName, Long> rows = new LinkedHashMap<>();
    for (TableName table : Modules.countedTables().stream().map(vars::table).toList()) {
      if (store.exists(table)) {
        // Delta answers count() from its log statistics, without reading the data files.
        rows.put(table, store.read(table).count());
      }
    }
    return new TableCounts(rows);
  }

  /** Prints a header and one line per table: its name and its rows. */
  public void print(PrintWriter out) {
    out.printf("%-45s %12s%n", "table", "rows");
    rows.forEach((table, count) -> out.printf("%-45s %,12d%n", table, count));
    out.flush();
  }
}
