package org.sparkwebmodel.common.delta;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;

/**
 * The model's tables as tables of the Spark session's catalog ({@code catalog: session}), so that
 * Athena, Trino, Databricks SQL or a colleague's {@code spark-sql} find {@code derived.sessions} by
 * name: each is registered as an external Delta table at its warehouse location ({@code CREATE
 * TABLE IF NOT EXISTS ... USING delta LOCATION ...}), its schema created when missing. The catalog
 * is whatever the session is configured with (a Hive metastore, AWS Glue, Dataproc Metastore, Unity
 * Catalog); the warehouse's folders stay the truth, and registering is idempotent. Spark SQL only,
 * no Delta or Hive internals.
 */
public final class CatalogTables {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogTables.class);

  private final DeltaStore store;

  public CatalogTables(DeltaStore store) {
    this.store = store;
  }

  /**
   * Fails, naming both locations, when one of {@code tables} is registered at a location other than
   * its warehouse location: a step calls this before it writes anything.
   */
  public void requireRegistrable(Collection<TableName> tables) {
    requireRegistrable(tables, "nothing was written");
  }

  /**
   * As {@link #requireRegistrable(Collection)}, for tables that are known only once written (a
   * custom step's): {@code written} says what the error leaves behind.
   */
  public void requireRegistrable(Collection<TableName> tables, String written) {
    for (TableName table : tables) {
      Optional<String> registered = registeredLocation(table);
      if (registered.isPresent() && !sameLocation(registered.get(), store.location(table))) {
        throw new WebModelException(
            "table "
                + table
                + " is registered in the Spark session's catalog at "
                + registered.get()
                + ", not at its warehouse location "
                + store.location(table)
                + " (catalog: session); drop that registration or point the model at that"
                + " warehouse ("
                + written
                + ")");
      }
    }
  }

  /**
   * Registers each of {@code tables} that exists in the warehouse and is not registered yet, its
   * schema first; returns the tables it registered.
   */
  public List<TableName> register(Collection<TableName> tables) {
    if ("in-memory".equals(store.spark().conf().get("spark.sql.catalogImplementation"))) {
      LOG.warn(
          "catalog: session with Spark's in-memory catalog: the registrations last only as long as"
              + " this application (configure a metastore: README, \"Tables by name\")");
    }
    List<TableName> registered = new ArrayList<>();
    for (TableName table : tables) {
      if (store.exists(table) && registeredLocation(table).isEmpty()) {
        sql("CREATE SCHEMA IF NOT EXISTS " + quoted(table.schema()), table);
        sql(
            "CREATE TABLE IF NOT EXISTS "
                + identifier(table)
                + " USING delta LOCATION '"
                + store.location(table).replace("\\", "\\\\").replace("'", "\\'")
                + "'",
            table);
        registered.add(table);
      }
    }
    return List.copyOf(registered);
  }

  /**
   * Removes the registration of each of {@code tables} registered at its warehouse location (the
   * table's files are not touched); returns the tables it unregistered.
   */
  public List<TableName> unregister(Collection<TableName> tables) {
    List<TableName> unregistered = new ArrayList<>();
    for (TableName table : tables) {
      Optional<String> registered = registeredLocation(table);
      if (registered.isPresent() && sameLocation(registered.get(), store.location(table))) {
        sql("DROP TABLE IF EXISTS " + identifier(table), table);
        unregistered.add(table);
      }
    }
    return List.copyOf(unregistered);
  }

  /** Where the session's catalog places {@code table}, if it has a table of that name. */
  Optional<String> registeredLocation(TableName table) {
    if (!store.spark().catalog().databaseExists(table.schema())
        || !store.spark().catalog().tableExists(table.schema(), table.name())) {
      return Optional.empty();
    }
    // The catalog's own entry, without loading the Delta table (whose folder may be gone).
    List<Row> rows =
        sql(
                "SHOW TABLE EXTENDED IN "
                    + quoted(table.schema())
                    + " LIKE '"
                    + table.name().replace("'", "\\'")
                    + "'",
                table)
            .collectAsList();
    return rows.stream()
        .filter(row -> table.name().equalsIgnoreCase(row.getAs("tableName")))
        .flatMap(row -> ((String) row.getAs("information")).lines())
        .filter(line -> line.startsWith("Location: "))
        .map(line -> line.substring("Location: ".length()).strip())
        .findFirst()
        .or(() -> Optional.of("(no location: a managed table or a view)"));
  }

  private org.apache.spark.sql.Dataset<Row> sql(String statement, TableName table) {
    try {
      return store.spark().sql(statement);
    } catch (Exception e) {
      // Spark's AnalysisException is checked in Java terms although no signature declares it.
      throw new WebModelException(
          "cannot register "
              + table
              + " in the Spark session's catalog (catalog: session): "
              + Messages.firstLine(e.getMessage()),
          e);
    }
  }

  /** Whether two locations name one folder: qualified by their file systems, trailing / aside. */
  private boolean sameLocation(String a, String b) {
    return qualified(a).equals(qualified(b));
  }

  private String qualified(String location) {
    try {
      Path path = new Path(location);
      return path.getFileSystem(store.spark().sparkContext().hadoopConfiguration())
          .makeQualified(path)
          .toString()
          .replaceAll("/+$", "");
    } catch (IllegalArgumentException e) {
      return location; // not a path (a view, a managed table's note): never the warehouse's
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve the location " + location, e);
    }
  }

  /** {@code spark_catalog.`schema`.`table`}: the session catalog, whatever the default catalog. */
  private static String identifier(TableName table) {
    return "spark_catalog." + quoted(table.schema()) + "." + quoted(table.name());
  }

  private static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
