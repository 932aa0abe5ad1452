/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Timestamp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example on the README's first screen, line for line. Change both together. */
final class ReadmeExampleTest {

    @Test
    void twoReplicasMerge() {
        // --- README example start ---
        Clock alice = Clock.hybrid(ReplicaId.of("alice"), System::currentTimeMillis, Timestamp.ZERO);
        Clock bob = Clock.hybrid(ReplicaId.of("bob"), System::currentTimeMillis, Timestamp.ZERO);
        MemoryGraph start = MemoryGraph.of(List.of(Entity.of("Ada", "person")), List.of());
        MemoryState a = MemoryState.fromGraph(start, alice);
        MemoryState b = a;                                   // bob starts from the same state
        a = a.join(a.diff(start, MemoryGraph.of(List.of(Entity.of("Ada", "person", "wrote the first program")), List.of()), alice));
        b = b.join(b.diff(start, MemoryGraph.of(List.of(Entity.of("Ada", "person", "met Babbage")), List.of()), bob));
        MemoryState merged = a.join(b);                      // equals b.join(a), always
        merged.view().entity("Ada").orElseThrow().observations(); // both observations are kept
        // --- README example end ---
        assertThat(merged).isEqualTo(b.join(a));
        assertThat(merged.view().entity("Ada").orElseThrow().observations())
                .containsExactlyInAnyOrder("wrote the first program", "met Babbage");
    }
}
