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
    Module module,
    Step step,
    Variables variables,
    List<SqlFile> sql,
    List<TableName> dropTables) {

  /** A playbook of the model's modules, which runs no SQL files. */
  public Playbook(String source, Module module, Step step, Variables variables) {
    this(source, module, step, variables, List.of(), List.of());
  }

  /**
   * A short label such as {@code sessions main}, or {@code custom session-depth-main} for a custom
   * step's file.
   */
  public String label() {
    if (module == Module.CUSTOM) {
      String name =
          source
              .substring(source.lastIndexOf('/') + 1)
              .replaceFirst("\\.ya?ml$", "")
              .replaceFirst("^[0-9X]+-", "");
      return module.value() + " " + name;
    }
    return module.value() + " " + step.value();
  }
}
