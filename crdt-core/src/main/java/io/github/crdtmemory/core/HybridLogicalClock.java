package io.github.crdtmemory.core;

import java.util.Objects;
import java.util.function.LongSupplier;

/** The hybrid logical clock of Kulkarni et al. (OPODIS 2014), as described on {@link Clock}. */
final class HybridLogicalClock implements Clock {
    private final ReplicaId replica;
    private final LongSupplier physical;
    private long wall;
    private int counter;

    HybridLogicalClock(ReplicaId replica, LongSupplier physical, Timestamp start) {
        this.replica = Objects.requireNonNull(replica, "replica");
        this.physical = Objects.requireNonNull(physical, "physicalMillis");
        Objects.requireNonNull(start, "start");
        this.wall = start.wallMillis();
        this.counter = start.counter();
    }

    @Override
    public ReplicaId replica() {
        return replica;
    }

    @Override
    public synchronized Stamp tick() {
        long now = Math.max(0, physical.getAsLong());
        if (now > wall) {
            wall = now;
            counter = 0;
        } else {
            increment();
        }
        return new Stamp(wall, counter, replica);
    }

    @Override
    public synchronized void observe(Timestamp remote) {
        Objects.requireNonNull(remote, "remote");
        long now = Math.max(0, physical.getAsLong());
        long m = remote.wallMillis();
        long next = Math.max(wall, Math.max(m, now));
        if (next == wall && next == m) {
            counter = Math.max(counter, remote.counter());
            increment();
        } else if (next == wall) {
            increment();
        } else if (next == m) {
            wall = m;
            counter = remote.counter();
            increment();
        } else {
            wall = next;
            counter = 0;
        }
    }

    /** Advances the counter; on overflow the wall component moves one millisecond ahead instead. */
    private void increment() {
        if (counter == Integer.MAX_VALUE) {
            wall++;
            counter = 0;
        } else {
            counter++;
        }
    }

    @Override
    public synchronized Timestamp current() {
        return new Timestamp(wall, counter);
    }

    @Override
    public long physicalMillis() {
        return physical.getAsLong();
    }

    @Override
    public String toString() {
        return "HybridLogicalClock[" + replica + " at " + current() + "]";
    }
}
