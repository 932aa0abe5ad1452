/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import java.util.Objects;

/**
 * An opaque compare-and-swap token: which published state of one replica a caller has seen. A store
 * issues a new revision with every publication; callers only compare revisions for equality and hand
 * them back to {@link ReplicaStore#publish}. {@link #NONE} stands for "this replica has published
 * nothing yet".
 *
 * <p>What the token is depends on the store: a counter for the in-memory store, the SHA-256 of the
 * state file for the directory store, a commit id for the git store.
 *
 * @param token the store's token; empty only for {@link #NONE}
 */
public record Revision(String token) {
    /** The revision of a replica that has no published state. */
    public static final Revision NONE = new Revision("");

    /**
     * Validates the token.
     *
     * @throws NullPointerException if {@code token} is null
     * @throws IllegalArgumentException if it holds a character outside printable ASCII
     */
    public Revision {
        Objects.requireNonNull(token, "token");
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IllegalArgumentException("a revision token is printable ASCII without spaces");
            }
        }
    }

    /**
     * Returns the revision with this token.
     *
     * @param token a non-empty token
     * @return the revision
     * @throws IllegalArgumentException if the token is empty or not printable ASCII
     */
    public static Revision of(String token) {
        if (token.isEmpty()) {
            throw new IllegalArgumentException("use Revision.NONE for no revision");
        }
        return new Revision(token);
    }

    /**
     * Tells whether this is {@link #NONE}.
     *
     * @return true for the revision of a replica that has published nothing
     */
    public boolean isNone() {
        return token.isEmpty();
    }

    @Override
    public String toString() {
        return isNone() ? "none" : token;
    }
}
