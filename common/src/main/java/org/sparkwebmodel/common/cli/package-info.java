/**
 * The command line ({@code scripts/web-model}) and the {@code spark-submit} entry point: {@code
 * WebModelCli} (the root command, {@code main}, the one-line error), one class per command, {@code
 * --var} declared once ({@code VarOptions}), {@code RunExecutor} running a run file's steps under
 * the run lock and returning a {@code RunOutcome} that {@code RunCommand} prints. The top layer:
 * nothing imports it.
 */
package org.sparkwebmodel.common.cli;
