/**
 * CSV in and out of the warehouse: {@code load} (all lines checked before one commit) and {@code
 * export}. Depends on {@code delta} and below.
 */
package org.sparkwebmodel.common.csv;
