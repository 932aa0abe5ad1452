/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * The storage SPI: where replicas publish their states and read each other's.
 *
 * <p>{@link io.github.crdtmemory.store.ReplicaStore} is the contract (one state per replica,
 * compare-and-swap publication by {@link io.github.crdtmemory.store.Revision}, consistent
 * {@link io.github.crdtmemory.store.Snapshot}s). This package holds the local implementations,
 * {@link io.github.crdtmemory.store.MemoryStore}, {@link io.github.crdtmemory.store.DirectoryStore} and
 * the {@link io.github.crdtmemory.store.ShardedStore} decorator, and
 * {@link io.github.crdtmemory.store.StoreRegistry}, which opens stores from URIs through
 * {@link io.github.crdtmemory.store.StoreProvider}s.
 *
 * <p>Every failure of a store is a {@link io.github.crdtmemory.store.StoreException}, and every failure
 * of a local file (memory file, state directory, lock) a
 * {@link io.github.crdtmemory.store.LocalStateException}; their subtypes tell the caller what to do.
 * Audience: users opening stores, and implementers of new ones, who run the
 * {@code StoreContract} suite from the test-jar (see {@code docs/storage-spi.md}).
 */
@NullMarked
package io.github.crdtmemory.store;

import org.jspecify.annotations.NullMarked;
