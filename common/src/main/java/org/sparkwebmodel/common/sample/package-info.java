/**
 * Realistic synthetic page views for the model's input, the same rows for the same seed. Depends on
 * {@code delta} and below.
 */
package org.sparkwebmodel.common.sample;
