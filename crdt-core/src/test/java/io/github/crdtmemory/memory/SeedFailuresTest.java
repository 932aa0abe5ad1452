/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.ManualClock;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Stamp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The failures of the earlier whole-entity, wall-clock tools, each as an example that must hold. */
final class SeedFailuresTest {
    private static final long NOW = 1_760_000_000_000L;
    private static final MemoryGraph ADA = MemoryGraph.of(List.of(Entity.of("Ada", "person", "mathematician")), List.of());

    private static MemoryGraph graph(Entity... entities) {
        return MemoryGraph.of(List.of(entities), List.of());
    }

    @Test
    void differentObservationsOnOneEntityAreBothKept() {
        ManualClock alice = Clock.manual(ReplicaId.of("alice"), NOW);
        ManualClock bob = Clock.manual(ReplicaId.of("bob"), NOW + 5);
        MemoryState shared = MemoryState.fromGraph(ADA, alice);
        MemoryState a = shared.join(shared.diff(ADA, graph(Entity.of("Ada", "person", "mathematician", "wrote notes")), alice));
        MemoryState b = shared.join(shared.diff(ADA, graph(Entity.of("Ada", "person", "mathematician", "met Babbage")), bob));
        MemoryGraph merged = a.join(b).view();
        assertThat(merged.entity("Ada").orElseThrow().observations())
                .containsExactlyInAnyOrder("mathematician", "wrote notes", "met Babbage");
        assertThat(b.join(a).view()).isEqualTo(merged);
    }

    @Test
    void aDeletionPropagatesAndDoesNotComeBack() {
        ManualClock alice = Clock.manual(ReplicaId.of("alice"), NOW);
        ManualClock bob = Clock.manual(ReplicaId.of("bob"), NOW);
        MemoryGraph both = graph(Entity.of("Ada", "person"), Entity.of("Old", "note", "stale"));
        MemoryState a = MemoryState.fromGraph(both, alice);
        MemoryState b = a;
        // alice deletes Old; bob, who still has it, keeps editing other things and syncs again and again
        a = a.join(a.diff(both, graph(Entity.of("Ada", "person")), alice));
        MemoryGraph bobFile = graph(Entity.of("Ada", "person", "new fact"), Entity.of("Old", "note", "stale"));
        b = b.join(b.diff(both, bobFile, bob));
        for (int round = 0; round < 3; round++) {
            b = b.join(a);
            bob.observe(b.maxStamp().orElseThrow().timestamp());
            a = a.join(b);
            alice.observe(a.maxStamp().orElseThrow().timestamp());
        }
        assertThat(a.view().entity("Old")).isEmpty();
        assertThat(b.view().entity("Old")).isEmpty();
        assertThat(a.view().entity("Ada").orElseThrow().observations()).containsExactly("new fact");
        // bob's file is rewritten from the merged view; his next diff against it deletes nothing
        MemoryGraph written = b.view();
        assertThat(b.diff(written, written, bob).size()).isZero();
    }

    @Test
    void aClockAYearAheadDoesNotWinOverAnEditMadeAfterSeeingIt() {
        ManualClock future = Clock.manual(ReplicaId.of("future"), NOW + 365L * 24 * 3600 * 1000);
        ManualClock honest = Clock.manual(ReplicaId.of("honest"), NOW);
        MemoryState f = MemoryState.fromGraph(graph(Entity.of("Ada", "robot")), future);
        // honest pulls the future host's state, then corrects the type
        MemoryState h = MemoryState.empty().join(f);
        honest.observe(h.maxStamp().orElseThrow().timestamp());
        MemoryGraph seen = h.view();
        h = h.join(h.diff(seen, graph(Entity.of("Ada", "person")), honest));
        assertThat(f.join(h).view().entity("Ada").orElseThrow().entityType()).isEqualTo("person");
        assertThat(h.join(f).view().entity("Ada").orElseThrow().entityType()).isEqualTo("person");
    }

    @Test
    void equalStampsWithDifferentValuesHaveOneWinnerInEveryOrder() {
        Stamp same = new Stamp(NOW, 0, ReplicaId.of("cloned"));
        AtomKey.EntityKey key = new AtomKey.EntityKey("Ada");
        MemoryState x = MemoryState.of(LwwMap.<AtomKey>builder().put(key, Register.live(same, "person")).build());
        MemoryState y = MemoryState.of(LwwMap.<AtomKey>builder().put(key, Register.live(same, "robot")).build());
        MemoryState z = MemoryState.of(LwwMap.<AtomKey>builder().put(key, Register.tombstone(same, "person")).build());
        List<MemoryState> orders = List.of(x.join(y).join(z), z.join(y).join(x), y.join(z.join(x)),
                MemoryState.joinAll(List.of(z, x, y)));
        for (MemoryState s : orders) {
            assertThat(s).isEqualTo(orders.get(0));
        }
        // on an exact tie a tombstone wins over a live value
        assertThat(orders.get(0).view().entity("Ada")).isEmpty();
        assertThat(x.join(y).view().entity("Ada").orElseThrow().entityType()).isEqualTo("robot");
    }

    @Test
    void aConcurrentObservationStampedAfterADeletionRevivesTheEntity() {
        ManualClock alice = Clock.manual(ReplicaId.of("alice"), NOW);
        ManualClock bob = Clock.manual(ReplicaId.of("bob"), NOW + 60_000);
        MemoryState shared = MemoryState.fromGraph(ADA, alice);
        MemoryState a = shared.join(shared.diff(ADA, MemoryGraph.empty(), alice));
        MemoryState b = shared.join(shared.diff(ADA, graph(Entity.of("Ada", "person", "mathematician", "new")), bob));
        MemoryGraph merged = a.join(b).view();
        // bob's edit is later than alice's deletion: it is kept, the observation alice deleted is not
        assertThat(merged.entity("Ada").orElseThrow().observations()).containsExactly("new");
        assertThat(merged.entity("Ada").orElseThrow().entityType()).isEqualTo("person");
    }
}
