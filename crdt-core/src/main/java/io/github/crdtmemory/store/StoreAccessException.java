/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import org.jspecify.annotations.Nullable;

/**
 * A store could not be opened, read or written for a reason outside the CRDT: an I/O error, a
 * missing directory, an invalid or unknown store URI. Nothing was half-written (every store replaces
 * atomically). Fix the cause and retry.
 */
public final class StoreAccessException extends StoreException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param store the store's redacted description, or the redacted URI that failed to open
     * @param replica the replica concerned, or null
     * @param message what failed
     * @param cause the underlying failure, or null
     */
    public StoreAccessException(String store, @Nullable ReplicaId replica, String message, @Nullable Throwable cause) {
        super(store, replica, message, cause);
    }
}
