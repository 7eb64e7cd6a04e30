package org.sparkwebmodel.common.cli;

import java.nio.file.Path;
import org.sparkwebmodel.common.table.TableName;
import picocli.CommandLine.Parameters;

/** The {@code SCHEMA.TABLE FILE} parameters of {@code load} and {@code export}. */
final class TableFileArgs {
  @Parameters(index = "0", paramLabel = "SCHEMA.TABLE")
  String table;

  /** As given: a URI such as {@code s3://bucket/key} must not pass through {@link Path}. */
  @Parameters(index = "1", paramLabel = "FILE")
  String file;

  /** The table, checked: {@code schema.table}. */
  TableName name() {
    return TableName.parse(table);
  }

  /** The file as a local path. */
  Path path() {
    return Path.of(file);
  }
}
