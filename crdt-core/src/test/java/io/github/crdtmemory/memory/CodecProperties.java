/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import io.github.crdtmemory.testkit.Generators;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Round trips of both codecs, and the canonical form of states. */
final class CodecProperties {

    @Test
    void graphSurvivesJsonlExactly() {
        qt().forAll(Generators.graphs(), org.quicktheories.generators.SourceDSL.booleans().all())
                .checkAssert((g, trailing) -> {
                    byte[] bytes = MemoryFileCodec.write(g, trailing);
                    MemoryFile read = MemoryFileCodec.parse(bytes, "generated.jsonl");
                    assertThat(read.graph()).isEqualTo(g);
                    assertThat(read.warnings()).isEmpty();
                    assertThat(MemoryFileCodec.write(read.graph(), read.trailingNewline())).isEqualTo(bytes);
                });
    }

    @Test
    void aWriterThatKeepsItsLinesWritesWhatTheCodecWrites() {
        // one writer across graphs that share entities and relations with the previous one (the second
        // is the first with the third's first entity and relation added), as a tool call's rewrite does
        MemoryFileWriter writer = MemoryFileWriter.create();
        qt().forAll(Generators.graphs(), Generators.graphs(), org.quicktheories.generators.SourceDSL.booleans().all())
                .checkAssert((a, b, trailing) -> {
                    java.util.List<Entity> entities = new java.util.ArrayList<>(a.entities());
                    b.entities().stream().findFirst().filter(e -> a.entity(e.name()).isEmpty()).ifPresent(entities::add);
                    java.util.List<Relation> relations = new java.util.ArrayList<>(a.relations());
                    b.relations().stream().findFirst().filter(r -> !a.relations().contains(r)).ifPresent(relations::add);
                    MemoryGraph grown = MemoryGraph.of(entities, relations);
                    for (MemoryGraph g : java.util.List.of(a, grown, b, MemoryGraph.empty(), grown)) {
                        assertThat(writer.write(g, trailing)).isEqualTo(MemoryFileCodec.write(g, trailing));
                    }
                });
    }

    @Test
    void stateSurvivesItsBytes() {
        qt().forAll(Generators.states())
                .checkAssert(s -> assertThat(StateCodec.decode(StateCodec.encode(s), "state")).isEqualTo(s));
    }

    @Test
    void encodingsArePresizedToTheByte() {
        qt().forAll(Generators.states())
                .checkAssert(s -> assertThat(StateCodec.size(s.atoms())).isEqualTo(StateCodec.encode(s).length));
        qt().forAll(Generators.graphs(), org.quicktheories.generators.SourceDSL.booleans().all())
                .assuming((g, trailing) -> !g.entities().isEmpty() || !g.relations().isEmpty())
                .checkAssert((g, trailing) -> assertThat(MemoryFileCodec.size(g, trailing))
                        .isEqualTo(MemoryFileCodec.write(g, trailing).length));
    }

    @Test
    void equalStatesIffEqualBytes() {
        qt().forAll(Generators.states(), Generators.states())
                .checkAssert((a, b) -> assertThat(Arrays.equals(StateCodec.encode(a), StateCodec.encode(b)))
                        .isEqualTo(a.equals(b)));
    }

    @Test
    void encodingAndJoiningCommute() {
        qt().forAll(Generators.states(), Generators.states())
                .checkAssert((a, b) -> assertThat(StateCodec.decode(StateCodec.encode(a), "a")
                        .join(StateCodec.decode(StateCodec.encode(b), "b")))
                        .isEqualTo(a.join(b)));
    }

    @Test
    void arbitraryTextSurvivesBothCodecs() {
        qt().forAll(Generators.anyText(), Generators.anyText())
                .checkAssert((name, text) -> {
                    MemoryGraph g = MemoryGraph.of(
                            java.util.List.of(new Entity(name, text, text.equals(name) ? java.util.List.of(text)
                                    : java.util.List.of(text, name))),
                            java.util.List.of(new Relation(name, text, name)));
                    assertThat(MemoryFileCodec.parse(MemoryFileCodec.write(g, false), "t").graph()).isEqualTo(g);
                    MemoryState s = MemoryState.fromGraph(g, io.github.crdtmemory.core.Clock.manual(
                            io.github.crdtmemory.core.ReplicaId.of("a"), 1));
                    assertThat(StateCodec.decode(StateCodec.encode(s), "s")).isEqualTo(s);
                });
    }
}
