/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The sizes a state's encoding is allocated with match what is written, to the byte. */
class JsonOutputLengthTest {
    @Test
    void stringLengthIsWhatStringWrites() {
        List<String> samples = List.of("", "plain ascii", "quote \" and backslash \\", "\b\f\n\r\t and \u0001\u001f",
                "é, ß, ñ", "€ and 中文", "pair \ud83d\ude00 emoji", "lone high \ud83d end", "lone low \ude00 x",
                "\ud83d", "\u007f\u0080\u07ff\u0800\uffff");
        for (String s : samples) {
            assertThat(JsonOutput.stringLength(s)).as("%s", s).isEqualTo(new JsonOutput(0).string(s).length());
        }
        SplittableRandom random = new SplittableRandom(21);
        for (int n = 0; n < 2_000; n++) {
            char[] cs = new char[random.nextInt(12)];
            for (int i = 0; i < cs.length; i++) {
                cs[i] = (char) (random.nextBoolean() ? random.nextInt(0x100) : random.nextInt(0x10000));
            }
            String s = new String(cs);
            assertThat(JsonOutput.stringLength(s)).as("%s", s).isEqualTo(new JsonOutput(0).string(s).length());
        }
    }

    @Test
    void numberLengthIsWhatNumberWrites() {
        for (long v : new long[] {0, 9, 10, 99, 100, 1_732_280_000_000L, Long.MAX_VALUE}) {
            assertThat(JsonOutput.numberLength(v)).as("%d", v).isEqualTo(new JsonOutput(0).number(v).length());
        }
    }
}
