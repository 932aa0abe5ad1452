/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.AtomCounts;
import java.time.Instant;
import java.util.Objects;

/**
 * One publication in a {@link StoreHistory}.
 *
 * @param replica who published it
 * @param revision its revision
 * @param time when it was published (by the publisher's clock; second precision in git)
 * @param counts the state's atoms by kind
 * @param sha256 SHA-256 hex of the state's canonical bytes
 */
public record HistoryEntry(ReplicaId replica, Revision revision, Instant time, AtomCounts counts, String sha256) {
    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     */
    public HistoryEntry {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(sha256, "sha256");
    }
}
