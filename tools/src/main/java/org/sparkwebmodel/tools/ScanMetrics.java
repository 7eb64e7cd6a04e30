package org.sparkwebmodel.tools;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd;
import scala.collection.JavaConverters;

/**
 * Counts the files and bytes that Spark's file scans read, per table folder, from the plan metrics
 * of every finished SQL execution (also those a Delta MERGE runs inside): what a step really read
 * of each table after Delta's data skipping.
 */
final class ScanMetrics extends SparkListener {
  /** Files and bytes read from one table folder. */
  record Read(long files, long bytes) {
    Read plus(Read other) {
      return new Read(files + other.files, bytes + other.bytes);
    }
  }

  private final SparkSession spark;
  private final Map<String, Read> byFolder = new HashMap<>();

  private ScanMetrics(SparkSession spark) {
    this.spark = spark;
  }

  /** Starts counting the scans of {@code spark}. */
  static ScanMetrics register(SparkSession spark) {
    ScanMetrics metrics = new ScanMetrics(spark);
    spark.sparkContext().addSparkListener(metrics);
    return metrics;
  }

  /** What was read from {@code folder} since the last {@link #reset} (the event queue drained). */
  Read read(String folder) {
    drain();
    synchronized (byFolder) {
      return byFolder.getOrDefault(stripScheme(folder), new Read(0, 0));
    }
  }

  /** Forgets what was read so far. */
  void reset() {
    drain();
    synchronized (byFolder) {
      byFolder.clear();
    }
  }

  private void drain() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (TimeoutException e) {
      throw new IllegalStateException("Spark's listener queue did not drain", e);
    }
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    if (event instanceof SparkListenerSQLExecutionEnd end && end.qe() != null) {
      Map<String, Read> found = new HashMap<>();
      collect(end.qe().executedPlan(), found);
      synchronized (byFolder) {
        found.forEach((folder, read) -> byFolder.merge(folder, read, Read::plus));
      }
    }
  }

  private static void collect(SparkPlan plan, Map<String, Read> found) {
    if (plan instanceof FileSourceScanExec scan) {
      Map<String, SQLMetric> metrics = JavaConverters.mapAsJavaMap(scan.metrics());
      Read read = new Read(value(metrics.get("numFiles")), value(metrics.get("filesSize")));
      for (Object root : JavaConverters.seqAsJavaList(scan.relation().location().rootPaths())) {
        found.merge(stripScheme(root.toString()), read, Read::plus);
      }
      return;
    }
    if (plan instanceof AdaptiveSparkPlanExec adaptive) {
      collect(adaptive.executedPlan(), found);
      return;
    }
    if (plan instanceof QueryStageExec stage) {
      collect(stage.plan(), found);
      return;
    }
    for (SparkPlan child : JavaConverters.seqAsJavaList(plan.children())) {
      collect(child, found);
    }
    for (SparkPlan subquery : JavaConverters.seqAsJavaList(plan.subqueries())) {
      collect(subquery, found);
    }
  }

  private static long value(SQLMetric metric) {
    return metric == null ? 0 : Math.max(0, metric.value());
  }

  /** The folder's path without scheme or authority, as Hadoop normalises it. */
  private static String stripScheme(String folder) {
    return new Path(folder).toUri().getPath();
  }
}
