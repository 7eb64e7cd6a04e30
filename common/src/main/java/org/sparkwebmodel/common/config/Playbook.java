package org.sparkwebmodel.common.config;

import java.util.List;
import org.sparkwebmodel.common.table.TableName;

/**
 * One playbook: which module and step it runs, with its validated variables. A custom playbook
 * ({@code module: custom}) also lists the SQL files it runs and the tables it drops.
 *
 * @param source where it was read from (a file path or URI), for messages
 * @param sql the rendered SQL files of a custom step, in order (empty for the model's modules)
 * @param dropTables the tables a custom step drops after its SQL (empty for the model's modules)
 */
public record Playbook(
    String source,
    String module,
    Step step,
    Variables variables,
    List<SqlFile> sql,
    List<TableName> dropTables) {

  /**
   * The module name of custom SQL steps, which run a user's SQL files between the model's steps.
   */
  public static final String CUSTOM = "custom";

  /** A playbook of the model's modules, which runs no SQL files. */
  public Playbook(String source, String module, Step step, Variables variables) {
    this(source, module, step, variables, List.of(), List.of());
  }

  /**
   * A short label such as {@code sessions main}, or {@code custom session-depth-main} for a custom
   * step's file.
   */
  public String label() {
    if (module.equals(CUSTOM)) {
      String name =
          source
              .substring(source.lastIndexOf('/') + 1)
              .replaceFirst("\\.ya?ml$", "")
              .replaceFirst("^[0-9X]+-", "");
      return module + " " + name;
    }
    return module + " " + step.value();
  }
}
