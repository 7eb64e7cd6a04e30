package org.sparkwebmodel.common.delta;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.table.TableName;

/**
 * Writes an atomic events table in the Snowplow Lake Loader's layout ({@link AtomicEvents}): the
 * table is created as the loader creates it (partitioned by the generated {@code load_tstamp_date}
 * and {@code event_name}), and rows are appended with schema evolution, so entity columns the table
 * lacks are added. Used by {@code load atomic.events}, the sample data and the tests; the model
 * itself never writes the events table.
 */
public final class EventsTable {
  private EventsTable() {}

  /** Creates the table with the atomic columns and {@code entities} unless it exists. */
  public static void createIfMissing(
      DeltaStore store, TableName table, List<AtomicEvents.Entity> entities) {
    if (store.exists(table)) {
      return;
    }
    DeltaTableBuilder builder =
        DeltaTable.createIfNotExists(store.spark())
            .location(store.location(table))
            .partitionedBy(AtomicEvents.PARTITION_COLUMNS.toArray(String[]::new));
    for (StructField field : AtomicEvents.withEntities(AtomicEvents.ATOMIC, entities).fields()) {
      builder.addColumn(
          DeltaTable.columnBuilder(store.spark(), field.name())
              .dataType(field.dataType())
              .nullable(!AtomicEvents.REQUIRED.contains(field.name()))
              .build());
    }
    builder.addColumn(
        DeltaTable.columnBuilder(store.spark(), AtomicEvents.LOAD_DATE)
            .dataType("DATE")
            .generatedAlwaysAs("CAST(load_tstamp AS DATE)")
            .nullable(false)
            .build());
    builder.execute();
  }

  /**
   * Appends {@code events} (atomic columns and entity columns, without {@code load_tstamp_date},
   * which Delta generates) in one commit, creating the table if missing; entity columns the table
   * lacks are added, as the Lake Loader adds them.
   */
  public static void append(DeltaStore store, TableName table, Dataset<Row> events) {
    List<AtomicEvents.Entity> entities =
        AtomicEvents.MODELLED.stream()
            .filter(e -> Arrays.asList(events.columns()).contains(e.column()))
            .toList();
    createIfMissing(store, table, entities);
    Column[] columns =
        Arrays.stream(events.columns())
            .filter(name -> !name.equals(AtomicEvents.LOAD_DATE))
            .map(name -> col(name))
            .toArray(Column[]::new);
    events
        .select(columns)
        .write()
        .format("delta")
        .mode("append")
        .options(Map.of("mergeSchema", "true"))
        .save(store.location(table));
  }
}
