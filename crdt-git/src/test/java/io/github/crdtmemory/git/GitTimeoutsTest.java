/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static io.github.crdtmemory.git.GitFixtures.livingProcesses;
import static io.github.crdtmemory.git.GitFixtures.script;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.StoreContract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every git command of a store runs under the configured timeouts, never a fixed one. */
final class GitTimeoutsTest {
    private static final ReplicaId A = ReplicaId.of("alice");

    @TempDir
    Path temp;

    /**
     * git wrapped so that building {@code main}'s trees (what the unified view does before publishing
     * {@code main}, with {@code mktree --batch}) hangs: the publication still returns within the configured 1 s (plus the kill
     * grace), with the unified view marked failed, not after a fixed 30 s.
     */
    @Test
    void theUnifiedViewHonoursTheConfiguredTimeout() {
        Path remote = GitFixtures.bareRemote(temp.resolve("remote.git"));
        GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve("c")));
        Revision first = store.publish(A, StoreContract.atom(A, 1, "x"), Revision.NONE);
        assertThat(store.unifiedStatus()).isEqualTo(GitStore.UnifiedStatus.PUBLISHED);
        store.close();

        Path git = script(temp.resolve("bin/git"), "case \"$*\" in *'mktree --batch'*) exec sleep 3041 ;; esac\n"
                + "exec git \"$@\"");
        GitStore slow = GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve("c")).withGit(git.toString())
                .withTimeout(Duration.ofSeconds(1)));
        long start = System.nanoTime();
        slow.publish(A, StoreContract.atom(A, 2, "y"), first);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(slow.unifiedStatus()).isEqualTo(GitStore.UnifiedStatus.FAILED);
        assertThat(took).as("1 s timeout + %s grace, not 30 s", GitProcess.GRACE)
                .isLessThan(Duration.ofSeconds(1).plus(GitProcess.GRACE).plusSeconds(10));
        assertThat(livingProcesses("sleep 3041")).isEmpty();
        slow.close();
    }
}
