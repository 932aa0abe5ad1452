/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.seal;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.store.StoreException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The keys do not fit the store: nothing was read into a snapshot and nothing was written. The caller
 * must fix its configuration (retrying does not help). Messages name key ids, never key material.
 */
public final class EncryptionException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Kind {
        /** The key file is missing, unreadable, readable by others, a symbolic link, or malformed. */
        KEY_FILE,
        /** The store holds encrypted states and no key was given. */
        KEY_REQUIRED,
        /** The states are sealed with keys the key file does not hold. */
        WRONG_KEY,
        /** An encrypted store and a plaintext one met: a plaintext publication into an encrypted store, or the reverse. */
        MODE_MISMATCH
    }

    private final Kind kind;

    /**
     * Creates the exception.
     *
     * @param store the store's redacted description (or the key file's path for {@link Kind#KEY_FILE})
     * @param replica the replica concerned, or null
     * @param kind what is wrong
     * @param message what went wrong and what to do
     */
    public EncryptionException(String store, @Nullable ReplicaId replica, Kind kind, String message) {
        super(store, replica, message, null);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /**
     * Returns what is wrong.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }
}
