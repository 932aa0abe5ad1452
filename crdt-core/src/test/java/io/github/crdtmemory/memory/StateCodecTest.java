/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.core.Timestamp;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class StateCodecTest {
    private static final ReplicaId A = ReplicaId.of("alice");
    private static final ReplicaId A_SHORT = ReplicaId.of("a");

    @Test
    void canonicalFormIsSortedWithAFixedFieldOrder() {
        MemoryState state = MemoryState.of(LwwMap.<AtomKey>builder()
                .put(new AtomKey.RelationKey("Ada", "knows", "Bob"), Register.tombstone(new Stamp(3, 0, A), ""))
                .put(new AtomKey.ObservationKey("Ada", "wrote \"notes\""), Register.live(new Stamp(2, 1, A), ""))
                .put(new AtomKey.EntityKey("Ada"), Register.live(new Stamp(1, 0, A), "person"))
                .build());
        String expected = "{\"format\":\"crdt-memory-state\",\"version\":1}\n"
                + "{\"atom\":\"entity\",\"name\":\"Ada\",\"stamp\":[1,0,\"alice\"],\"live\":true,\"value\":\"person\"}\n"
                + "{\"atom\":\"observation\",\"entity\":\"Ada\",\"text\":\"wrote \\\"notes\\\"\",\"stamp\":[2,1,\"alice\"],\"live\":true,\"value\":\"\"}\n"
                + "{\"atom\":\"relation\",\"from\":\"Ada\",\"relationType\":\"knows\",\"to\":\"Bob\",\"stamp\":[3,0,\"alice\"],\"live\":false,\"value\":\"\"}\n";
        assertThat(new String(StateCodec.encode(state), StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(StateCodec.decode(expected.getBytes(StandardCharsets.UTF_8), "s")).isEqualTo(state);
    }

    @Test
    void emptyStateIsTheHeaderAlone() {
        assertThat(new String(StateCodec.encode(MemoryState.empty()), StandardCharsets.UTF_8))
                .isEqualTo("{\"format\":\"crdt-memory-state\",\"version\":1}\n");
    }

    @Test
    void corruptStateFilesAreRejectedWithTheirLine() {
        String header = "{\"format\":\"crdt-memory-state\",\"version\":1}\n";
        String atom = "{\"atom\":\"entity\",\"name\":\"A\",\"stamp\":[1,0,\"a\"],\"live\":true,\"value\":\"t\"}\n";
        expect("", 1, "missing the header");
        expect("{\"format\":\"other\",\"version\":1}\n", 1, "not a replica state file");
        expect("{\"format\":\"crdt-memory-state\",\"version\":2}\n", 1, "unsupported state file version 2");
        expect(header + atom + atom.replace("[1,0,\"a\"]", "[-1,0,\"a\"]"), 3, "out of range");
        expect(header + atom.replace("\"a\"]", "\"-rf\"]"), 2, "invalid replica id");
        expect(header + atom.replace("\"live\":true,", ""), 2, "missing field 'live'");
        expect(header + atom.replace("\"name\"", "\"nom\""), 2, "unknown field 'nom'");
        expect(header + atom.replace("\"entity\"", "\"widget\""), 2, "unknown atom kind 'widget'");
        expect(header + atom.replace("[1,0,\"a\"]", "[1,\"a\"]"), 2, "must be [wallMillis, counter, replica]");
        expect(header + atom.substring(0, 20), 2, "malformed JSON");
        expect(header + atom.replace("\"name\":\"A\"", "\"name\":\"A\",\"name\":\"B\""), 2, "duplicate field 'name'");
        expect(header + atom.replace("\"live\":true", "\"live\":true,\"live\":false"), 2, "duplicate field 'live'");
        expect(header + atom.replace("\"name\":\"A\"", "\"name\":\"A\",\"text\":\"x\""), 2,
                "fields that do not belong");
        expect("{\"format\":\"crdt-memory-state\",\"format\":\"crdt-memory-state\",\"version\":1}\n", 1,
                "duplicate header field 'format'");
    }

    @Test
    void stampsBeyondTheFarFutureBoundAreRefusedAndNamed() {
        String header = "{\"format\":\"crdt-memory-state\",\"version\":1}\n";
        String atom = "{\"atom\":\"entity\",\"name\":\"A\",\"stamp\":[1,0,\"a\"],\"live\":true,\"value\":\"t\"}\n";
        for (long wall : new long[] {Long.MAX_VALUE, Timestamp.MAX_WALL_MILLIS + 1}) {
            String bad = atom.replace("[1,0,\"a\"]", "[" + wall + ",7,\"mallory\"]");
            expect(header + atom.replace("\"A\"", "\"B\"") + bad, 3,
                    "stamp [" + wall + ",7,'mallory'] is beyond the far-future bound");
        }
        String last = atom.replace("[1,0,\"a\"]", "[" + Timestamp.MAX_WALL_MILLIS + "," + Integer.MAX_VALUE + ",\"a\"]");
        MemoryState edge = StateCodec.decode((header + last).getBytes(StandardCharsets.UTF_8), "s");
        assertThat(edge.maxStamp()).contains(new Stamp(Timestamp.MAX_WALL_MILLIS, Integer.MAX_VALUE, A_SHORT));
        assertThat(StateCodec.encode(edge)).isEqualTo((header + last).getBytes(StandardCharsets.UTF_8));
        MemoryState beyond = MemoryState.of(LwwMap.<AtomKey>builder()
                .put(new AtomKey.EntityKey("A"), Register.live(new Stamp(Long.MAX_VALUE, 0, A), "t")).build());
        assertThatThrownBy(() -> StateCodec.encode(beyond)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("far-future bound");
    }

    private static void expect(String text, int line, String reason) {
        assertThatThrownBy(() -> StateCodec.decode(text.getBytes(StandardCharsets.UTF_8), "alice.state"))
                .as(text)
                .isInstanceOfSatisfying(MemoryFormatException.class, e -> {
                    assertThat(e.line()).isEqualTo(line);
                    assertThat(e.reason()).contains(reason);
                    assertThat(e.getMessage()).startsWith("alice.state:" + line);
                });
    }
}
