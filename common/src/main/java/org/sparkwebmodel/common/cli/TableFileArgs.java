package org.sparkwebmodel.common.cli;

import java.nio.file.Path;
import org.sparkwebmodel.common.table.TableName;
import picocli.CommandLine.Parameters;

/** The {@code SCHEMA.TABLE FILE.csv} parameters of {@code load} and {@code export}. */
final class TableFileArgs {
  @Parameters(index = "0", paramLabel = "SCHEMA.TABLE")
  String table;

  @Parameters(index = "1", paramLabel = "FILE.csv")
  Path file;

  /** The table, checked: {@code schema.table}. */
  TableName name() {
    return TableName.parse(table);
  }
}
