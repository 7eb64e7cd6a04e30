package org.sparkwebmodel.common.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.run.RunLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code web-model unlock}: removes the run lock of the warehouse and entropy that {@code --var}
 * names, and prints who held it, what failed or where it stopped, and how to finish that run.
 */
@Command(
    name = "unlock",
    description =
        "Remove the run lock of a warehouse and entropy that a failed or killed run left, and"
            + " say what it was; check the tables first.")
final class UnlockCommand implements Callable<Integer> {
  @ParentCommand WebModelCli cli;

  @Spec CommandSpec spec;

  @Mixin VarOptions vars;

  @Override
  public Integer call() {
    Variables variables = vars.tableVariables(cli.warehouse);
    PrintWriter out = spec.commandLine().getOut();
    out.println(RunLock.unlock(WebModelCli.store(spec.name(), variables), variables));
    out.flush();
    return 0;
  }
}
