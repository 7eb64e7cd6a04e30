/**
 * The users module of the web model (reference §5): one row per {@code domain_userid} with lifetime
 * totals, first and last page, first referrer and marketing, computed from {@code sessions} for the
 * users staged by the sessions module. Built in the users issue; until then this module only
 * provides its place in the build and in the launcher's classpath.
 */
package org.sparkwebmodel.users;
