/**
 * The page-views module: the staged events of the base module in, one row per page view out, with
 * engaged time, scroll depth and the enrichment columns, staged for the sessions module.
 */
package org.sparkwebmodel.pageviews;
