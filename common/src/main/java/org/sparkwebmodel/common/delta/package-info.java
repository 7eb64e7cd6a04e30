/**
 * The only code that talks to Delta Lake: {@link org.sparkwebmodel.common.delta.DeltaStore} (a
 * warehouse's tables: read, read at a version, create, overwrite, append, drop), {@link
 * org.sparkwebmodel.common.delta.Upsert} (the MERGE builder with its counts), {@link
 * org.sparkwebmodel.common.delta.StagedInput} (the pinned read of a staged table and the removal of
 * exactly what was read), the Delta-enabled session builder and the catalog custom SQL steps name
 * tables through. Depends on {@code error}, {@code table} and {@code config}.
 */
package org.sparkwebmodel.common.delta;
