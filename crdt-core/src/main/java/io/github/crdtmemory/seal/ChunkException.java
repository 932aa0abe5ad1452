/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.seal;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A sealed chunk that does not open: it was changed, moved, truncated, or sealed with a key this
 * keyring does not hold. Checked: a store decides what it means (an unknown key on every replica is a
 * wrong key file, an {@link EncryptionException}; anything else quarantines that replica).
 */
public final class ChunkException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a chunk did not open. */
    public enum Reason {
        /** Not a sealed chunk at all (too short, or no seal header): plaintext, or garbage. */
        MALFORMED,
        /** Sealed with a key id this keyring does not hold. */
        UNKNOWN_KEY,
        /** The authentication tag does not verify: changed, moved, or replayed in another place. */
        AUTHENTICATION
    }

    private final Reason reason;
    private final @Nullable String keyId;

    ChunkException(Reason reason, @Nullable String keyId, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.keyId = keyId;
    }

    /**
     * Returns why the chunk did not open.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * Returns the key id the chunk names, or null when it is {@link Reason#MALFORMED}.
     *
     * @return the key id, or null
     */
    public @Nullable String keyId() {
        return keyId;
    }
}
