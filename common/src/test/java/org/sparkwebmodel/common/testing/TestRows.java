package org.sparkwebmodel.common.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Builds rows of a schema from the values that matter; every other column is NULL. */
public final class TestRows {
  private TestRows() {}

  /** A row of {@code schema}; timestamp values may be given as ISO-8601 strings. */
  public static Row row(StructType schema, Map<String, ?> values) {
    Object[] cells = new Object[schema.size()];
    for (Map.Entry<String, ?> entry : values.entrySet()) {
      int index = schema.fieldIndex(entry.getKey());
      Object value = entry.getValue();
      if (value instanceof String text
          && schema.fields()[index].dataType().equals(DataTypes.TimestampType)) {
        value = Instant.parse(text);
      }
      cells[index] = value;
    }
    return RowFactory.create(cells);
  }

  /** "name TYPE" of every column, in order (nullability is not compared). */
  public static List<String> columns(StructType schema) {
    return java.util.Arrays.stream(schema.fields())
        .map(f -> f.name() + " " + f.dataType().sql())
        .toList();
  }

  public static Dataset<Row> dataset(StructType schema, List<Row> rows) {
    return SharedSpark.session().createDataFrame(rows, schema);
  }

  /** Collects rows sorted by the string form of column {@code key} (NULLs first). */
  public static List<Row> sorted(Dataset<Row> rows, String key) {
    int index = rows.schema().fieldIndex(key);
    List<Row> result = new ArrayList<>(rows.collectAsList());
    result.sort(
        Comparator.comparing((Row r) -> r.isNullAt(index) ? "" : String.valueOf(r.get(index))));
    return result;
  }

  /** A copy of {@code base} with some values replaced. */
  public static Row with(StructType schema, Row base, Map<String, ?> values) {
    Object[] cells = new Object[schema.size()];
    for (int i = 0; i < cells.length; i++) {
      cells[i] = base.get(i);
    }
    Row changes = row(schema, values);
    for (String name : values.keySet()) {
      int index = schema.fieldIndex(name);
      cells[index] = changes.get(index);
    }
    return RowFactory.create(cells);
  }
}
