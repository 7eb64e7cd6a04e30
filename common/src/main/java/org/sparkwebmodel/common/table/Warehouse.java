package org.sparkwebmodel.common.table;

import java.io.File;
import java.net.URI;
import org.apache.hadoop.fs.Path;
import org.sparkwebmodel.common.error.WebModelException;

/**
 * Where tables live: every table is a path-based Delta table in {@code <root>/<schema>/<name>}, so
 * no metastore is needed. The root is a local folder or any Hadoop URI ({@code s3://bucket/wh},
 * {@code gs://bucket/wh}); a relative local root is resolved against the working directory.
 */
public record Warehouse(String root) {

  public Warehouse {
    if (root == null || root.isBlank()) {
      throw new WebModelException("warehouse must be a folder or URI, got: '" + root + "'");
    }
    URI uri = new Path(root).toUri();
    if (uri.getScheme() == null) {
      root = new Path(new File(root).getAbsoluteFile().toPath().normalize().toUri()).toString();
    }
    root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  /** The location of a table. */
  public String location(TableName table) {
    return root + "/" + table.schema() + "/" + table.name();
  }
}
