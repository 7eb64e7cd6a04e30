package org.sparkwebmodel.common.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.config.Variables;
import picocli.CommandLine.Option;

/**
 * {@code --var KEY=VALUE}, declared once for every command that takes variables (a picocli mixin),
 * with what the commands make of it together with the global {@code --warehouse}. Its description
 * below is that of the commands on the tables ({@code sample-data}, {@code unlock}, {@code check});
 * {@code VarOptions.properties} holds those of {@code playbook} and {@code run}.
 */
final class VarOptions {
  @Option(
      names = "--var",
      paramLabel = "KEY=VALUE",
      description =
          "Variables naming the tables: warehouse, entropy, scratch_schema, output_schema.")
  Map<String, String> vars = new LinkedHashMap<>();

  /** The {@code --var} values, then {@code warehouse} (the global option, when given). */
  Map<String, String> overrides(String warehouse) {
    Map<String, String> all = new LinkedHashMap<>(vars);
    if (warehouse != null) {
      all.put("warehouse", warehouse);
    }
    return all;
  }

  /** The variables naming the tables, validated as {@code --var} (no playbook behind them). */
  Variables tableVariables(String warehouse) {
    return PlaybookLoader.variables(Map.of(), "--var", overrides(warehouse));
  }

  /**
   * A command as a person would type it again: the global {@code --warehouse}, the command, its
   * {@code --var} options. The run lock records it, for {@code unlock} to print.
   */
  String commandLine(String warehouse, String command) {
    StringBuilder line = new StringBuilder();
    if (warehouse != null) {
      line.append("--warehouse ").append(warehouse).append(' ');
    }
    line.append(command);
    vars.forEach((key, value) -> line.append(" --var ").append(key).append('=').append(value));
    return line.toString();
  }
}
