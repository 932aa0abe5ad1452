/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryState;
import java.util.List;

/**
 * The publications a store has kept: every state each replica published, by revision. Offered by
 * {@link ReplicaStore#history()} where the backend keeps history (the git store); the in-memory and
 * directory stores keep only the latest state and offer none. Thread-safe like its store.
 */
public interface StoreHistory {
    /**
     * The states {@code replica} published, newest first.
     *
     * @param replica the replica
     * @param limit at most this many entries (at least 1)
     * @return the entries; empty if the replica never published
     * @throws IllegalArgumentException if {@code limit < 1}
     * @throws StoreException if the store fails
     */
    List<HistoryEntry> log(ReplicaId replica, int limit);

    /**
     * The state {@code replica} published at {@code revision}.
     *
     * @param replica the replica
     * @param revision a revision from {@link #log}, or an unambiguous abbreviation the backend accepts
     * @return the state with its full revision
     * @throws StoreAccessException if the store holds no state of that replica at that revision
     * @throws StoreException if the store fails
     */
    PublishedState stateAt(ReplicaId replica, Revision revision);
}
