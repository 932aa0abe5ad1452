/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryState;
import java.util.Objects;

/**
 * One replica's latest published state in a store, with the revision to pass to
 * {@link ReplicaStore#publish} to replace it. The revision belongs to exactly this state: a store
 * reads both from one stored version.
 *
 * @param replica the replica that published it
 * @param revision its revision; never {@link Revision#NONE}
 * @param state the state
 */
public record PublishedState(ReplicaId replica, Revision revision, MemoryState state) {
    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if {@code revision} is {@link Revision#NONE}
     */
    public PublishedState {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(state, "state");
        if (revision.isNone()) {
            throw new IllegalArgumentException("a published state has a revision");
        }
    }
}
