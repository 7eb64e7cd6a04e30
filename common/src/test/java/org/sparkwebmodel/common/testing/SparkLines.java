package org.sparkwebmodel.common.testing;

/**
 * The test suite on the two Spark lines (README, "Spark lines"). The whole suite runs on the
 * default line (Spark 3.5); on the Spark 4 line {@code .ci/run} runs the end-to-end tests of full
 * runs, those tagged {@link #BOTH}: {@code mvn -B -Pspark4 verify -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dgroups=both-spark-lines}.
 */
public final class SparkLines {
  /** JUnit tag of the tests run on both Spark lines. */
  public static final String BOTH = "both-spark-lines";

  private SparkLines() {}
}
