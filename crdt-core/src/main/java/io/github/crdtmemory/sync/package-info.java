/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * The sync engine: from a plain MCP memory file to published, merged, verified state and back.
 *
 * <p>{@link io.github.crdtmemory.sync.SyncEngine} runs the cycle (under the lock: read and reconcile,
 * stamp, merge-verify-publish by compare-and-swap, write back, report; each step a method of one
 * per-run object) for one
 * memory file, one replica and one {@link io.github.crdtmemory.store.ReplicaStore}, configured by
 * {@link io.github.crdtmemory.sync.SyncSettings}; each run returns a
 * {@link io.github.crdtmemory.sync.SyncReport}. The state directory it keeps (own state, base, clock)
 * is described in {@code docs/architecture.md}.
 */
@NullMarked
package io.github.crdtmemory.sync;

import org.jspecify.annotations.NullMarked;
