/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A timeout is expressed one way: kind TIMEOUT with its bound, never a subclass or a bare kind. */
class GitOperationErrorTest {
    private static final ReplicaId A = ReplicaId.of("alice");

    @Test
    void aTimeoutCarriesItsKindAndItsBound() {
        GitOperationError e = GitOperationError.timedOut("git:/srv/m.git", A, List.of("fetch", "origin"), "",
                Duration.ofMillis(2100), Duration.ofSeconds(2), Path.of("/tmp"));
        assertThat(e.kind()).isEqualTo(GitOperationError.Kind.TIMEOUT);
        assertThat(e.timeout()).contains(Duration.ofSeconds(2));
        assertThat(e.exitCode()).isEqualTo(-1);
        assertThat(e.getMessage()).startsWith("git:/srv/m.git: timeout: git fetch origin was killed");
    }

    @Test
    void anotherFailureHasNoTimeoutAndTimeoutCannotBeMadeWithoutItsBound() {
        GitOperationError e = new GitOperationError("s", A, GitOperationError.Kind.NETWORK, List.of("fetch"), 128,
                "fatal: connection timed out", Duration.ofSeconds(1), null, null);
        assertThat(e.timeout()).isEmpty();
        assertThat(e.workingDirectory()).isEmpty();
        assertThatThrownBy(() -> new GitOperationError("s", A, GitOperationError.Kind.TIMEOUT, List.of("fetch"), -1,
                "", Duration.ofSeconds(1), null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
