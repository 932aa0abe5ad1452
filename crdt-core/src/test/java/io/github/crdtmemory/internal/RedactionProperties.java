/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * {@link Redaction} masks the whole user information of a URL, whatever it holds, and keeps the
 * scheme, host, path and the text around the URL exactly.
 */
final class RedactionProperties {
    private static final List<String> SCHEMES = List.of("https", "http", "ssh", "git+https", "git+ssh", "ftp", "HTTPS");
    private static final List<String> PREFIXES = List.of("", "fatal: unable to access '", "git:", "store ", "'", "\"");
    private static final List<String> SUFFIXES = List.of("", "'", "\"", "': error 403", " failed; mail admin@example.com",
            "\nnext@line", " (see x@y)");
    private static final List<String> HARD_USER_INFO = List.of("user:it's", "user:p@ss@word", "@", "a@b:c@d",
            "o'brien:\"q\" x", "tok'en", "user:pa ss", "%40:%2F@", "ghp_notreally", "user:pass?#x", "é€:ü@");

    @Test
    void theUserInformationIsMaskedWholeAndTheRestKept() {
        qt().withExamples(2000).forAll(Generate.pick(SCHEMES), userInfo(), hostAndPath(), context())
                .checkAssert((scheme, userInfo, hostAndPath, around) -> {
                    String text = around[0] + scheme + "://" + userInfo + "@" + hostAndPath + around[1];
                    assertThat(Redaction.redact(text)).as("redact(%s)", text)
                            .isEqualTo(around[0] + scheme + "://" + Redaction.MASK + "@" + hostAndPath + around[1]);
                });
    }

    @Test
    void aUrlWithoutUserInformationIsKept() {
        qt().forAll(Generate.pick(SCHEMES), hostAndPath(), context())
                .checkAssert((scheme, hostAndPath, around) -> {
                    String text = around[0] + scheme + "://" + hostAndPath + around[1];
                    assertThat(Redaction.redact(text)).isEqualTo(text);
                });
    }

    @Test
    void quotesAndUnencodedAtSignsInThePasswordAreMasked() {
        assertThat(Redaction.redact("git+https://user:it's-s3cret@github.com/me/memory.git"))
                .isEqualTo("git+https://***@github.com/me/memory.git");
        assertThat(Redaction.redact("https://user:p@ss@word@host/a@b.git failed"))
                .isEqualTo("https://***@host/a@b.git failed");
        assertThat(Redaction.redact("https://u:pw@host")).isEqualTo("https://***@host");
        assertThat(Redaction.redact("https://host/path@v1 and ssh://git@h/x")).isEqualTo("https://host/path@v1 and ssh://***@h/x");
    }

    @Test
    void anSshUserNameIsNoCredentialButAPasswordOrTokenIs() {
        assertThat(Redaction.holdsCredentials("git+ssh://git@backup-host/memory.git")).isFalse();
        assertThat(Redaction.holdsCredentials("ssh://git@backup-host/memory.git")).isFalse();
        assertThat(Redaction.holdsCredentials("git+file:///srv/memory.git")).isFalse();
        assertThat(Redaction.holdsCredentials("/srv/memory.git")).isFalse();
        assertThat(Redaction.holdsCredentials("git+ssh://git:pw@backup-host/memory.git")).isTrue();
        assertThat(Redaction.holdsCredentials("git+ssh://git@backup-host/memory.git?token=abc")).isTrue();
        assertThat(Redaction.holdsCredentials("git+https://git@backup-host/memory.git")).isTrue();
        assertThat(Redaction.holdsCredentials("git+https://u:it's@host/memory.git")).isTrue();
        qt().forAll(userInfo(), hostAndPath()).checkAssert((userInfo, hostAndPath) ->
                assertThat(Redaction.holdsCredentials("git+https://" + userInfo + "@" + hostAndPath)).isTrue());
    }

    /** Text before and after the URL. */
    private static Gen<String[]> context() {
        return Generate.pick(PREFIXES).zip(Generate.pick(SUFFIXES), (p, s) -> new String[] {p, s});
    }

    /** Any characters but {@code /} and line breaks, often the awkward ones; never empty. */
    private static Gen<String> userInfo() {
        Gen<String> printable = strings().betweenCodePoints(0x20, 0x7e).ofLengthBetween(1, 24);
        Gen<String> awkward = strings().betweenCodePoints(0, 0x7e).ofLengthBetween(1, 16)
                .mix(strings().allPossible().ofLengthBetween(1, 8), 30);
        Gen<String> atSigns = printable.zip(printable, (a, b) -> a + "@" + b);
        return printable.mix(awkward, 40).mix(atSigns, 30).mix(Generate.pick(HARD_USER_INFO), 20)
                .map(s -> s.replace("/", "").replace("\n", "").replace("\r", ""))
                .map(s -> s.isEmpty() ? "x" : s);
    }

    /** A host (with an optional port) and a non-empty path, which may hold {@code @}. */
    private static Gen<String> hostAndPath() {
        Gen<String> host = strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 10)
                .zip(integers().between(0, 70000), (h, port) -> port > 65535 ? h + ".example" : h + ":" + port);
        Gen<String> segment = Generate.pick(List.of("a", "memory.git", "x@y", "@", "~me", "a-b_c", "v%20", "..", ""));
        Gen<String> path = segment.zip(segment, segment, (a, b, c) -> "/" + a + "/" + b + c);
        return host.zip(path, (h, p) -> h + p);
    }
}
