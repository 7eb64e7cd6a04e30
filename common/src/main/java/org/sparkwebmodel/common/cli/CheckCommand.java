package org.sparkwebmodel.common.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.step.Modules;
import org.sparkwebmodel.common.step.QualityGate;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.ModelTables;
import org.sparkwebmodel.common.table.TableName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code web-model check}: checks the model's derived tables and {@code datamodel_metadata} against
 * the data-quality rules of their declarations (reference section 7), printing one line per rule;
 * exits 1 naming the broken rules, or when there is nothing to check.
 */
@Command(
    name = "check",
    description =
        "Check the derived tables against the data-quality rules (reference section 7): columns,"
            + " unique keys, not-NULL columns, metadata counts. Exits 1 when a rule is broken.")
final class CheckCommand implements Callable<Integer> {
  @ParentCommand WebModelCli cli;

  @Spec CommandSpec spec;

  @Mixin VarOptions vars;

  @Override
  public Integer call() {
    Variables variables = vars.tableVariables(cli.warehouse);
    DeltaStore store = WebModelCli.store(spec.name(), variables);
    PrintWriter out = spec.commandLine().getOut();
    List<String> broken = new ArrayList<>();
    Map<TableName, QualityGate> gates = new LinkedHashMap<>();
    for (ModelTable table : Modules.checkedTables()) {
      gates.put(variables.table(table), QualityGate.of(table));
    }
    gates.put(variables.table(ModelTables.DATAMODEL_METADATA), null);
    // Nothing to check is a failure (a wrong warehouse or entropy, or no run yet): the metadata
    // and at least one module's derived table must exist (a run of sessions and users alone has
    // no page_views).
    List<TableName> derived =
        Modules.model().stream().flatMap(m -> m.derived().stream()).map(variables::table).toList();
    if (derived.stream().noneMatch(store::exists)) {
      broken.add("none of " + derived + " exists");
    }
    for (Map.Entry<TableName, QualityGate> entry : gates.entrySet()) {
      TableName table = entry.getKey();
      if (!store.exists(table)) {
        out.println(table + ": no such table");
        if (entry.getValue() == null) {
          broken.add(table + ": no such table");
        }
        continue;
      }
      out.println(table + ":");
      List<QualityGate.Finding> findings =
          entry.getValue() == null
              ? QualityGate.checkMetadata(store.read(table))
              : entry.getValue().check(store.read(table), true);
      for (QualityGate.Finding finding : findings) {
        String outcome =
            !finding.broken()
                ? "ok"
                : (finding.enforced() ? "BROKEN: " : "note: ") + finding.outcome();
        String rule = finding.rule() + (finding.enforced() ? "" : " (reference expectation)");
        out.printf("  %-56s %s%n", rule, outcome);
        if (finding.broken() && finding.enforced()) {
          broken.add(table + ": " + finding.rule());
        }
      }
    }
    out.flush();
    if (!broken.isEmpty()) {
      throw new WebModelException("data-quality check failed: " + String.join("; ", broken));
    }
    return 0;
  }
}
