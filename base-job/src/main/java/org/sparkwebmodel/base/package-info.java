/**
 * The base module: the atomic events table (Snowplow Lake Loader layout) in, the events of the
 * sessions to process staged for page views, with the event and session manifests.
 */
package org.sparkwebmodel.base;
