package org.sparkwebmodel.common.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;

/**
 * Registering warehouse tables in the session catalog ({@code catalog: session}), on Spark's
 * in-memory catalog: the rules are the same for a metastore ({@code ITCatalogRegistration}).
 */
class TestCatalogTables {
  static final StructType SCHEMA = new StructType().add("id", DataTypes.StringType);

  @TempDir Path dir;

  SparkSession spark = SharedSpark.session();

  /** A schema of each test's own: the test JVM's session catalog is shared, tests run at once. */
  final String schema = "catalog_test_" + Integer.toUnsignedString(System.identityHashCode(this));

  final TableName kept = new TableName(schema, "kept");

  final TableName missing = new TableName(schema, "missing");

  @AfterEach
  void dropSchema() {
    spark.sql("DROP SCHEMA IF EXISTS spark_catalog." + schema + " CASCADE");
  }

  String location(String folder) {
    return "file:" + dir.resolve(folder).resolve(schema).resolve("kept");
  }

  CatalogTables catalogOver(String folder) {
    DeltaStore store = new DeltaStore(spark, new Warehouse(dir.resolve(folder).toString()));
    store.createIfMissing(kept, SCHEMA);
    return new CatalogTables(store);
  }

  @Test
  void existingTablesAreRegisteredOnceAtTheirWarehouseLocation() {
    CatalogTables catalog = catalogOver("wh");
    assertThat(catalog.register(List.of(kept, missing))).containsExactly(kept);
    assertThat(catalog.registeredLocation(kept)).hasValue(location("wh"));
    assertThat(catalog.registeredLocation(missing)).isEmpty();
    // idempotent: the next run registers nothing and the check passes
    assertThat(catalog.register(List.of(kept, missing))).isEmpty();
    catalog.requireRegistrable(List.of(kept, missing));
    assertThat(spark.table("spark_catalog." + schema + ".kept").schema()).isEqualTo(SCHEMA);
  }

  @Test
  void aNameRegisteredElsewhereIsRefusedNamingBothLocations() {
    catalogOver("first").register(List.of(kept));
    CatalogTables second = catalogOver("second");
    assertThatThrownBy(() -> second.requireRegistrable(List.of(missing, kept)))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "table "
                + kept
                + " is registered in the Spark session's catalog at "
                + location("first")
                + ", not at its warehouse location "
                + location("second")
                + " (catalog: session); drop that registration or point the model at that"
                + " warehouse (nothing was written)");
    // and the other warehouse never unregisters it
    assertThat(second.unregister(List.of(kept))).isEmpty();
    assertThat(second.registeredLocation(kept)).isPresent();
  }

  @Test
  void unregisteringLeavesTheFiles() {
    CatalogTables catalog = catalogOver("wh");
    catalog.register(List.of(kept));
    assertThat(catalog.unregister(List.of(kept, missing))).containsExactly(kept);
    assertThat(catalog.registeredLocation(kept)).isEmpty();
    assertThat(spark.catalog().tableExists(schema, "kept")).isFalse();
    assertThat(new DeltaStore(spark, new Warehouse(dir.resolve("wh").toString())).exists(kept))
        .isTrue();
  }
}
