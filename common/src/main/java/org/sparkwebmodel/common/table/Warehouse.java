package org.sparkwebmodel.common.table;

import java.io.File;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.sparkwebmodel.common.error.WebModelException;

/**
 * Where tables live: every table is a path-based Delta table in {@code <root>/<schema>/<name>}, so
 * no metastore is needed, except the tables placed {@code elsewhere} (the atomic events table the
 * {@code events} variable points to, which the model only reads). The root is a local folder or any
 * Hadoop URI ({@code s3://bucket/wh}, {@code gs://bucket/wh}); a relative local root or location is
 * resolved against the working directory.
 */
public record Warehouse(String root, Map<TableName, String> elsewhere) {

  public Warehouse(String root) {
    this(root, Map.of());
  }

  public Warehouse {
    if (root == null || root.isBlank()) {
      throw new WebModelException("warehouse must be a folder or URI, got: '" + root + "'");
    }
    root = absolute(root);
    Map<TableName, String> placed = new HashMap<>();
    elsewhere.forEach((table, location) -> placed.put(table, absolute(location)));
    elsewhere = Map.copyOf(placed);
  }

  private static String absolute(String location) {
    URI uri = new Path(location).toUri();
    if (uri.getScheme() == null) {
      location =
          new Path(new File(location).getAbsoluteFile().toPath().normalize().toUri()).toString();
    }
    return location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
  }

  /** This warehouse with {@code table} at {@code location} instead of under the root. */
  public Warehouse with(TableName table, String location) {
    Map<TableName, String> placed = new HashMap<>(elsewhere);
    placed.put(table, location);
    return new Warehouse(root, placed);
  }

  /** The location of a table. */
  public String location(TableName table) {
    String placed = elsewhere.get(table);
    return placed != null ? placed : root + "/" + table.schema() + "/" + table.name();
  }
}
