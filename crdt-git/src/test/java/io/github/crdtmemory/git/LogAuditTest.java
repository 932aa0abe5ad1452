/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other class of this module (see {@code junit-platform.properties}) and searches
 * the whole suite's log for the secret the credential tests use. The log is at debug level, so every
 * git command line is in it.
 */
@Order(Integer.MAX_VALUE)
final class LogAuditTest {
    @Test
    void noSecretInAnyLogLineOfTheSuite() throws IOException {
        Path log = Path.of("target/crdt-git-test.log");
        assertThat(log).exists();
        String all = Files.readString(log);
        assertThat(all).contains("git ").doesNotContain(GitFixtures.SECRET);
        try (var children = Files.list(Path.of("target"))) {
            for (Path p : (Iterable<Path>) children::iterator) {
                if (p.getFileName().toString().startsWith("child-") && p.toString().endsWith(".log")) {
                    assertThat(Files.readString(p)).as(p.toString()).doesNotContain(GitFixtures.SECRET);
                }
            }
        }
    }
}
