/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A hybrid logical clock whose physical time is set by hand: tests use it to simulate hosts whose
 * wall clocks disagree (a year ahead, standing still, going backwards). It follows every rule of
 * {@link Clock}; only the source of physical time differs. Thread-safe.
 */
public final class ManualClock implements Clock {
    private final AtomicLong physical;
    private final HybridLogicalClock clock;

    ManualClock(ReplicaId replica, long physicalMillis) {
        this.physical = new AtomicLong(physicalMillis);
        this.clock = new HybridLogicalClock(replica, physical::get, Timestamp.ZERO);
    }

    /**
     * Sets the physical time, which may move backwards.
     *
     * @param millis milliseconds since the epoch
     */
    public void setPhysicalMillis(long millis) {
        physical.set(millis);
    }

    /**
     * Moves the physical time by {@code millis} (negative moves it back).
     *
     * @param millis the change in milliseconds
     */
    public void advance(long millis) {
        physical.addAndGet(millis);
    }

    @Override
    public ReplicaId replica() {
        return clock.replica();
    }

    @Override
    public Stamp tick() {
        return clock.tick();
    }

    @Override
    public void observe(Timestamp remote) {
        clock.observe(remote);
    }

    @Override
    public Timestamp current() {
        return clock.current();
    }

    @Override
    public long physicalMillis() {
        return physical.get();
    }

    @Override
    public String toString() {
        return "ManualClock[" + replica() + " at " + current() + ", physical " + physical.get() + "]";
    }
}
