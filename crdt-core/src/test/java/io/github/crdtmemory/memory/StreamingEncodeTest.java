/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.JsonOutput;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The streamed encodings ({@link StateCodec#encode(MemoryState, java.io.OutputStream)},
 * {@link MemoryFileCodec#write(MemoryGraph, boolean, java.io.OutputStream)}) are byte for byte the
 * in-memory ones, across buffer boundaries, escapes, multi-byte characters and a string longer than
 * the buffer.
 */
final class StreamingEncodeTest {
    @Test
    void streamedEncodingsAreTheInMemoryOnes() throws Exception {
        List<Entity> entities = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            entities.add(Entity.of("entity-" + i + (i % 5 == 0 ? " \"quoted\" \\ \n\u00e9\u4e2d\ud83d\ude00" : ""),
                    "person", "observation " + i + (i % 7 == 0 ? "\t\u0001\ud800 lone" : ""), "second " + i));
        }
        entities.add(Entity.of("long", "thing", "x".repeat(200_000) + "\u00e9".repeat(70_000)));
        List<Relation> relations = new ArrayList<>();
        for (int i = 0; i + 1 < 3000; i += 3) {
            relations.add(new Relation(entities.get(i).name(), "knows", entities.get(i + 1).name()));
        }
        MemoryGraph graph = MemoryGraph.of(entities, relations);
        MemoryState state = MemoryState.fromGraph(graph,
                Clock.hybrid(ReplicaId.of("alice"), () -> 1_763_800_000_000L, Timestamp.ZERO));

        ByteArrayOutputStream s = new ByteArrayOutputStream();
        StateCodec.encode(state, s);
        assertThat(s.toByteArray()).isEqualTo(StateCodec.encode(state));
        for (boolean nl : new boolean[] {true, false}) {
            ByteArrayOutputStream g = new ByteArrayOutputStream();
            MemoryFileCodec.write(graph, nl, g);
            assertThat(g.toByteArray()).isEqualTo(MemoryFileCodec.write(graph, nl));
            assertThat(MemoryFileCodec.size(graph, nl)).as("the array is sized exactly").isEqualTo(g.size());
        }
        // an exactly sized buffer ends with strings whose worst case (3 bytes a char) does not fit
        JsonOutput exact = new JsonOutput(JsonOutput.stringLength("abc") + JsonOutput.stringLength("\u00e9\n\u0001x"));
        int capacity = exact.capacity();
        exact.string("abc").string("\u00e9\n\u0001x");
        assertThat(exact.capacity()).as("never grown").isEqualTo(capacity);
        assertThat(new String(exact.toByteArray(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("\"abc\"\"\u00e9\\n\\u0001x\"");
        ByteArrayOutputStream empty = new ByteArrayOutputStream();
        MemoryFileCodec.write(MemoryGraph.empty(), true, empty);
        assertThat(empty.toByteArray()).isEmpty();
    }
}
