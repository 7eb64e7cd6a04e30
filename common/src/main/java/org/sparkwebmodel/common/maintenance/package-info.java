/**
 * Maintenance of the model's tables ({@code module: maintenance}): compaction, VACUUM and
 * checkpoints between runs, under the run lock like any step. Depends on {@code step} and below.
 */
package org.sparkwebmodel.common.maintenance;
