/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import java.util.function.LongSupplier;

/**
 * A hybrid logical clock that issues the {@link Stamp}s of one replica.
 *
 * <p>Guarantees, for every implementation returned by the factories below:
 * <ul>
 *   <li>{@link #tick()} returns strictly increasing stamps, even when physical time stands still or
 *       goes backwards;</li>
 *   <li>after {@link #observe(Timestamp) observe(t)}, every later {@code tick()} is greater than
 *       {@code t} (the receive rule). Merging a remote state and then observing its largest stamp
 *       makes every later local edit order after everything merged, whatever the wall clocks say;</li>
 *   <li>a remote timestamp far ahead of physical time is still observed, never rejected: dropping
 *       part of a state would break convergence. Callers that want to report clock skew compare the
 *       remote time with {@link #physicalMillis()} themselves;</li>
 *   <li>every time a clock issues or holds is within the far-future bound {@link Timestamp#MAX}
 *       (9999-12-31T23:59:59.999Z), and its arithmetic is overflow-checked: a start or remote time
 *       beyond the bound, a physical time beyond it, or a tick with no valid time left above the
 *       last one throws {@link ClockOverflowException} and leaves the clock unchanged. A tick is
 *       never at or below an earlier tick or an observed time. Codecs refuse stamps beyond the bound,
 *       so a clock only meets one through a caller that skipped them.</li>
 * </ul>
 *
 * <p><b>Clock-skew caveat:</b> among truly concurrent writes (neither saw the other) the one with the
 * later hybrid time wins, and that time follows the writers' wall clocks. A replica whose clock runs
 * ahead drags every clock that observes it forward; correctness holds, the wall-clock meaning of
 * stamps is lost.
 *
 * <p>Implementations are thread-safe.
 */
public interface Clock {

    /**
     * Returns the replica whose stamps this clock issues.
     *
     * @return the replica id
     */
    ReplicaId replica();

    /**
     * Issues the stamp of a new local write: greater than every stamp issued or observed before.
     *
     * @return a fresh stamp
     * @throws ClockOverflowException if no time within the bound is left above the last one, or
     *     physical time is beyond the bound; the clock is unchanged
     */
    Stamp tick();

    /**
     * Applies the receive rule for a remote timestamp: every later {@link #tick()} is greater.
     *
     * @param remote the largest timestamp of a merged state
     * @throws NullPointerException if {@code remote} is null
     * @throws ClockOverflowException if {@code remote} or physical time is beyond
     *     {@link Timestamp#MAX}, or no time within the bound is left above it; the clock is unchanged
     */
    void observe(Timestamp remote);

    /**
     * Returns the clock's current hybrid time: the last stamp issued or observed, whichever is
     * greater. Persist it to restart the clock without going backwards.
     *
     * @return the current hybrid time
     */
    Timestamp current();

    /**
     * Returns the physical time this clock reads, in milliseconds since the epoch.
     *
     * @return physical time now
     */
    long physicalMillis();

    /**
     * Returns a hybrid logical clock reading physical time from {@code physicalMillis}, starting at
     * {@code start} (for example the persisted {@link #current()} of a previous run).
     *
     * @param replica the replica whose stamps it issues
     * @param physicalMillis physical time in milliseconds since the epoch; the sync engine passes
     *     {@code System::currentTimeMillis}
     * @param start the hybrid time to resume from; {@link Timestamp#ZERO} for a new replica
     * @return the clock
     * @throws NullPointerException if an argument is null
     * @throws ClockOverflowException if {@code start} is beyond {@link Timestamp#MAX}
     */
    static Clock hybrid(ReplicaId replica, LongSupplier physicalMillis, Timestamp start) {
        return new HybridLogicalClock(replica, physicalMillis, start);
    }

    /**
     * Returns a clock whose physical time is set by hand, for tests and simulations.
     *
     * @param replica the replica whose stamps it issues
     * @param physicalMillis the initial physical time
     * @return the clock
     * @throws NullPointerException if {@code replica} is null
     */
    static ManualClock manual(ReplicaId replica, long physicalMillis) {
        return new ManualClock(replica, physicalMillis);
    }
}
