package org.sparkwebmodel.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkwebmodel.common.error.WebModelException;

/** Rendering sql-runner templates and splitting custom SQL files into statements. */
class TestSqlFile {
  static final Map<String, String> VALUES =
      Map.of("scratch_schema", "scratch", "output_schema", "derived", "entropy", "_t");

  @Test
  void rendersVariablesWithOrWithoutSpaces() {
    assertThat(
            SqlFile.render(
                "f.sql",
                "SELECT * FROM {{.scratch_schema}}.x{{.entropy}} JOIN {{ .output_schema }}.y{{ .entropy }}",
                VALUES))
        .isEqualTo("SELECT * FROM scratch.x_t JOIN derived.y_t");
  }

  @Test
  void anUnknownVariableOrOtherTemplateExpressionNamesTheFileAndLine() {
    assertThatThrownBy(() -> SqlFile.render("f.sql", "SELECT 1;\nSELECT {{.scratch}}", VALUES))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "unknown template variable 'scratch' in f.sql line 2;"
                + " known: [entropy, output_schema, scratch_schema]");
    assertThatThrownBy(
            () -> SqlFile.render("f.sql", "SELECT {{or .upsert_lookback_days 30}}", VALUES))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "unsupported template expression '{{or .upsert_lookback_days 30}}' in f.sql line 1;"
                + " only {{.variable}} is supported");
  }

  @Test
  void splitsAtSemicolonsOutsideQuotesAndCommentsAndDropsEmptyStatements() {
    String sql =
        "-- a comment; not a split\n"
            + "SELECT 'a;b', \"c;d\", `e;f` FROM t;\n"
            + "/* block; comment */ SELECT 'it\\'s;' ;\n"
            + ";\n"
            + "-- only a comment at the end;\n";
    assertThat(SqlFile.parse("f.sql", sql, VALUES).statements())
        .containsExactly(
            "-- a comment; not a split\nSELECT 'a;b', \"c;d\", `e;f` FROM t",
            "/* block; comment */ SELECT 'it\\'s;'");
  }

  @Test
  void nestedCommentsRawStringsAndBackquotesDoNotSplitOrSwallow() {
    String sql = "/* a /* b; */ c; */ SELECT 1; SELECT r'C:\\'; SELECT `x\\`; SELECT 4";
    assertThat(SqlFile.parse("f.sql", sql, VALUES).statements())
        .containsExactly(
            "/* a /* b; */ c; */ SELECT 1", "SELECT r'C:\\'", "SELECT `x\\`", "SELECT 4");
  }

  @Test
  void aFileWithoutStatementsIsAnError() {
    assertThatThrownBy(() -> SqlFile.parse("empty.sql", "-- nothing here\n;\n", VALUES))
        .isInstanceOf(WebModelException.class)
        .hasMessage("SQL file empty.sql holds no statement");
  }
}
