/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.store.ConcurrentUpdateException;
import io.github.crdtmemory.store.Revision;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one compare-and-swap retry loop: rounds, backoff between them, the last loss thrown. */
final class PublisherTest {
    private static ConcurrentUpdateException lost(int round) {
        return new ConcurrentUpdateException("round " + round, ReplicaId.of("alice"), Revision.NONE, null);
    }

    @Test
    void aRoundThatLosesRunsAgainAfterABackoffUntilOneWins() {
        List<Long> starts = new ArrayList<>();
        String result = Publisher.withRounds(5).publish("alice", () -> {
            starts.add(System.nanoTime());
            if (starts.size() < 3) {
                throw lost(starts.size());
            }
            return "won";
        });
        assertThat(result).isEqualTo("won");
        assertThat(starts).hasSize(3);
        // round n waits at least half of min(1 s, 20 ms << n): 20 ms after the first, 40 ms after the second
        assertThat(starts.get(1) - starts.get(0)).isGreaterThanOrEqualTo(20_000_000L);
        assertThat(starts.get(2) - starts.get(1)).isGreaterThanOrEqualTo(40_000_000L);
    }

    @Test
    void afterTheLastRoundTheLastLossIsThrown() {
        int[] rounds = {0};
        assertThatThrownBy(() -> Publisher.withRounds(2).publish("alice", () -> {
            throw lost(++rounds[0]);
        })).isInstanceOf(ConcurrentUpdateException.class).hasMessageContaining("round 2");
        assertThat(rounds[0]).isEqualTo(2);
        assertThatThrownBy(() -> Publisher.withRounds(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anInterruptDuringTheBackoffEndsWithTheLossAndKeepsTheFlag() {
        int[] rounds = {0};
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Publisher.withRounds(5).publish("alice", () -> {
                throw lost(++rounds[0]);
            })).isInstanceOfSatisfying(ConcurrentUpdateException.class,
                    e -> assertThat(e.getSuppressed()).hasAtLeastOneElementOfType(InterruptedException.class));
            assertThat(rounds[0]).isEqualTo(1);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
