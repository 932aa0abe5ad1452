/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.CrdtException;
import io.github.crdtmemory.core.ReplicaId;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The base of every failure of a {@link ReplicaStore} or of opening one. Unchecked. Each subtype is a
 * different reaction for the caller: {@link ConcurrentUpdateException} (re-read, join, retry),
 * {@link CorruptStateException} (stop; an operator must look), {@link StoreAccessException} (I/O or
 * configuration; retry later or fix the setup). The git module adds {@code GitOperationError}. A
 * failure of a local file (the memory file, a sync state directory, a lock) is a
 * {@link LocalStateException} instead, so {@link #store()} always names a store.
 *
 * <p>Every message names the store by its {@linkplain ReplicaStore#description() description}, which
 * never holds credentials.
 */
public abstract class StoreException extends CrdtException {
    private static final long serialVersionUID = 1L;

    private final String store;
    private final @Nullable String replica;

    /**
     * Creates the exception.
     *
     * @param store the store's redacted description
     * @param replica the replica concerned, or null when the failure is not about one replica
     * @param message what went wrong, without the store's name (it is prefixed)
     * @param cause the underlying failure, or null
     */
    protected StoreException(String store, @Nullable ReplicaId replica, String message, @Nullable Throwable cause) {
        super(Objects.requireNonNull(store, "store") + ": " + message, cause);
        this.store = store;
        this.replica = replica == null ? null : replica.value();
    }

    /**
     * Returns the redacted description of the store that failed.
     *
     * @return the store's description
     */
    public String store() {
        return store;
    }

    /**
     * Returns the replica the failure concerns, if it concerns one.
     *
     * @return the replica, or empty
     */
    public Optional<ReplicaId> replica() {
        return Optional.ofNullable(replica).map(ReplicaId::of);
    }
}
