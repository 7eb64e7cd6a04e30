package org.sparkwebmodel.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;

/** Whole warehouses in tests: copying one, and every row of every table for comparison. */
public final class Warehouses {
  private Warehouses() {}

  /** Copies the warehouse folder {@code from} (all tables, all versions) to {@code to}. */
  public static void copy(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every table of the warehouse ({@code schema.table}, the lock folder excepted) with its rows as
   * sorted strings: two warehouses with equal contents hold the same tables with the same rows,
   * whatever their Delta histories.
   */
  public static Map<String, List<String>> contents(Path warehouse) {
    return contents(warehouse, java.util.Set.of());
  }

  /** As {@link #contents(Path)}, leaving out the named columns of every table that has them. */
  public static Map<String, List<String>> contents(Path warehouse, java.util.Set<String> ignored) {
    DeltaStore store = new DeltaStore(SharedSpark.session(), new Warehouse(warehouse.toString()));
    Map<String, List<String>> tables = new TreeMap<>();
    try (Stream<Path> schemas = Files.list(warehouse)) {
      for (Path schema : schemas.filter(Files::isDirectory).sorted().toList()) {
        String name = schema.getFileName().toString();
        if (name.startsWith("_") || name.startsWith(".")) {
          continue;
        }
        try (Stream<Path> folders = Files.list(schema)) {
          for (Path table : folders.filter(Files::isDirectory).sorted().toList()) {
            if (table.getFileName().toString().startsWith(".")) {
              continue; // a table being dropped (DeltaStore.drop)
            }
            TableName tableName = new TableName(name, table.getFileName().toString());
            if (!Files.isDirectory(table.resolve("_delta_log"))) {
              tables.put(tableName.toString(), List.of("<not a Delta table>"));
              continue;
            }
            tables.put(
                tableName.toString(),
                store.read(tableName).drop(ignored.toArray(String[]::new)).collectAsList().stream()
                    .map(Row::toString)
                    .sorted()
                    .toList());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tables;
  }
}
