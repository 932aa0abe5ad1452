/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import java.util.Objects;

/**
 * A {@link Clock} was asked to reach a hybrid time beyond the far-future bound of {@link Timestamp}
 * ({@link Timestamp#MAX}): a remote time to observe or a start time beyond it, a physical clock
 * reading past it, or a tick with no valid time left above the last one. The clock is left exactly
 * as it was, so every stamp it issued or will issue stays within the bound and above everything it
 * observed before. The message names the refused time.
 */
public final class ClockOverflowException extends CrdtException {
    private static final long serialVersionUID = 1L;

    private final ReplicaId replica;
    private final Timestamp refused;

    ClockOverflowException(ReplicaId replica, Timestamp refused, String reason) {
        super("clock of replica " + Objects.requireNonNull(replica, "replica") + ": " + reason
                + " (the bound is " + Timestamp.MAX + ", 9999-12-31T23:59:59.999Z)");
        Objects.requireNonNull(refused, "refused");
        this.replica = replica;
        this.refused = refused;
    }

    /**
     * Returns the replica whose clock refused the time.
     *
     * @return the replica id
     */
    public ReplicaId replica() {
        return replica;
    }

    /**
     * Returns the hybrid time that was refused: the one beyond {@link Timestamp#MAX}.
     *
     * @return the refused time
     */
    public Timestamp refused() {
        return refused;
    }
}
