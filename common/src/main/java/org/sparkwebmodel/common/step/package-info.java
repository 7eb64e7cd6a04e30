/**
 * The step protocol: {@link org.sparkwebmodel.common.step.StepProtocol} runs main, complete and
 * destroy of every module the same way; a module extends {@link
 * org.sparkwebmodel.common.step.ModelModule} and supplies only its tables, its input check, its
 * transform, its upsert window and what it stages next. Also the data-quality gate, the fault
 * points of the crash tests, the step log and report, {@link org.sparkwebmodel.common.step.Codegen}
 * (Spark's code generation by the size of a step's batch), and {@link
 * org.sparkwebmodel.common.step.Modules}, which finds the modules on the classpath. Depends on
 * {@code run} and below.
 */
package org.sparkwebmodel.common.step;
