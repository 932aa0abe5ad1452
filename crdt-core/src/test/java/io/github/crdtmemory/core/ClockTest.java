/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class ClockTest {
    private static final ReplicaId A = ReplicaId.of("a");

    @Test
    void ticksIncreaseWhilePhysicalTimeStandsStill() {
        ManualClock clock = Clock.manual(A, 1000);
        Stamp first = clock.tick();
        Stamp second = clock.tick();
        assertThat(second).isGreaterThan(first);
        assertThat(second.wallMillis()).isEqualTo(1000);
        assertThat(second.counter()).isEqualTo(first.counter() + 1);
    }

    @Test
    void ticksIncreaseWhenPhysicalTimeGoesBackwards() {
        ManualClock clock = Clock.manual(A, 5000);
        Stamp before = clock.tick();
        clock.setPhysicalMillis(10);
        assertThat(clock.tick()).isGreaterThan(before);
    }

    @Test
    void physicalTimeMovingOnResetsTheCounter() {
        ManualClock clock = Clock.manual(A, 1000);
        clock.tick();
        clock.tick();
        clock.advance(5);
        Stamp s = clock.tick();
        assertThat(s.wallMillis()).isEqualTo(1005);
        assertThat(s.counter()).isZero();
    }

    @Test
    void observingARemoteStampOrdersLaterTicksAfterIt() {
        ManualClock clock = Clock.manual(A, 1000);
        Timestamp remote = new Timestamp(1000L + 365L * 24 * 3600 * 1000, 7);
        clock.observe(remote);
        Stamp next = clock.tick();
        assertThat(next.timestamp()).isGreaterThan(remote);
    }

    @Test
    void observingAnOlderStampStillAdvances() {
        ManualClock clock = Clock.manual(A, 1000);
        Stamp s = clock.tick();
        clock.observe(new Timestamp(10, 0));
        assertThat(clock.current()).isGreaterThan(s.timestamp());
        assertThat(clock.tick()).isGreaterThan(s);
    }

    @Test
    void observingEqualWallTakesTheLargerCounter() {
        ManualClock clock = Clock.manual(A, 1000);
        clock.tick();
        clock.observe(new Timestamp(1000, 40));
        assertThat(clock.current()).isEqualTo(new Timestamp(1000, 41));
    }

    @Test
    void hybridClockResumesFromAPersistedTimestamp() {
        AtomicLong now = new AtomicLong(100);
        Clock clock = Clock.hybrid(A, now::get, new Timestamp(5000, 3));
        assertThat(clock.tick()).isEqualTo(new Stamp(5000, 4, A));
    }

    @Test
    void counterOverflowMovesTheWallComponent() {
        Clock clock = Clock.hybrid(A, () -> 0, new Timestamp(7, Integer.MAX_VALUE));
        Stamp s = clock.tick();
        assertThat(s.wallMillis()).isEqualTo(8);
        assertThat(s.counter()).isZero();
    }

    @Test
    void aRemoteTimeAtLongMaxIsRefusedAndLeavesTheClockUnchanged() {
        ManualClock clock = Clock.manual(A, 1000);
        Stamp before = clock.tick();
        Timestamp held = clock.current();
        for (Timestamp hostile : new Timestamp[] {new Timestamp(Long.MAX_VALUE, 0),
                new Timestamp(Long.MAX_VALUE, Integer.MAX_VALUE),
                new Timestamp(Timestamp.MAX_WALL_MILLIS + 1, 0)}) {
            assertThatThrownBy(() -> clock.observe(hostile)).as(hostile.toString())
                    .isInstanceOf(CrdtException.class)
                    .isInstanceOfSatisfying(ClockOverflowException.class, e -> {
                        assertThat(e.refused()).isEqualTo(hostile);
                        assertThat(e.replica()).isEqualTo(A);
                    })
                    .hasMessageContaining(hostile.toString()).hasMessageContaining("far-future bound");
            assertThat(clock.current()).as(hostile.toString()).isEqualTo(held);
        }
        assertThat(clock.tick()).isGreaterThan(before);
    }

    @Test
    void theLargestValidTimeIsObservedButLeavesNoTickAboveIt() {
        ManualClock clock = Clock.manual(A, 1000);
        clock.observe(new Timestamp(Timestamp.MAX_WALL_MILLIS, Integer.MAX_VALUE - 1));
        assertThat(clock.current()).isEqualTo(Timestamp.MAX);
        assertThatThrownBy(clock::tick).isInstanceOf(ClockOverflowException.class)
                .hasMessageContaining("no hybrid time is left above " + Timestamp.MAX);
        assertThatThrownBy(() -> clock.observe(Timestamp.MAX)).isInstanceOf(ClockOverflowException.class);
        assertThat(clock.current()).isEqualTo(Timestamp.MAX);
    }

    @Test
    void counterOverflowAtTheLastMillisecondIsRefusedNotWrapped() {
        Clock clock = Clock.hybrid(A, () -> 0, new Timestamp(Timestamp.MAX_WALL_MILLIS - 1, Integer.MAX_VALUE));
        assertThat(clock.tick()).isEqualTo(new Stamp(Timestamp.MAX_WALL_MILLIS, 0, A));
        assertThatThrownBy(() -> Clock.hybrid(A, () -> 0, new Timestamp(Long.MAX_VALUE, 0)))
                .isInstanceOf(ClockOverflowException.class).hasMessageContaining("start time");
    }

    @Test
    void aPhysicalClockBeyondTheBoundIsRefused() {
        ManualClock clock = Clock.manual(A, 1000);
        Stamp before = clock.tick();
        clock.setPhysicalMillis(Long.MAX_VALUE);
        assertThatThrownBy(clock::tick).isInstanceOf(ClockOverflowException.class)
                .hasMessageContaining("physical time " + Long.MAX_VALUE);
        assertThatThrownBy(() -> clock.observe(Timestamp.ZERO)).isInstanceOf(ClockOverflowException.class);
        assertThat(clock.current()).isEqualTo(before.timestamp());
        clock.setPhysicalMillis(Timestamp.MAX_WALL_MILLIS);
        assertThat(clock.tick()).isEqualTo(new Stamp(Timestamp.MAX_WALL_MILLIS, 0, A));
    }

    @Test
    void theBoundIsTheLastMillisecondOfYear9999() {
        assertThat(java.time.Instant.ofEpochMilli(Timestamp.MAX_WALL_MILLIS))
                .hasToString("9999-12-31T23:59:59.999Z");
        assertThat(Timestamp.MAX.isWithinBound()).isTrue();
        assertThat(new Timestamp(Timestamp.MAX_WALL_MILLIS + 1, 0).isWithinBound()).isFalse();
        assertThat(new Stamp(Timestamp.MAX_WALL_MILLIS, Integer.MAX_VALUE, A).isWithinBound()).isTrue();
        assertThat(new Stamp(Long.MAX_VALUE, 0, A).isWithinBound()).isFalse();
    }

    @Test
    void replicaIdsAreValidated() {
        assertThat(ReplicaId.of("laptop-1.home_a").value()).isEqualTo("laptop-1.home_a");
        for (String bad : new String[] {"", "-rf", "UPPER", "a/b", "a..b", "x.lock", "a.", "a b", "a".repeat(64), "é"}) {
            assertThatThrownBy(() -> ReplicaId.of(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThat(ReplicaId.isValid(bad)).as(bad).isFalse();
        }
        assertThat(ReplicaId.sanitize("My-Laptop.local", 20)).isEqualTo("my-laptop-local");
        assertThat(ReplicaId.sanitize("---", 20)).isEqualTo("replica");
        assertThat(ReplicaId.isValid(ReplicaId.sanitize("Ünïcödé Host!!", 63))).isTrue();
    }

    @Test
    void stampsOrderByWallThenCounterThenReplica() {
        ReplicaId b = ReplicaId.of("b");
        assertThat(new Stamp(1, 9, b)).isLessThan(new Stamp(2, 0, A));
        assertThat(new Stamp(2, 0, b)).isLessThan(new Stamp(2, 1, A));
        assertThat(new Stamp(2, 1, A)).isLessThan(new Stamp(2, 1, b));
    }
}
