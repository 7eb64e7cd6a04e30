/**
 * What a run is: its id shared by every module ({@link org.sparkwebmodel.common.run.RunId}), a
 * module's {@link org.sparkwebmodel.common.run.RunState} between main and complete (the pinned
 * staged version, whether main finished), the run lock that keeps runs from overlapping and the
 * {@code datamodel_metadata} rows. Depends on {@code delta} and below.
 */
package org.sparkwebmodel.common.run;
