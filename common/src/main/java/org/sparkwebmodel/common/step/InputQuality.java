package org.sparkwebmodel.common.step;

/**
 * What a module's input check found, as far as the step protocol needs it: the de-duplication
 * counts its {@code datamodel_metadata} row records, when the record also implements {@link
 * Deduplication} ({@code null} otherwise). A module's own record implements this and carries its
 * other findings to its transform.
 */
public interface InputQuality {
  /** {@code duplicate_rows_removed} of the metadata row. */
  default Integer duplicateRowsRemoved() {
    return Deduplication.rowsRemoved(this);
  }

  /** {@code distinct_keys_removed} of the metadata row. */
  default Integer distinctKeysRemoved() {
    return Deduplication.keysRemoved(this);
  }
}
