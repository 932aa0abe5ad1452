/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checks on input that decide whether a file is refused: the UTF-8 check agrees with the JDK's
 * strict decoder on where the first invalid sequence starts (overlong forms, surrogates, code points
 * past U+10FFFF and cut sequences, at and around every boundary), and an entity refuses a repeated
 * observation whatever the list's length.
 */
final class InputCheckProperties {
    /** Code points at the edges of the UTF-8 length classes and of the surrogate range. */
    private static final int[] EDGES = {0x00, 0x0a, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff,
        0x10000, 0x10ffff};
    /** Sequences that are not UTF-8: overlong forms, surrogates, past U+10FFFF, stray and cut bytes. */
    private static final int[][] INVALID = {{0xc0, 0x80}, {0xc1, 0xbf}, {0xe0, 0x80, 0x80}, {0xe0, 0x9f, 0xbf},
        {0xed, 0xa0, 0x80}, {0xed, 0xbf, 0xbf}, {0xf0, 0x80, 0x80, 0x80}, {0xf0, 0x8f, 0xbf, 0xbf},
        {0xf4, 0x90, 0x80, 0x80}, {0xf5, 0x80, 0x80, 0x80}, {0xff}, {0x80}, {0xbf}, {0xc2}, {0xe1, 0x80},
        {0xf1, 0x80, 0x80}, {0xc2, 0x41}, {0xe1, 0x80, 0x41}};

    /** Where the JDK's strict decoder finds the first malformed sequence, or -1. */
    private static int jdkFirstInvalid(byte[] b) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(b.length + 1);
        var result = d.decode(in, out, true);
        if (result.isError()) {
            return in.position();
        }
        result = d.flush(out);
        return result.isError() ? in.position() : -1;
    }

    /** A byte string of valid pieces (edge code points, ASCII, newlines) with invalid ones mixed in. */
    private static byte[] mixed(long seed) {
        Random r = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pieces = r.nextInt(12);
        for (int i = 0; i < pieces; i++) {
            switch (r.nextInt(5)) {
                case 0 -> out.writeBytes(new String(Character.toChars(EDGES[r.nextInt(EDGES.length)]))
                        .getBytes(StandardCharsets.UTF_8));
                case 1 -> {
                    for (int v : INVALID[r.nextInt(INVALID.length)]) {
                        out.write(v);
                    }
                }
                case 2 -> out.write(r.nextInt(256));
                case 3 -> out.write('\n');
                default -> out.writeBytes("ab".getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    @Test
    void theUtf8CheckFindsTheFirstInvalidByteWhereTheJdkDoes() {
        qt().withExamples(5000).forAll(longs().all()).checkAssert(seed -> {
            byte[] b = mixed(seed);
            assertThat(Utf8Check.firstInvalid(b)).as("%s", java.util.HexFormat.of().formatHex(b))
                    .isEqualTo(jdkFirstInvalid(b));
        });
    }

    @Test
    void everyEdgeCodePointIsValidAndEveryInvalidSequenceIsFoundWhereItStarts() throws CharacterCodingException {
        for (int cp : EDGES) {
            byte[] b = ("x" + new String(Character.toChars(cp)) + "y").getBytes(StandardCharsets.UTF_8);
            assertThat(Utf8Check.firstInvalid(b)).as("U+%04X", cp).isEqualTo(-1);
        }
        for (int[] bad : INVALID) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes("ok\n\u00e9".getBytes(StandardCharsets.UTF_8));
            for (int v : bad) {
                out.write(v);
            }
            byte[] b = out.toByteArray();
            assertThat(Utf8Check.firstInvalid(b)).as("%s", java.util.HexFormat.of().formatHex(b)).isEqualTo(5);
            assertThat(Utf8Check.position(b, 5)).as("line 2, byte column 3").containsExactly(2, 3);
        }
    }

    @Test
    void positionsCountLinesAndByteColumns() {
        qt().forAll(longs().all()).checkAssert(seed -> {
            byte[] b = mixed(seed);
            for (int offset = 0; offset <= b.length; offset++) {
                int line = 1;
                int start = 0;
                for (int i = 0; i < offset; i++) {
                    if (b[i] == '\n') {
                        line++;
                        start = i + 1;
                    }
                }
                assertThat(Utf8Check.position(b, offset)).containsExactly(line, offset - start + 1);
            }
        });
    }

    @Test
    void anEntityRefusesARepeatedObservationWhateverTheListsLength() {
        qt().forAll(integers().between(0, 20), longs().all()).checkAssert((n, seed) -> {
            Random r = new Random(seed);
            List<String> observations = new ArrayList<>();
            int alphabet = 1 + r.nextInt(3 * n + 1); // sometimes fewer values than places
            for (int i = 0; i < n; i++) {
                observations.add("o" + r.nextInt(alphabet));
            }
            boolean repeated = new HashSet<>(observations).size() < observations.size();
            if (repeated) {
                assertThatThrownBy(() -> new Entity("e", "t", observations)).as("%s", observations)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
            } else {
                assertThat(new Entity("e", "t", observations).observations()).isEqualTo(observations);
            }
        });
    }
}
