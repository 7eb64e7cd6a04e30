package org.sparkwebmodel.common.delta;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.NamespaceChange;
import org.apache.spark.sql.connector.catalog.StagedTable;
import org.apache.spark.sql.connector.catalog.StagingTableCatalog;
import org.apache.spark.sql.connector.catalog.SupportsNamespaces;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.catalog.TableChange;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;

/**
 * A Spark catalog over a {@link Warehouse}: {@code schema.table} in SQL is the Delta table in
 * {@code <warehouse>/<schema>/<table>}, so custom SQL steps name tables as they would with a
 * metastore ({@code {{.scratch_schema}}.sessions_this_run{{.entropy}}}) although none is used.
 * Reads, writes, MERGE, CREATE [OR REPLACE] TABLE [AS SELECT] go to Delta's own catalog with the
 * table's path; DROP TABLE deletes the table's folder. Registered per custom step in a session of
 * its own ({@link #sessionOver}: the custom SQL steps and {@code web-model sql}), option {@code
 * warehouse} naming the root.
 */
public final class WarehouseCatalog implements StagingTableCatalog, SupportsNamespaces {
  /** The catalog's name in the sessions of {@link #sessionOver}. */
  static final String CATALOG = "web_model";

  private String name;
  private Warehouse warehouse;

  /**
   * A new session of {@code spark}'s application whose default catalog is this catalog over {@code
   * warehouse}: SQL in it names tables {@code schema.table}, metastore or not. The caller makes it
   * the active session while its statements run (the catalog finds the session that way).
   */
  public static SparkSession sessionOver(SparkSession spark, Warehouse warehouse) {
    SparkSession session = spark.newSession();
    session.conf().set("spark.sql.catalog." + CATALOG, WarehouseCatalog.class.getName());
    session.conf().set("spark.sql.catalog." + CATALOG + ".warehouse", warehouse.root());
    session.conf().set("spark.sql.defaultCatalog", CATALOG);
    return session;
  }

  @Override
  public void initialize(String name, CaseInsensitiveStringMap options) {
    this.name = name;
    this.warehouse = new Warehouse(options.get("warehouse"));
  }

  @Override
  public String name() {
    return name;
  }

  private static SparkSession spark() {
    return SparkSession.active();
  }

  /** Delta's catalog (the session catalog), which handles path identifiers. */
  private static StagingTableCatalog delta() {
    return (StagingTableCatalog) spark().sessionState().catalogManager().v2SessionCatalog();
  }

  private TableName table(Identifier ident) {
    if (ident.namespace().length != 1) {
      throw new WebModelException(
          "tables are named SCHEMA.TABLE in a custom step, got: " + ident.toString());
    }
    // SQL names are case-insensitive; folders are not: derived.T and Derived.t are one table.
    return new TableName(
        ident.namespace()[0].toLowerCase(Locale.ROOT), ident.name().toLowerCase(Locale.ROOT));
  }

  /** Delta's path identifier of the table: {@code delta.`<location>`}. */
  private Identifier path(Identifier ident) {
    return Identifier.of(new String[] {"delta"}, warehouse.location(table(ident)));
  }

  private static Map<String, String> asDelta(Map<String, String> properties) {
    Map<String, String> delta = new HashMap<>(properties);
    delta.putIfAbsent(TableCatalog.PROP_PROVIDER, "delta");
    if (!delta.get(TableCatalog.PROP_PROVIDER).equalsIgnoreCase("delta")) {
      throw new WebModelException(
          "tables of the warehouse are Delta tables, got: USING " + properties.get("provider"));
    }
    delta.remove(TableCatalog.PROP_LOCATION);
    return delta;
  }

  private FileSystem fs() {
    try {
      return new Path(warehouse.root()).getFileSystem(spark().sessionState().newHadoopConf());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean isTable(Path folder) throws IOException {
    return fs().exists(new Path(folder, "_delta_log"));
  }

  @Override
  public boolean tableExists(Identifier ident) {
    try {
      return isTable(new Path(warehouse.location(table(ident))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Identifier[] listTables(String[] namespace) throws NoSuchNamespaceException {
    if (namespace.length != 1) {
      throw new NoSuchNamespaceException(namespace);
    }
    try {
      Path folder = new Path(warehouse.root(), namespace[0]);
      if (!fs().exists(folder)) {
        return new Identifier[0];
      }
      return Arrays.stream(fs().listStatus(folder))
          .filter(FileStatus::isDirectory)
          // hidden: a table being dropped (DeltaStore.drop)
          .filter(status -> !status.getPath().getName().startsWith("."))
          .filter(
              status -> {
                try {
                  return isTable(status.getPath());
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .map(status -> Identifier.of(namespace, status.getPath().getName()))
          .toArray(Identifier[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Table loadTable(Identifier ident) throws NoSuchTableException {
    if (!tableExists(ident)) {
      throw new NoSuchTableException(ident);
    }
    return delta().loadTable(path(ident));
  }

  @Override
  public Table createTable(
      Identifier ident, StructType schema, Transform[] partitions, Map<String, String> properties)
      throws TableAlreadyExistsException, NoSuchNamespaceException {
    if (tableExists(ident)) {
      throw new TableAlreadyExistsException(ident);
    }
    return delta().createTable(path(ident), schema, partitions, asDelta(properties));
  }

  @Override
  public StagedTable stageCreate(
      Identifier ident, StructType schema, Transform[] partitions, Map<String, String> properties)
      throws TableAlreadyExistsException, NoSuchNamespaceException {
    if (tableExists(ident)) {
      throw new TableAlreadyExistsException(ident);
    }
    return delta().stageCreate(path(ident), schema, partitions, asDelta(properties));
  }

  @Override
  public StagedTable stageReplace(
      Identifier ident, StructType schema, Transform[] partitions, Map<String, String> properties)
      throws NoSuchNamespaceException, NoSuchTableException {
    return delta().stageReplace(path(ident), schema, partitions, asDelta(properties));
  }

  @Override
  public StagedTable stageCreateOrReplace(
      Identifier ident, StructType schema, Transform[] partitions, Map<String, String> properties)
      throws NoSuchNamespaceException {
    return delta().stageCreateOrReplace(path(ident), schema, partitions, asDelta(properties));
  }

  @Override
  public Table alterTable(Identifier ident, TableChange... changes) throws NoSuchTableException {
    if (!tableExists(ident)) {
      throw new NoSuchTableException(ident);
    }
    return delta().alterTable(path(ident), changes);
  }

  @Override
  public boolean dropTable(Identifier ident) {
    return new DeltaStore(spark(), warehouse).drop(table(ident));
  }

  @Override
  public void renameTable(Identifier from, Identifier to) {
    throw new WebModelException("renaming tables is not supported in the warehouse: " + from);
  }

  @Override
  public void invalidateTable(Identifier ident) {
    DeltaFastPaths.Gate.whenAvailable(() -> DeltaFastPaths.forgetCachedLogs());
  }

  @Override
  public String[][] listNamespaces() {
    try {
      Path root = new Path(warehouse.root());
      if (!fs().exists(root)) {
        return new String[0][];
      }
      return Arrays.stream(fs().listStatus(root))
          .filter(FileStatus::isDirectory)
          // hidden: a table being dropped (DeltaStore.drop)
          .filter(status -> !status.getPath().getName().startsWith("."))
          .map(status -> new String[] {status.getPath().getName()})
          .toArray(String[][]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String[][] listNamespaces(String[] namespace) {
    return new String[0][];
  }

  @Override
  public boolean namespaceExists(String[] namespace) {
    return namespace.length == 1;
  }

  @Override
  public Map<String, String> loadNamespaceMetadata(String[] namespace) {
    return Map.of(SupportsNamespaces.PROP_LOCATION, warehouse.root() + "/" + namespace[0]);
  }

  @Override
  public void createNamespace(String[] namespace, Map<String, String> metadata) {
    // A schema is a folder, created with its first table.
  }

  @Override
  public void alterNamespace(String[] namespace, NamespaceChange... changes) {
    throw new WebModelException("schemas of the warehouse have no properties to alter");
  }

  @Override
  public boolean dropNamespace(String[] namespace, boolean cascade) {
    throw new WebModelException(
        "dropping a whole schema is not supported; drop its tables: " + namespace[0]);
  }
}
