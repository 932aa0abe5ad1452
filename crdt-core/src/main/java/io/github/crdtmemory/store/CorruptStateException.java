/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import org.jspecify.annotations.Nullable;

/**
 * Stored state cannot be decoded or failed verification: a replica's state in a store, or the own
 * state, base or clock in a sync state directory. Nothing was written. The message names the file or
 * object and the reason; the cause (often a {@code MemoryFormatException} with line and column) is kept.
 * Do not retry: an operator must restore or remove the damaged copy (every other replica still holds
 * the data it had merged).
 */
public final class CorruptStateException extends StoreException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param store the store's redacted description, or the state directory
     * @param replica the replica whose state is damaged, or null
     * @param message what is damaged and how
     * @param cause the decoding failure, or null
     */
    public CorruptStateException(String store, @Nullable ReplicaId replica, String message, @Nullable Throwable cause) {
        super(store, replica, message, cause);
    }
}
