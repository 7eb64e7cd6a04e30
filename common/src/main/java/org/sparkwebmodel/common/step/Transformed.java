package org.sparkwebmodel.common.step;

/**
 * What a module's transform reports after writing its {@code *_this_run} table: the rows it read
 * from the staged input (the step's "read" figure). A module's own record implements this and
 * carries what else its upsert window needs.
 */
public interface Transformed {
  long rowsRead();
}
