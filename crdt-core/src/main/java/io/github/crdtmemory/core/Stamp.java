/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import java.util.Objects;

/**
 * A {@link Timestamp} plus the {@link ReplicaId} that issued it: the identity of one write. Stamps
 * are totally ordered by {@code (wallMillis, counter, replica)}, so two different replicas never
 * produce equal stamps, and a replica that never reuses a stamp never produces a tie at all.
 *
 * <p>A valid stamp is within the far-future bound described on {@link Timestamp}: its wall component
 * is at most {@link Timestamp#MAX_WALL_MILLIS} (9999-12-31T23:59:59.999Z). The constructor accepts
 * any non-negative component so that a stamp read from outside can be named in a message; decoders
 * refuse one beyond the bound ({@link #isWithinBound()}), and clocks never issue one.
 *
 * <p>The components are stored flat (not as a nested {@code Timestamp}) because a state holds one
 * stamp per atom and a million atoms must fit in a small heap. Immutable.
 *
 * @param wallMillis the hybrid clock's physical component, milliseconds since the epoch
 * @param counter the hybrid clock's logical component
 * @param replica the writer that issued the stamp
 */
public record Stamp(long wallMillis, int counter, ReplicaId replica) implements Comparable<Stamp> {

    /**
     * Validates the components.
     *
     * @throws NullPointerException if {@code replica} is null
     * @throws IllegalArgumentException if a numeric component is negative
     */
    public Stamp {
        Objects.requireNonNull(replica, "replica");
        if (wallMillis < 0 || counter < 0) {
            throw new IllegalArgumentException(
                    "stamp components must not be negative: " + wallMillis + "." + counter);
        }
    }

    /**
     * Returns the stamp of {@code timestamp} issued by {@code replica}.
     *
     * @param timestamp the hybrid time
     * @param replica the writer
     * @return the stamp
     * @throws NullPointerException if an argument is null
     */
    public static Stamp of(Timestamp timestamp, ReplicaId replica) {
        return new Stamp(timestamp.wallMillis(), timestamp.counter(), replica);
    }

    /**
     * Returns the hybrid time of this stamp, without the replica.
     *
     * @return the timestamp
     */
    public Timestamp timestamp() {
        return new Timestamp(wallMillis, counter);
    }

    /**
     * Tells whether this stamp is within the far-future bound of {@link Timestamp}.
     *
     * @return true if the wall component is at most {@link Timestamp#MAX_WALL_MILLIS}
     */
    public boolean isWithinBound() {
        return wallMillis <= Timestamp.MAX_WALL_MILLIS;
    }

    @Override
    public int compareTo(Stamp other) {
        if (this == other) {
            return 0;
        }
        int c = Long.compare(wallMillis, other.wallMillis);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(counter, other.counter);
        if (c != 0) {
            return c;
        }
        return replica == other.replica ? 0 : replica.value().compareTo(other.replica.value());
    }

    @Override
    public String toString() {
        return wallMillis + "." + counter + "@" + replica.value();
    }
}
