/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Replica ids: which strings are valid, what {@link ReplicaId#sanitize} makes of a host name, and an
 * error message that shows a bad id without its control characters (it may come from a hostile remote).
 */
final class ReplicaIdTest {
    @Test
    void theValidIdsAreTheDocumentedOnes() {
        for (String ok : new String[] {"a", "0", "laptop-1", "ci_runner.2", "z".repeat(63), "a.b-c_d"}) {
            assertThat(ReplicaId.isValid(ok)).as(ok).isTrue();
            assertThat(ReplicaId.of(ok).toString()).isEqualTo(ok);
        }
        for (String bad : new String[] {"", "A", "-a", ".a", "_a", "a..b", "a.lock", "a.", "z".repeat(64), "a b",
            "a/b", "é"}) {
            assertThat(ReplicaId.isValid(bad)).as(bad).isFalse();
        }
        assertThat(ReplicaId.isValid(null)).isFalse();
    }

    @Test
    void sanitizeKeepsLettersDigitsDashesAndUnderscoresAndReplacesTheRest() {
        assertThat(ReplicaId.sanitize("az09-_AZ", 63)).isEqualTo("az09-_az");
        assertThat(ReplicaId.sanitize("My Laptop.local", 63)).isEqualTo("my-laptop-local");
        assertThat(ReplicaId.sanitize("`a{z/0:9[", 63)).isEqualTo("a-z-0-9");
        assertThat(ReplicaId.sanitize("--host--", 63)).isEqualTo("host");
        assertThat(ReplicaId.sanitize("abcdef", 3)).isEqualTo("abc");
        assertThat(ReplicaId.sanitize("ab-cdef", 3)).as("trimmed, then the trailing dash").isEqualTo("ab");
        assertThat(ReplicaId.sanitize("", 10)).isEqualTo("replica");
        assertThat(ReplicaId.sanitize("...", 10)).isEqualTo("replica");
        assertThat(ReplicaId.isValid(ReplicaId.sanitize("x".repeat(100) + "!", 63))).isTrue();
        assertThatThrownBy(() -> ReplicaId.sanitize("a", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplicaId.sanitize("a", 64)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ReplicaId.sanitize("a", 1)).isEqualTo("a");
        assertThat(ReplicaId.sanitize("abc", 63)).isEqualTo("abc");
    }

    @Test
    void anInvalidIdIsShownEscapedAndCutShort() {
        assertThatThrownBy(() -> ReplicaId.of("bad\u001b[2J\u007fid\u0000 \u00e9"))
                .hasMessageStartingWith("invalid replica id 'bad\\u001b[2J\\u007fid\\u0000 \u00e9'");
        String longest = "Y".repeat(80);
        assertThatThrownBy(() -> ReplicaId.of(longest)).hasMessageStartingWith("invalid replica id '" + longest + "'");
        assertThatThrownBy(() -> ReplicaId.of(longest + "Z")).hasMessageStartingWith(
                "invalid replica id '" + longest + "...'");
        assertThatThrownBy(() -> ReplicaId.of("\u001f\u0020")).hasMessageStartingWith("invalid replica id '\\u001f '");
    }
}
