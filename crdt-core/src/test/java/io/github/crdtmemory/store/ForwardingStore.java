/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryState;
import java.util.Optional;

/**
 * A store that forwards every call to another and does not own it: {@link #close()} does nothing.
 * Tests subclass it to interfere with one call, or to share one handle between threads.
 */
public class ForwardingStore implements ReplicaStore {
    /** The store calls go to. */
    protected final ReplicaStore inner;

    /**
     * Wraps a store.
     *
     * @param inner the store calls go to
     */
    public ForwardingStore(ReplicaStore inner) {
        this.inner = inner;
    }

    @Override
    public String description() {
        return inner.description();
    }

    @Override
    public Snapshot read() {
        return inner.read();
    }

    @Override
    public Revision publish(ReplicaId replica, MemoryState state, Revision expected) {
        return inner.publish(replica, state, expected);
    }

    @Override
    public Optional<StoreHistory> history() {
        return inner.history();
    }

    /** Does nothing: the wrapped store belongs to someone else. */
    @Override
    public void close() {
    }
}
