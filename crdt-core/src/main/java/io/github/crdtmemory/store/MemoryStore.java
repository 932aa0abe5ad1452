/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.Redaction;
import io.github.crdtmemory.memory.MemoryState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A {@link ReplicaStore} in this JVM's memory, for tests and embedding. Revisions are a counter. Keeps
 * the whole store contract; closing it does not discard its states (other handles may share it).
 */
public final class MemoryStore implements ReplicaStore {
    private final String name;
    private final Map<ReplicaId, PublishedState> states = new TreeMap<>();
    private long sequence;

    private MemoryStore(String name) {
        this.name = name;
    }

    /**
     * Returns a new, empty store.
     *
     * @param name a label for messages
     * @return the store
     */
    public static MemoryStore create(String name) {
        return new MemoryStore(Objects.requireNonNull(name, "name"));
    }

    @Override
    public String description() {
        return "mem:" + Redaction.redact(name);
    }

    @Override
    public synchronized Snapshot read() {
        return Snapshot.of(new ArrayList<>(states.values()));
    }

    @Override
    public synchronized java.util.SortedMap<ReplicaId, Revision> revisions() {
        java.util.SortedMap<ReplicaId, Revision> out = new TreeMap<>();
        states.forEach((r, s) -> out.put(r, s.revision()));
        return out;
    }

    @Override
    public synchronized Revision publish(ReplicaId replica, MemoryState state, Revision expected) {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(expected, "expected");
        PublishedState current = states.get(replica);
        Revision actual = current == null ? Revision.NONE : current.revision();
        if (!actual.equals(expected)) {
            throw new ConcurrentUpdateException(description(), replica, expected, actual);
        }
        long n = ++sequence;
            Revision next = Revision.of("m" + n);
        states.put(replica, new PublishedState(replica, next, state));
        return next;
    }

    /**
     * Returns the replicas that have published, for tests.
     *
     * @return the replica ids in order
     */
    public synchronized List<ReplicaId> replicas() {
        return List.copyOf(states.keySet());
    }

    @Override
    public void close() {
        // nothing held; the states stay for other handles of a named store
    }

    @Override
    public String toString() {
        return "MemoryStore[" + description() + "]";
    }
}
