/**
 * The bottom layer: {@link org.sparkwebmodel.common.error.WebModelException}, the error a person
 * reads (it names the file, table, column, key or value that is wrong), and helpers for such
 * messages. Depends on nothing of ours.
 *
 * <p>Layers of {@code common}, each importing only those before it: {@code error}, {@code table},
 * {@code config}, {@code delta}, {@code run}, {@code step}, then {@code custom}, {@code csv},
 * {@code sample} and, last, {@code cli}, which nothing imports.
 */
package org.sparkwebmodel.common.error;
