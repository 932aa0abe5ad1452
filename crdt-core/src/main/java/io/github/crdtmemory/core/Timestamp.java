/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

/**
 * A hybrid logical clock reading: the largest physical time seen, in milliseconds since the epoch,
 * and a logical counter that orders events within one millisecond. Timestamps are totally ordered
 * by {@code (wallMillis, counter)}. Immutable.
 *
 * <p><b>The far-future bound.</b> A valid hybrid time has a wall component of at most
 * {@link #MAX_WALL_MILLIS}, 9999-12-31T23:59:59.999Z: the last instant with a four-digit year, which
 * ISO 8601 and every date library print without an expanded year. It is far future, not merely
 * ahead: clock skew is reported by the sync engine, never refused, while a time beyond this bound can
 * only come from a corrupt or hostile writer. The counter is bounded by its type. Clocks never issue
 * nor observe a time beyond the bound ({@link ClockOverflowException}), and the state codec refuses a
 * state file holding one. The constructor itself accepts any non-negative component, so that such a
 * time can be named in a message; {@link #isWithinBound()} tells them apart.
 *
 * @param wallMillis the physical component, milliseconds since 1970-01-01T00:00:00Z, never negative
 * @param counter the logical component, never negative
 */
public record Timestamp(long wallMillis, int counter) implements Comparable<Timestamp> {
    /** The smallest timestamp; every issued stamp is greater. */
    public static final Timestamp ZERO = new Timestamp(0, 0);
    /** The largest valid wall component: 9999-12-31T23:59:59.999Z in milliseconds since the epoch. */
    public static final long MAX_WALL_MILLIS = 253_402_300_799_999L;
    /** The largest valid timestamp: {@link #MAX_WALL_MILLIS} with the largest counter. */
    public static final Timestamp MAX = new Timestamp(MAX_WALL_MILLIS, Integer.MAX_VALUE);

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if a component is negative
     */
    public Timestamp {
        if (wallMillis < 0 || counter < 0) {
            throw new IllegalArgumentException(
                    "timestamp components must not be negative: " + wallMillis + "." + counter);
        }
    }

    /**
     * Tells whether this time is within the far-future bound, that is at most {@link #MAX}.
     *
     * @return true if the wall component is at most {@link #MAX_WALL_MILLIS}
     */
    public boolean isWithinBound() {
        return wallMillis <= MAX_WALL_MILLIS;
    }

    @Override
    public int compareTo(Timestamp other) {
        int c = Long.compare(wallMillis, other.wallMillis);
        return c != 0 ? c : Integer.compare(counter, other.counter);
    }

    @Override
    public String toString() {
        return wallMillis + "." + counter;
    }
}
