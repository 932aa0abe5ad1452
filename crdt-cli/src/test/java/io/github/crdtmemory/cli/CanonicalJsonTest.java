/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 8785 canonical JSON: numbers from the RFC's Appendix B (and neighbours, checked against Python's shortest repr), the section 3.2 examples. */
class CanonicalJsonTest {
    private static String number(String ieeeHex) {
        return CanonicalJson.number(Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16)));
    }

    @Test
    void numbersAreWrittenAsEcmaScriptDoes() {
        assertThat(number("0000000000000000")).isEqualTo("0");
        assertThat(number("8000000000000000")).isEqualTo("0");
        assertThat(number("0000000000000001")).isEqualTo("5e-324");
        assertThat(number("8000000000000001")).isEqualTo("-5e-324");
        assertThat(number("7fefffffffffffff")).isEqualTo("1.7976931348623157e+308");
        assertThat(number("4340000000000000")).isEqualTo("9007199254740992");
        assertThat(number("c340000000000000")).isEqualTo("-9007199254740992");
        assertThat(number("4430000000000000")).isEqualTo("295147905179352830000");
        assertThat(number("44b52d02c7e14af5")).isEqualTo("9.999999999999997e+22");
        assertThat(number("44b52d02c7e14af6")).isEqualTo("1e+23");
        assertThat(number("44b52d02c7e14af7")).isEqualTo("1.0000000000000001e+23");
        assertThat(number("444b1ae4d6e2ef4e")).isEqualTo("999999999999999700000");
        assertThat(number("444b1ae4d6e2ef50")).isEqualTo("1e+21");
        assertThat(number("3eb0c6f7a0b5ed8c")).isEqualTo("9.999999999999997e-7");
        assertThat(number("3eb0c6f7a0b5ed8d")).isEqualTo("0.000001");
        assertThat(number("3eb0c6f7a0b5ed8e")).isEqualTo("0.0000010000000000000002");
        assertThat(number("41b3de4355555555")).isEqualTo("333333333.3333333");
        assertThat(number("41b3de4355555556")).isEqualTo("333333333.3333334");
        assertThat(number("41b3de4355555557")).isEqualTo("333333333.33333343");
    }

    @Test
    void objectsAreSortedAndStringsMinimallyEscaped() throws Exception {
        String in = "{\"numbers\":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"
                + "\"string\":\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\"literals\":[null,true,false]}";
        assertThat(CanonicalJson.text(Cli.JSON.readTree(in))).isEqualTo("{\"literals\":[null,true,false],"
                + "\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    }

    @Test
    void namesSortByUtf16CodeUnits() throws Exception {
        String in = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
                + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
                + "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        String out = CanonicalJson.text(Cli.JSON.readTree(in));
        assertThat(out).startsWith("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\","
                + "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }
}
