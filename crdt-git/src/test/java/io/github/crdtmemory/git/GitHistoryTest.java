/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.store.HistoryEntry;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.StoreAccessException;
import io.github.crdtmemory.store.StoreHistory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history the git store keeps: each replica's publications and the versions of main. */
class GitHistoryTest {
    private static final ReplicaId A = ReplicaId.of("alice");

    @TempDir
    Path tmp;

    private static MemoryState state(Clock clock, int entities) {
        List<Entity> list = new ArrayList<>();
        for (int i = 0; i < entities; i++) {
            list.add(Entity.of("e" + i, "t", "o" + i));
        }
        return MemoryState.fromGraph(MemoryGraph.of(list, List.of()), clock);
    }

    @Test
    void everyPublicationIsInTheHistoryNewestFirstAndCanBeReadBack() {
        Path remote = tmp.resolve("remote.git");
        GitStore.createRemote(remote, Duration.ofSeconds(10));
        try (GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("cache")))) {
            StoreHistory history = store.history().orElseThrow();
            assertThat(history.log(A, 10)).isEmpty();
            Clock clock = Clock.hybrid(A, () -> 1_000L, Timestamp.ZERO);
            List<MemoryState> states = List.of(state(clock, 1), state(clock, 2), state(clock, 3));
            Revision rev = Revision.NONE;
            List<Revision> revs = new ArrayList<>();
            for (MemoryState s : states) {
                rev = store.publish(A, s, rev);
                revs.add(rev);
            }

            List<HistoryEntry> log = history.log(A, 10);
            assertThat(log).extracting(HistoryEntry::revision).containsExactly(revs.get(2), revs.get(1), revs.get(0));
            assertThat(log).extracting(e -> e.counts().entities()).containsExactly(3, 2, 1);
            assertThat(log.get(2).sha256()).isEqualTo(PrivateFiles.sha256(StateCodec.encode(states.get(0))));
            assertThat(history.log(A, 2)).hasSize(2);

            assertThat(history.stateAt(A, revs.get(0)).state()).isEqualTo(states.get(0));
            assertThat(history.stateAt(A, Revision.of(revs.get(1).token().substring(0, 10))).revision())
                    .isEqualTo(revs.get(1));
            assertThatThrownBy(() -> history.stateAt(ReplicaId.of("bob"), revs.get(0)))
                    .isInstanceOf(StoreAccessException.class).hasMessageContaining("no state of replica bob");
            assertThatThrownBy(() -> history.stateAt(A, Revision.of("--upload-pack=touch")))
                    .isInstanceOf(StoreAccessException.class).hasMessageContaining("not a commit id");
            assertThatThrownBy(() -> history.stateAt(A, Revision.of("0123456789abcdef")))
                    .isInstanceOf(StoreAccessException.class).hasMessageContaining("no commit");
            assertThat(tmp.resolve("PWNED")).doesNotExist();

            List<GitStore.UnifiedEntry> main = store.unifiedLog(10);
            assertThat(main).isNotEmpty();
            assertThat(main.get(0).counts().entities()).isEqualTo(3);
            assertThat(store.unifiedAt(main.get(main.size() - 1).revision()).entities()).hasSize(1);
        }
    }

    @Test
    void storesWithoutHistorySaySo() {
        try (var memory = io.github.crdtmemory.store.MemoryStore.create("history-test");
             var directory = io.github.crdtmemory.store.DirectoryStore.open(tmp.resolve("dir"), Duration.ofSeconds(5))) {
            assertThat(memory.history()).isEmpty();
            assertThat(directory.history()).isEmpty();
        }
    }
    @Test
    void theLogRunsOnPastCompactionsAndArchivedRevisionsCanBeReadFromAFreshClone() {
        Path remote = tmp.resolve("compacted.git");
        GitStore.createRemote(remote, Duration.ofSeconds(10));
        Clock clock = Clock.hybrid(A, () -> 1_000L, Timestamp.ZERO);
        List<MemoryState> states = new ArrayList<>();
        List<Revision> revs = new ArrayList<>();
        try (GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("cache"))
                .withHistoryLimit(3).withUnifiedView(false))) {
            Revision rev = Revision.NONE;
            for (int i = 1; i <= 8; i++) { // compacted twice: 3 + 3 archived, 2 on the live ref
                MemoryState s = state(clock, i);
                rev = store.publish(A, s, rev);
                states.add(s);
                revs.add(rev);
            }
        }
        // a machine that never saw the archives: its clone fetches them when the log reaches a compaction
        try (GitStore fresh = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("fresh"))
                .withHistoryLimit(3).withUnifiedView(false))) {
            StoreHistory history = fresh.history().orElseThrow();
            List<HistoryEntry> log = history.log(A, 20);
            List<Revision> newestFirst = new ArrayList<>(revs);
            java.util.Collections.reverse(newestFirst);
            assertThat(log).extracting(HistoryEntry::revision).containsExactlyElementsOf(newestFirst);
            assertThat(log).extracting(e -> e.counts().entities()).containsExactly(8, 7, 6, 5, 4, 3, 2, 1);
            assertThat(history.log(A, 4)).extracting(HistoryEntry::revision)
                    .containsExactlyElementsOf(newestFirst.subList(0, 4));
        }
        try (GitStore fresh = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("fresh2"))
                .withHistoryLimit(3).withUnifiedView(false))) {
            assertThat(fresh.history().orElseThrow().stateAt(A, revs.get(0)).state()).isEqualTo(states.get(0));
        }
    }
}
