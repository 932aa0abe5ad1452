/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static io.github.crdtmemory.git.GitFixtures.bareRemote;
import static io.github.crdtmemory.git.GitFixtures.git;
import static io.github.crdtmemory.git.GitFixtures.gitWithInput;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.store.Revision;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unified view's layout on {@code main}: layout 2 written by change, layout 1 still read. */
final class GitMainLayoutTest {
    private static final ReplicaId A = ReplicaId.of("alice");

    @TempDir
    Path tmp;

    private static MemoryState graph(Clock clock, int entities, String extra) {
        List<Entity> list = new ArrayList<>();
        List<Relation> relations = new ArrayList<>();
        for (int i = 0; i < entities; i++) {
            list.add(i == 3 && extra != null ? Entity.of("e3", "t", "o3", extra) : Entity.of("e" + i, "t", "o" + i));
            relations.add(new Relation("e" + i, "e" + ((i + 1) % entities), "next"));
        }
        return MemoryState.fromGraph(MemoryGraph.of(list, relations), clock);
    }

    @Test
    void anEditRewritesOneViewFileAndTheFilesJoinedAreTheView() {
        Path remote = bareRemote(tmp.resolve("remote.git"));
        Clock clock = Clock.hybrid(A, () -> 1_000L, Timestamp.ZERO);
        try (GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("c")))) {
            MemoryState before = graph(clock, 200, null);
            Revision r1 = store.publish(A, before, Revision.NONE);
            MemoryState after = before.join(graph(clock, 200, "edited"));
            store.publish(A, after, r1);

            List<String> changed = Arrays.asList(git(remote, "diff-tree", "-r", "--name-only", "main~1", "main")
                    .strip().split("\n"));
            assertThat(changed).as("one view file and the manifest").containsExactlyInAnyOrder("manifest.json",
                    "memory/" + StateTree.shardName(StateTree.shardOfName("e3")) + ".jsonl");
            assertThat(git(remote, "ls-tree", "--name-only", "main").strip().split("\n"))
                    .containsExactly("manifest.json", "memory");

            GitStore.Unified u = store.readUnified().orElseThrow();
            assertThat(u.layout()).isEqualTo(2);
            assertThat(u.holds(after.view())).isTrue();
            assertThat(u.holds(before.view())).isFalse();
            assertThat(MemoryFileCodec.parse(u.memory(), "main").graph().canonical())
                    .as("cat memory/*.jsonl is an MCP memory file of the view, relations across files included")
                    .isEqualTo(after.view().canonical());
            assertThat(new String(u.manifest(), StandardCharsets.UTF_8))
                    .contains("\"memorySha256\" : \"" + PrivateFiles.sha256(u.memory()) + "\"")
                    .as("the state's checksum is its format 2 tree's id")
                    .contains("\"stateTree\" : \"" + git(remote, "rev-parse", "replicas/alice^{tree}").strip() + "\"")
                    .contains("\"stateTree\" : \"" + GitStore.stateTree(A, after) + "\"");
        }
    }

    @Test
    void aMainOfTheFormerLayoutIsReadAndReplacedAtTheNextPublication() {
        Path remote = bareRemote(tmp.resolve("remote.git"));
        Clock clock = Clock.hybrid(A, () -> 1_000L, Timestamp.ZERO);
        MemoryState state = graph(clock, 20, null);
        Revision r1;
        try (GitStore noView = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("n"))
                .withUnifiedView(false))) {
            r1 = noView.publish(A, state, Revision.NONE);
        }
        byte[] memory = MemoryFileCodec.write(state.view(), true); // main as the previous version wrote it
        String manifest = "{\n  \"format\" : \"crdt-memory-manifest\",\n  \"version\" : 1,\n  \"memorySha256\" : \""
                + PrivateFiles.sha256(memory) + "\",\n  \"replicas\" : [ { \"replica\" : \"alice\", \"commit\" : \""
                + r1.token() + "\" } ]\n}\n";
        String memoryBlob = gitWithInput(remote, memory, "hash-object", "-w", "--stdin");
        String manifestBlob = gitWithInput(remote, manifest.getBytes(StandardCharsets.UTF_8), "hash-object", "-w",
                "--stdin");
        String tree = gitWithInput(remote, ("100644 blob " + manifestBlob + "\tmanifest.json\n100644 blob "
                + memoryBlob + "\tmemory.jsonl\n").getBytes(StandardCharsets.UTF_8), "mktree");
        String old = gitWithInput(remote, new byte[0], "commit-tree", tree, "-m", "memory.jsonl: 1 replicas");
        git(remote, "update-ref", "refs/heads/main", old);

        try (GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("c")))) {
            GitStore.Unified u = store.readUnified().orElseThrow();
            assertThat(u.layout()).isEqualTo(1);
            assertThat(u.memory()).isEqualTo(memory);
            assertThat(u.holds(state.view())).isTrue();

            MemoryState edited = state.join(graph(clock, 20, "edited"));
            store.publish(A, edited, store.read().revision(A));
            GitStore.Unified now = store.readUnified().orElseThrow();
            assertThat(now.layout()).isEqualTo(2);
            assertThat(now.holds(edited.view())).isTrue();
            assertThat(git(remote, "rev-parse", "main~1").strip()).as("history runs across the change").isEqualTo(old);

            List<GitStore.UnifiedEntry> log = store.unifiedLog(10);
            assertThat(log).hasSize(2);
            assertThat(log.get(1).sha256()).isEqualTo(PrivateFiles.sha256(memory));
            assertThat(log.get(0).counts().entities()).isEqualTo(20);
            assertThat(store.unifiedAt(Revision.of(old)).canonical()).isEqualTo(state.view().canonical());
            assertThat(store.unifiedAt(log.get(0).revision()).canonical()).isEqualTo(edited.view().canonical());
        }
    }
}
