/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ReplicaStore#publish compare-and-swap} lost: the replica's revision in the store is not the
 * one the caller expected, because another writer published first. Nothing was written. The caller
 * re-reads, joins and retries; because states only grow by join, the retry loses nothing.
 */
public final class ConcurrentUpdateException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final Revision expected;
    private final @Nullable Revision actual;

    /**
     * Creates the exception.
     *
     * @param store the store's redacted description
     * @param replica the replica whose publication lost
     * @param expected the revision the caller expected
     * @param actual the revision the store holds, {@link Revision#NONE} if none, or {@code null} when
     *     the store cannot tell (a rejected git push, for one)
     */
    public ConcurrentUpdateException(String store, ReplicaId replica, Revision expected, @Nullable Revision actual) {
        super(store, Objects.requireNonNull(replica, "replica"),
                "replica " + replica + " was updated concurrently: expected revision " + expected
                        + ", found " + (actual == null ? "a newer one" : actual),
                null);
        this.expected = Objects.requireNonNull(expected, "expected");
        this.actual = actual;
    }

    /**
     * Returns the revision the caller expected.
     *
     * @return the expected revision
     */
    public Revision expected() {
        return expected;
    }

    /**
     * Returns the revision found in the store, when the store knows it.
     *
     * @return the actual revision, or empty
     */
    public java.util.Optional<Revision> actual() {
        return java.util.Optional.ofNullable(actual);
    }
}
