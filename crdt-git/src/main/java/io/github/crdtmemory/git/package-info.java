/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * A replica store over a git remote, driving the {@code git} command line.
 *
 * <p>{@link io.github.crdtmemory.git.GitStore} keeps each replica's state on its own ref
 * ({@code refs/heads/replicas/<id>}), builds commits with plumbing in a private bare clone, and uses a
 * plain push with a lease as the compare-and-swap; {@code main} carries a derived, human-readable
 * view of the merged memory ({@code memory/shard-xx.jsonl}, one MCP memory file per shard). Every git process runs with an argument list, a sanitized environment and a
 * timeout that ends its whole process group, and every failure is a
 * {@link io.github.crdtmemory.git.GitOperationError} with a {@link io.github.crdtmemory.git.GitOperationError.Kind}
 * (kind {@code TIMEOUT} for timeouts), redacted of credentials.
 * {@link io.github.crdtmemory.git.GitStoreProvider} opens stores from {@code git+file:},
 * {@code git+ssh:}, {@code git+https:} URIs and bare repository paths. See {@code docs/git-backend.md}.
 */
@NullMarked
package io.github.crdtmemory.git;

import org.jspecify.annotations.NullMarked;
