package org.sparkwebmodel.common.table;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.types.StructType;

/**
 * A table of the model, declared once by the module that owns it: its name (without schema and
 * entropy), where it lives, its columns, its key and its data-quality rules. Everything that names
 * a table (the step protocol, the quality gate, fault points, {@code load}, {@code check}, the
 * table counts) reads it from a declaration; no table name is written anywhere else.
 *
 * @param name the table's name without schema and entropy, e.g. {@code sessions}
 * @param place whether it lives in the output schema or the scratch schema
 * @param schema its columns, in order
 * @param key its key column (unique and not NULL), or {@code null} for a table without one
 * @param notNull columns that are never NULL in rows the model writes (enforced by the gate)
 * @param expectedNotNull the reference's further not-NULL expectations (reported by {@code check},
 *     not enforced)
 */
public record ModelTable(
    String name,
    Place place,
    StructType schema,
    String key,
    List<String> notNull,
    List<String> expectedNotNull) {

  /**
   * The schema a table lives in: the output schema or the scratch schema of the variables, or the
   * atomic input the model only reads (the events table, where the {@code events} variable points).
   */
  public enum Place {
    OUTPUT,
    SCRATCH,
    ATOMIC
  }

  public ModelTable {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(place, "place");
    Objects.requireNonNull(schema, "schema");
    notNull = List.copyOf(notNull);
    expectedNotNull = List.copyOf(expectedNotNull);
    List<String> columns = Arrays.asList(schema.fieldNames());
    for (String column : concat(key == null ? List.of() : List.of(key), notNull, expectedNotNull)) {
      if (!columns.contains(column)) {
        throw new IllegalArgumentException(
            "table " + name + " declares column '" + column + "', which it does not have");
      }
    }
  }

  /** A table in the output schema, without key or rules. */
  public static ModelTable output(String name, StructType schema) {
    return new ModelTable(name, Place.OUTPUT, schema, null, List.of(), List.of());
  }

  /** A table in the scratch schema, without key or rules. */
  public static ModelTable scratch(String name, StructType schema) {
    return new ModelTable(name, Place.SCRATCH, schema, null, List.of(), List.of());
  }

  /** A table of the atomic input, which the model reads and never writes. */
  public static ModelTable atomic(String name, StructType schema) {
    return new ModelTable(name, Place.ATOMIC, schema, null, List.of(), List.of());
  }

  /** This table with {@code key} unique and not NULL, and further never-NULL columns. */
  public ModelTable keyed(String key, String... notNull) {
    return new ModelTable(name, place, schema, key, List.of(notNull), expectedNotNull);
  }

  /** This table with the reference's further not-NULL expectations ({@code check} reports them). */
  public ModelTable expectingNotNull(String... columns) {
    return new ModelTable(name, place, schema, key, notNull, List.of(columns));
  }

  /**
   * A scratch table named {@code name} with this table's columns, key and rules: a module's {@code
   * *_this_run} table, which holds the batch before it is upserted into this one.
   */
  public ModelTable batch(String name) {
    return new ModelTable(name, Place.SCRATCH, schema, key, notNull, expectedNotNull);
  }

  /** Whether {@code table} is this table in some schema, under some entropy suffix. */
  public boolean isNameOf(TableName table) {
    return table.name().startsWith(name);
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    return Arrays.stream(lists).flatMap(List::stream).toList();
  }
}
