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

  /**
   * Rows of a DDL schema written as JSON lines, one object per row, columns not named NULL:
   *
   * <pre>{@code
   * TestRows.json(
   *     "domain_userid STRING, start_tstamp TIMESTAMP",
   *     "{'domain_userid': 'u1', 'start_tstamp': '2021-03-01T10:00:00Z'}",
   *     "{'domain_userid': 'u2'}")
   * }</pre>
   *
   * Single quotes stand for double quotes, so lines read as they would in a JSON file. A value that
   * does not fit its column fails the test instead of becoming NULL.
   */
  public static Dataset<Row> json(String ddl, String... lines) {
    return json(StructType.fromDDL(ddl), lines);
  }

  /** As {@link #json(String, String...)}, for a schema at hand. */
  public static Dataset<Row> json(StructType schema, String... lines) {
    List<String> json =
        java.util.Arrays.stream(lines).map(line -> line.replace('\'', '"')).toList();
    Dataset<Row> rows =
        SharedSpark.session()
            .read()
            .schema(schema)
            .option("mode", "FAILFAST")
            .option("timestampFormat", "yyyy-MM-dd'T'HH:mm:ss[.SSSSSS]XXX")
            .json(
                SharedSpark.session().createDataset(json, org.apache.spark.sql.Encoders.STRING()));
    // Collected once, so the rows are checked now and the dataset is plain local data.
    return dataset(schema, rows.collectAsList());
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
