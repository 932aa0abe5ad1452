/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.ManualClock;
import io.github.crdtmemory.core.ReplicaId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Re-creating a deleted entity does not bring back what its deletion hid, whether or not the state
 * shows the entity through a revival. Each replica is simulated as the sync engine runs it: diff the
 * file against its base, join every published state, observe, publish, and either write the view back
 * (the base becomes the view) or only back up (the file is left as it is and stays the base).
 */
final class RecreationTest {
    private static final long NOW = 1_760_000_000_000L;

    private long now = NOW;

    /** One replica: its memory file, the base that file last agreed with, its state and clock. */
    private final class Replica {
        final ManualClock clock;
        MemoryGraph file;
        MemoryGraph base;
        MemoryState state;

        Replica(String id, MemoryState shared) {
            clock = Clock.manual(ReplicaId.of(id), now);
            clock.observe(shared.maxStamp().orElseThrow().timestamp());
            state = shared;
            file = shared.view();
            base = file;
        }

        void sync(boolean writeBack, Replica... others) {
            clock.setPhysicalMillis(now += 1000);
            state = state.join(state.diff(base, file, clock));
            for (Replica o : others) {
                state = state.join(o.state);
            }
            clock.observe(state.maxStamp().orElseThrow().timestamp());
            base = file;
            if (writeBack) {
                file = state.view();
                base = file;
            }
        }
    }

    private static MemoryGraph graph(Entity... entities) {
        return MemoryGraph.of(List.of(entities), List.of());
    }

    @Test
    void reCreatingAnEntityShownByRevivalKeepsWhatItsDeletionHidBuried() {
        MemoryState shared = MemoryState.fromGraph(graph(Entity.of("E", "thing", "o1")),
                Clock.manual(ReplicaId.of("origin"), now));
        Replica a = new Replica("a", shared);
        Replica b = new Replica("b", shared);
        Replica c = new Replica("c", shared);

        b.file = graph(Entity.of("E", "thing", "o1", "o2"));
        b.sync(true, a, c);
        a.file = graph(); // A deletes E without having seen o2: o2 is hidden, not deleted
        a.sync(true, b, c);
        c.sync(true, a, b);
        assertThat(c.file.entity("E")).isEmpty();
        b.file = graph(Entity.of("E", "thing", "o1", "o2", "o3")); // B has not seen the deletion
        b.sync(true, a, c);
        assertThat(b.file.entity("E")).contains(Entity.of("E", "thing", "o3")); // revived
        c.sync(false, a, b); // C only backs up: its file stays {} and stays its base
        assertThat(c.state.view().entity("E")).contains(Entity.of("E", "thing", "o3"));
        c.file = graph(Entity.of("E", "thing", "x")); // C's user creates E
        c.sync(true, a, b);
        a.sync(true, b, c);
        b.sync(true, a, c);

        for (Replica r : List.of(a, b, c)) {
            assertThat(r.file.entity("E").orElseThrow().observations())
                    .as("o2 was hidden by the deletion; o3 came after it; x is the re-creation")
                    .containsExactly("o3", "x");
        }
    }

    @Test
    void reCreatingAnEntityNotShownBuriesWhatItsDeletionHid() {
        MemoryState shared = MemoryState.fromGraph(graph(Entity.of("E", "thing", "o1")),
                Clock.manual(ReplicaId.of("origin"), now));
        Replica a = new Replica("a", shared);
        Replica b = new Replica("b", shared);
        Replica c = new Replica("c", shared);

        b.file = graph(Entity.of("E", "thing", "o1", "o2"));
        b.sync(true, a, c);
        a.file = graph();
        a.sync(true, b, c);
        c.sync(true, a, b);
        c.file = graph(Entity.of("E", "thing", "x"));
        c.sync(true, a, b);
        a.sync(true, b, c);
        b.sync(true, a, c);

        for (Replica r : List.of(a, b, c)) {
            assertThat(r.file.entity("E").orElseThrow().observations()).containsExactly("x");
        }
    }
}
