package org.sparkwebmodel.common.step;

/**
 * The de-duplication counts of a module's batch (DECISIONS 3, 25 and 30), found by its input check
 * ({@link InputQuality}) or its transform ({@link Transformed}): its metadata row records them as
 * {@code duplicate_rows_removed} and {@code distinct_keys_removed}.
 */
public interface Deduplication {
  /** Copies of a key removed beyond the one kept. */
  long duplicateRows();

  /** Keys that had more than one copy. */
  long duplicateKeys();

  /** The metadata row's counts of {@code found}, or NULLs when it does not de-duplicate. */
  static Integer rowsRemoved(Object found) {
    return found instanceof Deduplication d ? Math.toIntExact(d.duplicateRows()) : null;
  }

  /** As {@link #rowsRemoved}, for {@code distinct_keys_removed}. */
  static Integer keysRemoved(Object found) {
    return found instanceof Deduplication d ? Math.toIntExact(d.duplicateKeys()) : null;
  }
}
