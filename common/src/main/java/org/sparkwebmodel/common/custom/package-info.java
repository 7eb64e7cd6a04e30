/**
 * Custom SQL steps ({@code module: custom}): a user's SQL files run between the model's steps, with
 * tables named {@code schema.table} as with a metastore. Depends on {@code step} and below.
 */
package org.sparkwebmodel.common.custom;
