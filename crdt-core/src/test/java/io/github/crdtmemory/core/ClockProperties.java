/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The rules of {@link Clock} on random schedules of ticks, observations and physical-time moves, near
 * the epoch and near the far-future bound:
 * <ul>
 *   <li>every tick is above every earlier tick and every observed time, and within the bound;</li>
 *   <li>equal wall times take the larger counter: observing a remote time with the clock's own wall
 *       (physical time not later) leaves the clock at {@code max(local, remote counter) + 1};</li>
 *   <li>overflow is refused, and only overflow: a step throws {@link ClockOverflowException} exactly
 *       when the time it needs is beyond {@link Timestamp#MAX}, and then leaves the clock unchanged.</li>
 * </ul>
 * A clock that took the remote counter instead of the larger one fails the first two rules.
 * {@code -Dcrdt.clock.examples=N} runs more schedules (default 1000).
 */
final class ClockProperties {
    private static final int EXAMPLES = Integer.getInteger("crdt.clock.examples", 1000);
    private static final ReplicaId ME = ReplicaId.of("me");
    private static final long NEAR_BOUND = Timestamp.MAX_WALL_MILLIS - 3;
    private static final int[] COUNTERS = {0, 1, 2, 5, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};

    @Test
    void ticksRiseAboveEveryTickAndObservationAndOverflowIsRefused() {
        qt().withExamples(EXAMPLES)
                .forAll(Generate.booleans(), startCounters(), schedules())
                .checkAssert((nearBound, startCounter, script) -> {
                    long base = nearBound ? NEAR_BOUND : 1000;
                    new Run(base, new Timestamp(base, startCounter)).play(script);
                });
    }

    @Test
    void equalWallTimesTakeTheLargerCounter() {
        qt().withExamples(EXAMPLES)
                .forAll(Generate.booleans(), startCounters(), startCounters(), integers().between(0, 3))
                .checkAssert((nearBound, local, remote, behind) -> {
                    long wall = nearBound ? Timestamp.MAX_WALL_MILLIS : 1000;
                    Clock clock = Clock.hybrid(ME, () -> wall - behind, new Timestamp(wall, local));
                    Timestamp before = clock.current();
                    Timestamp observed = new Timestamp(wall, remote);
                    Timestamp top = before.compareTo(observed) >= 0 ? before : observed;
                    if (top.equals(Timestamp.MAX)) {
                        assertThatThrownBy(() -> clock.observe(observed)).isInstanceOf(ClockOverflowException.class);
                        assertThat(clock.current()).isEqualTo(before);
                        return;
                    }
                    clock.observe(observed);
                    Timestamp expected = top.counter() == Integer.MAX_VALUE
                            ? new Timestamp(wall + 1, 0)
                            : new Timestamp(wall, Math.max(before.counter(), remote) + 1);
                    assertThat(clock.current()).isEqualTo(expected);
                });
    }

    /** Counters that start a clock: small ones, mixed with the last ones before overflow. */
    private static Gen<Integer> startCounters() {
        return integers().between(0, 6).map(i -> i < COUNTERS.length ? COUNTERS[i] : 3);
    }

    /** A schedule is a list of integers; {@link Run#step} decodes each into one operation. */
    private static Gen<List<Integer>> schedules() {
        return lists().of(integers().between(0, Integer.MAX_VALUE)).ofSizeBetween(1, 60);
    }

    /** One clock under a schedule, with what the rules need: the last tick and the largest observed. */
    private static final class Run {
        final ManualClock clock;
        Stamp lastTick;
        Timestamp maxObserved = Timestamp.ZERO;

        Run(long physical, Timestamp start) {
            clock = Clock.manual(ME, physical);
            clock.observe(start);
        }

        void play(List<Integer> script) {
            for (int x : script) {
                step(x);
            }
        }

        void step(int x) {
            switch (x % 4) {
                case 0, 1 -> tick();
                case 2 -> observe(remote(x / 4));
                default -> clock.advance((x / 4) % 7 - 3);
            }
        }

        /** A remote time near the clock's own: equal walls and counters are frequent; 1 in 16 is beyond the bound. */
        Timestamp remote(int x) {
            Timestamp now = clock.current();
            if (x % 16 == 0) {
                return new Timestamp((x / 16) % 2 == 0 ? Long.MAX_VALUE : Timestamp.MAX_WALL_MILLIS + 1 + (x / 32) % 3,
                        COUNTERS[(x / 64) % COUNTERS.length]);
            }
            long wall = Math.max(0, now.wallMillis() + (x / 16) % 5 - 2);
            int c = (x / 80) % 8;
            int counter = c < COUNTERS.length ? COUNTERS[c]
                    : c == 6 ? Math.max(0, now.counter() - 1) : (int) Math.min(Integer.MAX_VALUE, now.counter() + 1L);
            return new Timestamp(wall, counter);
        }

        void tick() {
            Timestamp before = clock.current();
            boolean overflow = clock.physicalMillis() > Timestamp.MAX_WALL_MILLIS || before.equals(Timestamp.MAX);
            if (overflow) {
                assertThatThrownBy(clock::tick).isInstanceOf(ClockOverflowException.class);
                assertThat(clock.current()).isEqualTo(before);
                return;
            }
            Stamp s = clock.tick();
            assertThat(s.isWithinBound()).as("within the bound: %s", s).isTrue();
            if (lastTick != null) {
                assertThat(s).as("above the earlier tick %s", lastTick).isGreaterThan(lastTick);
            }
            assertThat(s.timestamp()).as("above every observed time").isGreaterThan(maxObserved);
            assertThat(clock.current()).isEqualTo(s.timestamp());
            lastTick = s;
        }

        void observe(Timestamp remote) {
            Timestamp before = clock.current();
            Timestamp top = before.compareTo(remote) >= 0 ? before : remote;
            boolean overflow = !remote.isWithinBound() || clock.physicalMillis() > Timestamp.MAX_WALL_MILLIS
                    || top.equals(Timestamp.MAX);
            if (overflow) {
                assertThatThrownBy(() -> clock.observe(remote)).isInstanceOf(ClockOverflowException.class);
                assertThat(clock.current()).isEqualTo(before);
                return;
            }
            clock.observe(remote);
            assertThat(clock.current()).as("above the observed %s", remote).isGreaterThan(remote)
                    .as("above the clock before, %s", before).isGreaterThan(before);
            if (remote.wallMillis() == before.wallMillis() && clock.physicalMillis() <= before.wallMillis()
                    && top.counter() < Integer.MAX_VALUE) {
                assertThat(clock.current()).as("equal walls take the larger counter")
                        .isEqualTo(new Timestamp(before.wallMillis(), Math.max(before.counter(), remote.counter()) + 1));
            }
            maxObserved = maxObserved.compareTo(remote) >= 0 ? maxObserved : remote;
        }
    }
}
