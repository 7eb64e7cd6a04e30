package org.sparkwebmodel.common.step;

/**
 * What a module's transform reports after writing its {@code *_this_run} table: the rows it read
 * from the staged input (the step's "read" figure), and the de-duplication counts of the metadata
 * row when the transform, not the input check, de-duplicates (base: the copies of an event_id are
 * known once the batch is selected). A module's own record implements this and carries what else
 * its upsert window needs.
 */
public interface Transformed {
  long rowsRead();

  /**
   * {@code duplicate_rows_removed} of the metadata row when the record also implements {@link
   * Deduplication}, or null to take the input check's.
   */
  default Integer duplicateRowsRemoved() {
    return Deduplication.rowsRemoved(this);
  }

  /** As {@link #duplicateRowsRemoved}, for {@code distinct_keys_removed}. */
  default Integer distinctKeysRemoved() {
    return Deduplication.keysRemoved(this);
  }
}
