package io.github.crdtmemory.core;

/**
 * A hybrid logical clock reading: the largest physical time seen, in milliseconds since the epoch,
 * and a logical counter that orders events within one millisecond. Timestamps are totally ordered
 * by {@code (wallMillis, counter)}. Immutable.
 *
 * @param wallMillis the physical component, milliseconds since 1970-01-01T00:00:00Z, never negative
 * @param counter the logical component, never negative
 */
public record Timestamp(long wallMillis, int counter) implements Comparable<Timestamp> {
    /** The smallest timestamp; every issued stamp is greater. */
    public static final Timestamp ZERO = new Timestamp(0, 0);

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
