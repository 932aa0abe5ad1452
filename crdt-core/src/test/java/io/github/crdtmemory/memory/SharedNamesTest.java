/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.ReplicaId;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Decoding holds each entity name, type and relation type once, however many atoms or relations
 * carry it: a large memory is mostly the same names over again.
 */
class SharedNamesTest {
    private static final String FILE = """
            {"type":"entity","name":"Ada","entityType":"person","observations":["wrote the first program","met Babbage"]}
            {"type":"entity","name":"Babbage","entityType":"person","observations":["designed engines"]}
            {"type":"relation","from":"Ada","to":"Babbage","relationType":"knows"}
            {"type":"relation","from":"Babbage","to":"Ada","relationType":"knows"}
            """;

    @Test
    void aParsedFileHoldsEachNameOnce() {
        MemoryGraph g = MemoryFileCodec.parse(FILE.getBytes(StandardCharsets.UTF_8), "memory.jsonl").graph();
        String ada = g.entities().get(0).name();
        String babbage = g.entities().get(1).name();
        assertThat(g.entities().get(1).entityType()).isSameAs(g.entities().get(0).entityType());
        assertThat(g.relations().get(0).from()).isSameAs(ada);
        assertThat(g.relations().get(0).to()).isSameAs(babbage);
        assertThat(g.relations().get(1).from()).isSameAs(babbage);
        assertThat(g.relations().get(1).to()).isSameAs(ada);
        assertThat(g.relations().get(1).relationType()).isSameAs(g.relations().get(0).relationType());
    }

    @Test
    void aDecodedStateHoldsEachNameOnce() {
        MemoryGraph g = MemoryFileCodec.parse(FILE.getBytes(StandardCharsets.UTF_8), "memory.jsonl").graph();
        MemoryState state = StateCodec.decode(StateCodec.encode(MemoryState.fromGraph(g, Clock.manual(ReplicaId.of("alice"), 1))),
                "state");
        LwwMap<AtomKey> atoms = state.atoms();
        String ada = null;
        String babbage = null;
        for (LwwMap.Cursor<AtomKey> c = atoms.cursor(); c.hasEntry(); c.advance()) {
            if (c.key() instanceof AtomKey.EntityKey e) {
                if (e.name().equals("Ada")) {
                    ada = e.name();
                } else {
                    babbage = e.name();
                }
            }
        }
        for (LwwMap.Cursor<AtomKey> c = atoms.cursor(); c.hasEntry(); c.advance()) {
            AtomKey k = c.key();
            String name = k.entity().equals("Ada") ? ada : babbage;
            if (k instanceof AtomKey.ObservationKey o) {
                assertThat(o.entity()).as("%s", k).isSameAs(name);
            } else if (k instanceof AtomKey.RelationKey r) {
                assertThat(r.from()).as("%s", k).isSameAs(name);
                assertThat(r.to()).as("%s", k).isSameAs(r.to().equals("Ada") ? ada : babbage);
            } else {
                assertThat(c.register().value()).isEqualTo("person");
            }
        }
    }
}
