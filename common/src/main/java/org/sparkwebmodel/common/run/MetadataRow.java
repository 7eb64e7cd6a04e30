package org.sparkwebmodel.common.run;

import java.time.Instant;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** One row of {@code datamodel_metadata} (reference §3.2): what one module did in one run. */
public record MetadataRow(
    Instant runId,
    String modelVersion,
    String model,
    String module,
    Instant runStart,
    Instant runEnd,
    int rowsThisRun,
    String distinctKey,
    int distinctKeyCount,
    String timeKey,
    Instant minTimeKey,
    Instant maxTimeKey,
    Integer duplicateRowsRemoved,
    Integer distinctKeysRemoved) {

  public Row toRow() {
    return RowFactory.create(
        runId,
        modelVersion,
        model,
        module,
        runStart,
        runEnd,
        rowsThisRun,
        distinctKey,
        distinctKeyCount,
        timeKey,
        minTimeKey,
        maxTimeKey,
        duplicateRowsRemoved,
        distinctKeysRemoved);
  }
}
