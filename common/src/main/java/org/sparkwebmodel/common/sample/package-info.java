/**
 * Realistic synthetic input for the model, the same rows for the same seed: Snowplow events in the
 * Lake Loader layout ({@link org.sparkwebmodel.common.sample.SampleEvents}) and staged page views
 * ({@link org.sparkwebmodel.common.sample.SampleData}). Depends on {@code delta} and below.
 */
package org.sparkwebmodel.common.sample;
