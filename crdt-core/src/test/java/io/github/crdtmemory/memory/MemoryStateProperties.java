/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.ManualClock;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.testkit.Generators;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Laws of the memory state: convergence of N replicas, order-free views, diff and apply. */
final class MemoryStateProperties {

    @Test
    void replicasConvergeUnderEveryOrderAndGrouping() {
        qt().forAll(Generators.replicaStates(), Generators.permutationSeeds(), Generators.permutationSeeds())
                .checkAssert((states, first, second) -> {
                    MemoryState one = MemoryState.empty();
                    for (int i : Generators.permutation(states.size(), first)) {
                        one = one.join(states.get(i));
                    }
                    // a second replica receives the states in another order, in two halves joined apart
                    List<Integer> order = Generators.permutation(states.size(), second);
                    MemoryState left = MemoryState.empty();
                    MemoryState right = MemoryState.empty();
                    for (int k = 0; k < order.size(); k++) {
                        if (k % 2 == 0) {
                            left = states.get(order.get(k)).join(left);
                        } else {
                            right = right.join(states.get(order.get(k)));
                        }
                    }
                    MemoryState two = right.join(left);
                    assertThat(two).isEqualTo(one);
                    assertThat(MemoryState.joinAll(states)).isEqualTo(one);
                    assertThat(StateCodec.encode(two)).isEqualTo(StateCodec.encode(one));
                });
    }

    @Test
    void aJoinsLargestStampIsTheLargestOfItsAtoms() {
        // the join carries its inputs' largest stamp over when the first input had computed its own
        qt().forAll(Generators.states(), Generators.states(), Generators.states())
                .checkAssert((a, b, c) -> {
                    a.maxStamp();
                    MemoryState j = a.join(b);
                    j.maxStamp();
                    MemoryState k = j.join(c);
                    assertThat(j.maxStamp()).isEqualTo(j.atoms().maxStamp());
                    assertThat(k.maxStamp()).isEqualTo(k.atoms().maxStamp());
                });
    }

    @Test
    void viewDoesNotDependOnJoinOrder() {
        qt().forAll(Generators.states(), Generators.states(), Generators.states())
                .checkAssert((a, b, c) -> assertThat(a.join(b).join(c).view())
                        .isEqualTo(c.join(a.join(b)).view())
                        .isEqualTo(b.join(c).join(a).view()));
    }

    @Test
    void applyingADiffGivesTheTargetView() {
        qt().forAll(Generators.states(), Generators.graphs(), Generators.graphs())
                .checkAssert((random, g, target) -> {
                    // a state with history: random registers (concurrent edits, tombstones) plus a graph
                    ManualClock clock = Clock.manual(ReplicaId.of("z"), 100);
                    clock.observe(random.maxStamp().map(s -> s.timestamp()).orElse(io.github.crdtmemory.core.Timestamp.ZERO));
                    MemoryState state = random.join(random.diff(random.view(), g, clock));
                    MemoryGraph before = state.view();
                    MemoryState after = state.join(state.diff(before, target, clock));
                    assertThat(after.view().canonical()).isEqualTo(target.canonical());
                });
    }

    @Test
    void aGraphSurvivesTheStateExactlyInOrder() {
        qt().forAll(Generators.graphs())
                .checkAssert(g -> assertThat(MemoryState.fromGraph(g, Clock.manual(ReplicaId.of("a"), 1)).view())
                        .isEqualTo(g));
    }

    @Test
    void aDiffBetweenEqualGraphsIsEmpty() {
        qt().forAll(Generators.states(), Generators.graphs())
                .checkAssert((state, g) -> assertThat(state.diff(g, g, Clock.manual(ReplicaId.of("a"), 1)).size())
                        .isZero());
    }

    @Test
    void everyLocalEditInflatesTheState() {
        qt().forAll(Generators.states(), Generators.graphs())
                .checkAssert((state, g) -> {
                    ManualClock clock = Clock.manual(ReplicaId.of("z"), 100);
                    MemoryState next = state.join(state.diff(state.view(), g, clock));
                    assertThat(state.atoms().isCoveredBy(next.atoms())).isTrue();
                });
    }

    @Test
    void remoteAdditionsNeverTurnIntoDeletions() {
        // The diff-base invariant: a state that holds remote atoms the file never saw, diffed against
        // the file's own base, keeps every one of those atoms visible.
        qt().forAll(Generators.graphs(), Generators.graphs(), Generators.graphs())
                .checkAssert((base, remote, edited) -> {
                    ManualClock here = Clock.manual(ReplicaId.of("h"), 1000);
                    ManualClock there = Clock.manual(ReplicaId.of("r"), 500);
                    MemoryState local = MemoryState.fromGraph(base, here);
                    MemoryState theirs = MemoryState.fromGraph(remote, there);
                    MemoryState merged = local.join(theirs);
                    merged.maxStamp().ifPresent(m -> here.observe(m.timestamp()));
                    // the file was not written back: it still holds base, and the user left it alone
                    MemoryState after = merged.join(merged.diff(base, base, here));
                    assertThat(after).isEqualTo(merged);
                    List<String> unchanged = new ArrayList<>();
                    merged.view().entities().forEach(e -> unchanged.add(e.name()));
                    after.view().entities().forEach(e -> assertThat(unchanged).contains(e.name()));
                    assertThat(after.view()).isEqualTo(merged.view());
                });
    }
}
