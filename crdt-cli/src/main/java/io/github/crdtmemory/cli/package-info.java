/** The {@code memory-backup} command. Not API. Under construction: see the project's issues. */
package io.github.crdtmemory.cli;
