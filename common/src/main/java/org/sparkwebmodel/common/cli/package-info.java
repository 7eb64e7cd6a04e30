/**
 * The command line ({@code scripts/web-model}) and the {@code spark-submit} entry point: argument
 * parsing, the run lock around a run file, the summary a person reads. The top layer: nothing
 * imports it.
 */
package org.sparkwebmodel.common.cli;
