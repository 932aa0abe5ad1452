/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * The {@code memory-backup} command: picocli commands over the sync engine and the stores. Not API:
 * the command line, its exit codes and its JSON output are the stable interface (docs/cli.md).
 */
@NullMarked
package io.github.crdtmemory.cli;

import org.jspecify.annotations.NullMarked;
