/**
 * What a user writes: playbooks ({@link org.sparkwebmodel.common.config.PlaybookLoader} binds the
 * YAML into a validated {@link org.sparkwebmodel.common.config.Playbook} with its {@link
 * org.sparkwebmodel.common.config.Variables}), run files, custom SQL files and the build's own
 * properties. Every bad key or value is an error naming the file, the key and what is allowed.
 * Depends on {@code error} and {@code table}.
 */
package org.sparkwebmodel.common.config;
