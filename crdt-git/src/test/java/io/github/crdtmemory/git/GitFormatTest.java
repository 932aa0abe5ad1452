/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static io.github.crdtmemory.git.GitFixtures.bareRemote;
import static io.github.crdtmemory.git.GitFixtures.git;
import static io.github.crdtmemory.git.GitFixtures.gitWithInput;
import static io.github.crdtmemory.git.GitFixtures.shardBlobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.store.HistoryEntry;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.Snapshot;
import io.github.crdtmemory.store.StoreHistory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** State format 2 on the remote: shards, canonical trees, migration from version 1, newer versions refused. */
class GitFormatTest {
    private static final ReplicaId A = ReplicaId.of("alice");
    private static final ReplicaId B = ReplicaId.of("bob");

    @TempDir
    Path tmp;

    private static MemoryState state(Clock clock, int entities, String extra) {
        List<Entity> list = new ArrayList<>();
        for (int i = 0; i < entities; i++) {
            list.add(i == 0 && extra != null ? Entity.of("e0", "t", "o0", extra) : Entity.of("e" + i, "t", "o" + i));
        }
        return MemoryState.fromGraph(MemoryGraph.of(list, List.of()), clock);
    }

    private GitStore store(Path remote, String cache) {
        return GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve(cache)).withUnifiedView(false));
    }

    /** A version 1 commit made by hand, as the code before format 2 wrote it. */
    private static String publishV1(Path remote, ReplicaId id, MemoryState state, String parent) {
        String blob = gitWithInput(remote, StateCodec.encode(state), "hash-object", "-w", "--stdin");
        String tree = gitWithInput(remote, ("100644 blob " + blob + "\t" + id + ".state\n")
                .getBytes(StandardCharsets.UTF_8), "mktree");
        List<String> args = new ArrayList<>(List.of("commit-tree", tree, "-m", "replica " + id));
        if (parent != null) {
            args.add("-p");
            args.add(parent);
        }
        String commit = gitWithInput(remote, new byte[0], args.toArray(String[]::new));
        git(remote, "update-ref", "refs/heads/replicas/" + id, commit);
        return commit;
    }

    private static List<String> treeNames(Path repo, String rev) {
        return Arrays.asList(git(repo, "ls-tree", "--name-only", rev).strip().split("\n"));
    }

    @Test
    void versionOneIsReadThenMigratedAndEveryRevisionReadsBack() {
        Path remote = bareRemote(tmp.resolve("remote.git"));
        Clock clock = Clock.hybrid(A, () -> 1_000L, Timestamp.ZERO);
        List<MemoryState> states = List.of(state(clock, 3, null), state(clock, 5, null), state(clock, 5, "x"),
                state(clock, 5, "y"));
        String v1a = publishV1(remote, A, states.get(0), null);
        String v1b = publishV1(remote, A, states.get(1), v1a);
        try (GitStore store = store(remote, "c")) {
            Snapshot s = store.read();
            assertThat(s.get(A).orElseThrow().state()).isEqualTo(states.get(1));
            Revision r3 = store.publish(A, states.get(2), s.revision(A));
            assertThat(treeNames(remote, r3.token())).contains("format").doesNotContain("alice.state")
                    .allMatch(n -> n.equals("format") || n.matches("shard-[0-9a-f]{2}"));
            assertThat(git(remote, "cat-file", "blob", r3.token() + ":format"))
                    .isEqualTo("{\"format\":\"crdt-memory-replica\",\"version\":2,\"replica\":\"alice\",\"shards\":64}\n");
            Revision r4 = store.publish(A, states.get(3), r3);

            StoreHistory history = store.history().orElseThrow();
            List<HistoryEntry> log = history.log(A, 10);
            assertThat(log).extracting(e -> e.revision().token())
                    .containsExactly(r4.token(), r3.token(), v1b, v1a);
            for (int i = 0; i < 4; i++) {
                MemoryState expected = states.get(3 - i);
                assertThat(log.get(i).sha256()).isEqualTo(PrivateFiles.sha256(StateCodec.encode(expected)));
                assertThat(history.stateAt(A, log.get(i).revision()).state()).isEqualTo(expected);
            }
        }
        try (GitStore fresh = store(remote, "fresh")) { // a reader with nothing cached
            assertThat(fresh.history().orElseThrow().stateAt(A, Revision.of(v1a)).state()).isEqualTo(states.get(0));
            assertThat(fresh.read().get(A).orElseThrow().state()).isEqualTo(states.get(3));
        }
    }

    @Test
    void equalStatesGiveEqualTreesAndAnEditRewritesOneShard() {
        Clock clock = Clock.hybrid(A, () -> 1_000L, Timestamp.ZERO);
        MemoryState big = state(clock, 400, null);
        MemoryState edited = big.join(MemoryState.of(LwwMap.<AtomKey>builder().put(new AtomKey.ObservationKey("e7",
                "one more"), Register.live(new Stamp(2_000L, 0, A), "")).build()));
        Path r1 = bareRemote(tmp.resolve("one.git"));
        Path r2 = bareRemote(tmp.resolve("two.git"));
        Revision a;
        Revision b;
        try (GitStore one = store(r1, "c1"); GitStore two = store(r2, "c2")) {
            a = one.publish(A, big, Revision.NONE);
            b = two.publish(A, big, Revision.NONE);
            assertThat(git(r1, "rev-parse", a.token() + "^{tree}")).isEqualTo(git(r2, "rev-parse", b.token() + "^{tree}"));
            assertThat(shardBlobs(r1, a.token())).hasSizeGreaterThan(32);
            assertThat(one.publish(A, big, a)).as("an equal state is no new commit").isEqualTo(a);

            Revision next = one.publish(A, edited, a);
            Set<String> before = new TreeSet<>(shardBlobs(r1, a.token()));
            List<String> changed = shardBlobs(r1, next.token()).stream().filter(x -> !before.contains(x)).toList();
            assertThat(changed).hasSize(1);
            assertThat(one.read().get(A).orElseThrow().state()).isEqualTo(edited);
        }
    }

    @Test
    void aNewerFormatIsRefusedAndNothingChanges() {
        Path remote = bareRemote(tmp.resolve("remote.git"));
        Clock clock = Clock.hybrid(A, () -> 1_000L, Timestamp.ZERO);
        String format = gitWithInput(remote, "{\"format\":\"crdt-memory-replica\",\"version\":3,\"replica\":\"alice\"}\n"
                .getBytes(StandardCharsets.UTF_8), "hash-object", "-w", "--stdin");
        String tree = gitWithInput(remote, ("100644 blob " + format + "\tformat\n").getBytes(StandardCharsets.UTF_8),
                "mktree");
        String future = gitWithInput(remote, new byte[0], "commit-tree", tree, "-m", "from a newer version");
        git(remote, "update-ref", "refs/heads/replicas/alice", future);
        try (GitStore store = store(remote, "c")) {
            // reading quarantines that one replica (it must not stop everybody else's syncs) ...
            assertThat(store.read().quarantined()).singleElement().satisfies(q -> {
                assertThat(q.replica()).isEqualTo(A);
                assertThat(q.reason()).contains("format version 3").contains("upgrade");
            });
            // ... and publishing over it is refused
            assertThatThrownBy(() -> store.publish(A, state(clock, 2, null), Revision.of(future)))
                    .isInstanceOfSatisfying(GitOperationError.class, e ->
                            assertThat(e.kind()).isEqualTo(GitOperationError.Kind.UNSUPPORTED_FORMAT));
        }
        assertThat(git(remote, "rev-parse", "refs/heads/replicas/alice").strip()).isEqualTo(future);
        assertThat(git(remote, "for-each-ref", "--format=%(refname)").strip()).isEqualTo("refs/heads/replicas/alice");
    }

    @Test
    void aBadShardQuarantinesItsReplicaAndTheSizeLimitHoldsPerShardAndInTotal() {
        Path remote = bareRemote(tmp.resolve("remote.git"));
        Clock clock = Clock.hybrid(A, () -> 1_000L, Timestamp.ZERO);
        MemoryState good = state(clock, 50, null);
        Revision rev;
        try (GitStore store = store(remote, "c")) {
            rev = store.publish(A, good, Revision.NONE);
            store.publish(B, state(Clock.hybrid(B, () -> 1_000L, Timestamp.ZERO), 2, null), Revision.NONE);
        }
        // bob's tree with alice's shards: every atom of alice is in bob's shards, where no atom of bob's is
        List<String> lines = new ArrayList<>(Arrays.asList(git(remote, "ls-tree", rev.token()).strip().split("\n")));
        String garbage = gitWithInput(remote, "not a state\n".getBytes(StandardCharsets.UTF_8), "hash-object", "-w",
                "--stdin");
        lines.set(1, lines.get(1).replaceAll("blob [0-9a-f]{40}", "blob " + garbage));
        String tree = gitWithInput(remote, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8), "mktree");
        String bad = gitWithInput(remote, new byte[0], "commit-tree", tree, "-p", rev.token(), "-m", "garbled");
        git(remote, "update-ref", "refs/heads/replicas/alice", bad);
        try (GitStore store = store(remote, "reader")) {
            Snapshot s = store.read();
            assertThat(s.replicas()).containsExactly(B);
            assertThat(s.quarantined()).singleElement().satisfies(q -> {
                assertThat(q.replica()).isEqualTo(A);
                assertThat(q.reason()).contains("unreadable state").contains("shard-");
            });
        }
        git(remote, "update-ref", "refs/heads/replicas/alice", rev.token());
        List<String> shards = shardBlobs(remote, rev.token());
        long largest = 0;
        long total = 0;
        for (String blob : shards) {
            long size = Long.parseLong(git(remote, "cat-file", "-s", blob).strip());
            largest = Math.max(largest, size);
            total += size;
        }
        try (GitStore perShard = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("small"))
                .withUnifiedView(false).withMaxStateBytes(largest - 1))) {
            assertThat(perShard.read().quarantined()).singleElement().satisfies(q ->
                    assertThat(q.reason()).contains("a shard of its state").contains("over the limit"));
        }
        try (GitStore inTotal = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("total"))
                .withUnifiedView(false).withMaxStateBytes(total - 1))) {
            Snapshot s = inTotal.read();
            assertThat(s.quarantined()).singleElement().satisfies(q ->
                    assertThat(q.reason()).contains("in " + shards.size() + " shards, over the limit"));
            assertThat(s.replicas()).containsExactly(B);
        }
    }

    @Test
    void aPublicationPushesItsRefAndMainInOnePushAndFallsBackWhenMainMoved() throws Exception {
        Path remote = bareRemote(tmp.resolve("remote.git"));
        Path pushes = tmp.resolve("pushes.log");
        GitFixtures.script(remote.resolve("hooks/post-receive"), "{ cat; echo --; } >> '" + pushes + "'");
        Clock ca = Clock.hybrid(A, () -> 1_000L, Timestamp.ZERO);
        Clock cb = Clock.hybrid(B, () -> 1_000L, Timestamp.ZERO);
        try (GitStore alice = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("a")));
             GitStore bob = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("b")))) {
            Revision a1 = alice.publish(A, state(ca, 3, null), alice.read().revision(A));
            Revision a2 = alice.publish(A, state(ca, 4, null), alice.read().revision(A));
            List<String> batches = Arrays.asList(java.nio.file.Files.readString(pushes).split("--\n"));
            assertThat(batches).last().satisfies(b -> assertThat(b)
                    .contains(a2.token() + " refs/heads/replicas/alice").contains(" refs/heads/main"));
            assertThat(alice.unifiedStatus()).isEqualTo(GitStore.UnifiedStatus.PUBLISHED);

            Snapshot stale = alice.read(); // alice's view of main, then bob moves main
            MemoryState bobs = state(cb, 2, null);
            bob.publish(B, bobs, bob.read().revision(B));
            MemoryState a3state = state(ca, 5, null);
            Revision a3 = alice.publish(A, a3state, stale.revision(A));
            String manifest = git(remote, "cat-file", "blob", "main:manifest.json");
            assertThat(manifest).contains(a3.token()).contains("\"bob\"")
                    .contains(GitStore.stateTree(B, bobs))
                    .contains(GitStore.stateTree(A, a3state));
            assertThat(git(remote, "rev-parse", "refs/heads/replicas/alice").strip()).isEqualTo(a3.token());
            assertThat(a1).isNotEqualTo(a3);
        }
    }
}
