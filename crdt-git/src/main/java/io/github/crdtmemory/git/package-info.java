/**
 * A replica store over a git remote, driving the {@code git} command line through
 * {@code ProcessBuilder} with timeouts and typed errors. Under construction: see the project's issues.
 */
package io.github.crdtmemory.git;
