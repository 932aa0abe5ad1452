/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The hybrid logical clock of Kulkarni et al. (OPODIS 2014), as described on {@link Clock}, with
 * overflow-checked arithmetic: its time never leaves the far-future bound of {@link Timestamp}, and a
 * step that would leave it throws {@link ClockOverflowException} without changing the clock.
 */
final class HybridLogicalClock implements Clock {
    private final ReplicaId replica;
    private final LongSupplier physical;
    private long wall;
    private int counter;

    HybridLogicalClock(ReplicaId replica, LongSupplier physical, Timestamp start) {
        this.replica = Objects.requireNonNull(replica, "replica");
        this.physical = Objects.requireNonNull(physical, "physicalMillis");
        Objects.requireNonNull(start, "start");
        if (!start.isWithinBound()) {
            throw new ClockOverflowException(replica, start,
                    "start time " + start + " is beyond the far-future bound");
        }
        this.wall = start.wallMillis();
        this.counter = start.counter();
    }

    @Override
    public ReplicaId replica() {
        return replica;
    }

    @Override
    public synchronized Stamp tick() {
        advanceAbove(wall, counter);
        return new Stamp(wall, counter, replica);
    }

    @Override
    public synchronized void observe(Timestamp remote) {
        Objects.requireNonNull(remote, "remote");
        if (!remote.isWithinBound()) {
            throw new ClockOverflowException(replica, remote,
                    "refusing to observe remote time " + remote + ": it is beyond the far-future bound");
        }
        int c = Long.compare(remote.wallMillis(), wall);
        if (c > 0 || (c == 0 && remote.counter() > counter)) {
            advanceAbove(remote.wallMillis(), remote.counter());
        } else {
            advanceAbove(wall, counter);
        }
    }

    /**
     * Moves the clock to the smallest time above {@code (floorWall, floorCounter)} and physical time:
     * physical time with counter 0 if it is later than the floor's wall, else the floor's successor
     * (the counter plus one; on counter overflow, the next millisecond with counter 0). Changes
     * nothing and throws if that time is beyond the bound.
     */
    private void advanceAbove(long floorWall, int floorCounter) {
        long now = Math.max(0, physical.getAsLong());
        if (now > Timestamp.MAX_WALL_MILLIS) {
            throw new ClockOverflowException(replica, new Timestamp(now, 0),
                    "physical time " + now + " ms is beyond the far-future bound");
        }
        if (now > floorWall) {
            wall = now;
            counter = 0;
        } else if (floorCounter < Integer.MAX_VALUE) {
            wall = floorWall;
            counter = floorCounter + 1;
        } else if (floorWall < Timestamp.MAX_WALL_MILLIS) {
            wall = floorWall + 1;
            counter = 0;
        } else {
            throw new ClockOverflowException(replica, new Timestamp(floorWall + 1, 0),
                    "no hybrid time is left above " + new Timestamp(floorWall, floorCounter)
                            + " within the far-future bound");
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
