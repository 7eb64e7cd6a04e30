package org.sparkwebmodel.common.delta;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.execution.metric.SQLMetric;
import scala.Option;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The calls of {@link DeltaFastPaths} whose signatures differ between the Spark lines, for
 * <b>Spark 3.5, Scala 2.12, delta-spark 3.3</b> (source folder {@code src/main/spark3}; the Spark 4
 * line's twin is in {@code src/main/spark4}, and Maven compiles the one of its line).
 */
final class DeltaLine {
  private DeltaLine() {}

  /** Fails when a member used below is missing (another Delta build than the one compiled with). */
  static void requireApi() throws ReflectiveOperationException {
    Class<?> option = Option.class;
    DeltaLog.class.getMethod("getSnapshotAt", long.class, option, option);
    DeltaLog.class.getMethod("getSnapshotAt$default$2");
    DeltaLog.class.getMethod("getSnapshotAt$default$3");
    DeltaLog.class.getMethod("getChanges", long.class, boolean.class);
    OptimisticTransaction.class.getMethod(
        "registerSQLMetrics", SparkSession.class, scala.collection.immutable.Map.class);
    OptimisticTransaction.class.getMethod("commit", Seq.class, DeltaOperations.Operation.class);
    AddFile.class.getConstructor(
        String.class,
        scala.collection.immutable.Map.class,
        long.class,
        long.class,
        boolean.class,
        String.class,
        scala.collection.immutable.Map.class,
        org.apache.spark.sql.delta.actions.DeletionVectorDescriptor.class,
        option,
        option,
        option);
    DeltaOperations.Delete.class.getConstructor(Seq.class);
    DeltaOperations.Write.class.getConstructor(SaveMode.class, option, option, option);
  }

  /** The table's state at {@code version}. */
  static Snapshot snapshotAt(DeltaLog log, long version) {
    return log.getSnapshotAt(version, log.getSnapshotAt$default$2(), log.getSnapshotAt$default$3());
  }

  /** The actions of the commit of {@code version}; empty when there is none. */
  static List<Action> actionsOf(DeltaLog log, long version) {
    Iterator<Tuple2<Object, Seq<Action>>> changes = log.getChanges(version, false);
    return changes.hasNext() ? JavaConverters.seqAsJavaList(changes.next()._2()) : List.of();
  }

  /** {@code file} added again under {@code path} (a copy), with its statistics and tags. */
  static AddFile copyOf(AddFile file, String path, long modificationTime) {
    return new AddFile(
        path,
        file.partitionValues(),
        file.size(),
        modificationTime,
        true,
        file.stats(),
        file.tags(),
        null,
        Option.empty(),
        Option.empty(),
        Option.empty());
  }

  /** The operation of a commit that removes whole files: a DELETE without a condition. */
  static DeltaOperations.Operation deleteAll() {
    return new DeltaOperations.Delete(JavaConverters.asScalaBuffer(List.<Expression>of()).toSeq());
  }

  /** The operation of a commit that appends files: a WRITE in append mode. */
  static DeltaOperations.Operation append() {
    return new DeltaOperations.Write(SaveMode.Append, Option.empty(), Option.empty(), Option.empty());
  }

  /** Commits {@code actions} as {@code operation} with {@code metrics} as its operation metrics. */
  static void commit(
      SparkSession spark,
      OptimisticTransaction txn,
      List<Action> actions,
      DeltaOperations.Operation operation,
      Map<String, SQLMetric> metrics) {
    txn.registerSQLMetrics(
        spark,
        scala.collection.immutable.Map$.MODULE$
            .<String, SQLMetric>empty()
            .$plus$plus(JavaConverters.mapAsScalaMap(metrics)));
    txn.commit(JavaConverters.asScalaBuffer(actions).toSeq(), operation);
  }
}
