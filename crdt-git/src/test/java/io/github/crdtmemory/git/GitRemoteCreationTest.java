/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.store.Revision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GitStore#createRemote} and {@link GitStore#readUnified}. */
class GitRemoteCreationTest {
    @TempDir
    Path tmp;

    @Test
    void createsAPrivateBareRepositoryOnceAndRefusesOtherDirectories() throws Exception {
        Path repo = tmp.resolve("a/b/memory.git");
        assertThat(GitStore.createRemote(repo, Duration.ofSeconds(10))).isTrue();
        assertThat(repo.resolve("HEAD")).content().isEqualTo("ref: refs/heads/main\n");
        assertThat(Files.getPosixFilePermissions(repo)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(GitStore.createRemote(repo, Duration.ofSeconds(10))).isFalse();

        Path busy = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(busy.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> GitStore.createRemote(busy, Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a bare git repository");
        assertThat(busy.resolve("HEAD")).doesNotExist();
        assertThatThrownBy(() -> GitStore.createRemote(Path.of("relative.git"), Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theUnifiedViewIsReadBackAfterAPublication() {
        Path repo = tmp.resolve("remote.git");
        GitStore.createRemote(repo, Duration.ofSeconds(10));
        try (GitStore store = GitStore.open(GitStoreOptions.of(repo.toString(), tmp.resolve("cache")))) {
            assertThat(store.readUnified()).isEmpty();
            Clock clock = Clock.hybrid(ReplicaId.of("a"), () -> 1000L, Timestamp.ZERO);
            MemoryState state = MemoryState.fromGraph(MemoryGraph.of(List.of(Entity.of("Ada", "person", "x")), List.of()),
                    clock);
            store.publish(ReplicaId.of("a"), state, Revision.NONE);
            GitStore.Unified u = store.readUnified().orElseThrow();
            assertThat(new String(u.memory(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"name\":\"Ada\"");
            assertThat(new String(u.manifest(), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("crdt-memory-manifest").contains("\"replica\" : \"a\"");
        }
    }
}
