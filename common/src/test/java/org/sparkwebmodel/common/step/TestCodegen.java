package org.sparkwebmodel.common.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.testing.SharedSpark;

/** Code generation by the size of the work, on a session of its own (its own SQL settings). */
class TestCodegen {
  SparkSession spark;

  @BeforeEach
  void setUp() {
    spark = SharedSpark.session().newSession();
    spark.conf().set("spark.sql.codegen.wholeStage", "true");
    spark.conf().set("spark.sql.codegen.factoryMode", "FALLBACK");
  }

  String settings() {
    return spark.conf().get("spark.sql.codegen.wholeStage")
        + " "
        + spark.conf().get("spark.sql.codegen.factoryMode");
  }

  @Test
  void bookkeepingAndSmallBatchesRunInterpretedLargeOnesAsConfigured() {
    Codegen.bookkeeping(spark);
    assertThat(settings()).isEqualTo("false NO_CODEGEN");
    assertThat(Codegen.forBatch(spark, 100_000))
        .isEqualTo("batch of 100,000 rows: code generation as configured");
    assertThat(settings()).isEqualTo("true FALLBACK");
    assertThat(Codegen.forBatch(spark, 99_999))
        .isEqualTo(
            "batch of 99,999 rows (below spark.webmodel.codegen.minRows = 100,000): queries run"
                + " interpreted, without code generation");
    assertThat(settings()).isEqualTo("false NO_CODEGEN");
    Codegen.configured(spark);
    assertThat(settings()).isEqualTo("true FALLBACK");
  }

  @Test
  void theSessionsOwnSettingsAreKeptWhateverTheyAre() {
    spark.conf().set("spark.sql.codegen.factoryMode", "CODEGEN_ONLY");
    Codegen.forBatch(spark, 5);
    Codegen.configured(spark);
    assertThat(settings()).isEqualTo("true CODEGEN_ONLY");
  }

  @Test
  void zeroRowsMeansCodeGenerationAsConfiguredThroughout() {
    spark.conf().set(Codegen.MIN_ROWS, "0");
    Codegen.bookkeeping(spark);
    assertThat(settings()).isEqualTo("true FALLBACK");
    assertThat(Codegen.forBatch(spark, 0))
        .isEqualTo("batch of 0 rows: code generation as configured");
    assertThat(settings()).isEqualTo("true FALLBACK");
  }

  @Test
  void aBadThresholdIsRefusedNamingTheSettingAndTheValue() {
    for (String bad : new String[] {"-1", "many", "1e6"}) {
      spark.conf().set(Codegen.MIN_ROWS, bad);
      assertThatThrownBy(() -> Codegen.bookkeeping(spark))
          .isInstanceOf(WebModelException.class)
          .hasMessage(
              "spark.webmodel.codegen.minRows must be a whole number of rows >= 0 (0: always"
                  + " generate code), got: '"
                  + bad
                  + "' (Spark conf or -D option)");
    }
  }
}
