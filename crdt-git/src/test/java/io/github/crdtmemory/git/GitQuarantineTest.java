/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static io.github.crdtmemory.git.GitFixtures.bareRemote;
import static io.github.crdtmemory.git.GitFixtures.git;
import static io.github.crdtmemory.git.GitFixtures.gitWithInput;
import static io.github.crdtmemory.git.GitFixtures.shardBlobs;
import static io.github.crdtmemory.git.GitFixtures.stateText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.store.Quarantine;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.Snapshot;
import io.github.crdtmemory.store.StoreContract;
import io.github.crdtmemory.sync.Host;
import io.github.crdtmemory.sync.SyncReport;
import io.github.crdtmemory.testkit.Jvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One bad replica on the remote (a malformed commit, a directory or garbage where the state should be,
 * a huge state) is quarantined: skipped and named, while every other replica is read, merged and
 * published, and the healthy local clone is never moved aside for it.
 */
final class GitQuarantineTest {
    private static final ReplicaId ALICE = ReplicaId.of("alice");
    private static final ReplicaId BOB = ReplicaId.of("bob");
    private static final ReplicaId MALLORY = ReplicaId.of("mallory");

    @TempDir
    Path temp;

    private GitStore store(Path remote, String cache) {
        return GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve(cache)).withUnifiedView(false));
    }

    @Test
    void aMalformedCommitOnOneReplicaRefQuarantinesThatReplicaOnly() {
        Path remote = bareRemote(temp.resolve("remote.git"));
        GitStore alice = store(remote, "alice");
        GitStore bob = store(remote, "bob");
        alice.publish(ALICE, StoreContract.atom(ALICE, 1, "from alice"), Revision.NONE);
        bob.publish(BOB, StoreContract.atom(BOB, 2, "from bob"), Revision.NONE);
        String bad = badDateCommit(remote, "mallory");

        for (int run = 1; run <= 3; run++) {
            Snapshot s = bob.read();
            assertThat(s.replicas()).as("run %d", run).containsExactly(ALICE, BOB);
            assertThat(s.quarantined()).singleElement().satisfies(q -> {
                assertThat(q.replica()).isEqualTo(MALLORY);
                assertThat(q.revision()).isEqualTo(Revision.of(bad));
                assertThat(q.reason()).contains("badDate");
            });
        }
        assertThat(movedAside(bob)).as("the healthy clone is never moved aside").isEmpty();
        Snapshot read = bob.read();
        assertThat(bob.revisions()).as("revisions without reading: the ones read, the quarantined one's too")
                .containsExactly(Map.entry(ALICE, read.revision(ALICE)), Map.entry(BOB, read.revision(BOB)),
                        Map.entry(MALLORY, Revision.of(bad)));
        assertThat(store(remote, "fresh").read().quarantined()).extracting(Quarantine::replica)
                .containsExactly(MALLORY);

        Host host = new Host(temp, "bob", bob);
        host.edit(g -> Host.withObservation(g, "Ada", "person", "bob's"));
        SyncReport r = host.sync();
        assertThat(r.publication()).isEqualTo(SyncReport.Publication.PUBLISHED);
        assertThat(r.quarantined()).extracting(Quarantine::replica).containsExactly(MALLORY);
        assertThat(alice.read().get(BOB).orElseThrow().state().view().entity("Ada")).isPresent();
        assertThat(movedAside(bob)).isEmpty();
    }

    @Test
    void aStateThatIsADirectoryOrDoesNotParseIsQuarantined() {
        Path remote = bareRemote(temp.resolve("remote.git"));
        GitStore alice = store(remote, "alice");
        alice.publish(ALICE, StoreContract.atom(ALICE, 1, "x"), Revision.NONE);
        String inner = hashObject(remote, "blob", "anything".getBytes(StandardCharsets.UTF_8));
        String subtree = mktree(remote, "100644 blob " + inner + "\tfile\n");
        commitOnRef(remote, "dir", mktree(remote, "040000 tree " + subtree + "\tdir.state\n"));
        String garbled = hashObject(remote, "blob", "not a state\n".getBytes(StandardCharsets.UTF_8));
        commitOnRef(remote, "garbled", mktree(remote, "100644 blob " + garbled + "\tgarbled.state\n"));

        Snapshot s = alice.read();

        assertThat(s.replicas()).containsExactly(ALICE);
        assertThat(s.quarantined()).extracting(Quarantine::replica)
                .containsExactly(ReplicaId.of("dir"), ReplicaId.of("garbled"));
        assertThat(s.quarantined().get(0).reason()).contains("is a tree, not a file");
        assertThat(s.quarantined().get(1).reason()).contains("unreadable state").contains("garbled.state");
        assertThat(movedAside(alice)).isEmpty();
    }

    /**
     * A replica that pushes a tree far larger than a state's tree can be (here 4,000 entries, about
     * 150 KB; the attack is millions) is quarantined from its size alone, before its tree is read.
     */
    @Test
    void aHugeTreeIsQuarantinedBeforeItIsRead() {
        Path remote = bareRemote(temp.resolve("remote.git"));
        GitStore alice = store(remote, "alice");
        alice.publish(ALICE, StoreContract.atom(ALICE, 1, "x"), Revision.NONE);
        String blob = hashObject(remote, "blob", "anything".getBytes(StandardCharsets.UTF_8));
        StringBuilder entries = new StringBuilder();
        for (int i = 0; i < 4000; i++) {
            entries.append("100644 blob ").append(blob).append("\tshard-").append(i).append('\n');
        }
        commitOnRef(remote, "wide", mktree(remote, entries.toString()));

        Snapshot s = alice.read();

        assertThat(s.replicas()).containsExactly(ALICE);
        assertThat(s.quarantined()).singleElement().satisfies(q -> {
            assertThat(q.replica()).isEqualTo(ReplicaId.of("wide"));
            assertThat(q.reason()).contains("more than the " + StateReader.MAX_TREE_BYTES);
        });
    }

    @Test
    void aReplicaReplacesItsOwnUnreadableStateByCompareAndSwap() {
        Path remote = bareRemote(temp.resolve("remote.git"));
        ReplicaId carol = ReplicaId.of("carol");
        String garbled = hashObject(remote, "blob", "not a state\n".getBytes(StandardCharsets.UTF_8));
        String commit = commitOnRef(remote, "carol", mktree(remote, "100644 blob " + garbled + "\tcarol.state\n"));
        GitStore store = store(remote, "carol");

        Snapshot s = store.read();
        assertThat(s.revision(carol)).isEqualTo(Revision.of(commit));
        MemoryState good = StoreContract.atom(carol, 3, "repaired");
        store.publish(carol, good, s.revision(carol));

        Snapshot after = store.read();
        assertThat(after.quarantined()).isEmpty();
        assertThat(after.get(carol).orElseThrow().state()).isEqualTo(good);
    }

    @Test
    void onlyTheNewestCopyOfADamagedCloneIsKept() throws Exception {
        Path remote = bareRemote(temp.resolve("remote.git"));
        GitStore store = store(remote, "c");
        Revision rev = Revision.NONE;
        for (int round = 1; round <= 3; round++) {
            MemoryState state = StoreContract.atom(ALICE, round, "round " + round);
            rev = store.publish(ALICE, state, rev);
            String blob = shardBlobs(store.clonePath(), rev.token()).get(0);
            Path object = store.clonePath().resolve("objects/" + blob.substring(0, 2) + "/" + blob.substring(2));
            assertThat(object).exists();
            object.toFile().setWritable(true);
            Files.write(object, new byte[0]);
            // a later run (this store keeps what it published decoded in memory, so it would not look)
            assertThat(store(remote, "c").read().get(ALICE).orElseThrow().state()).isEqualTo(state);
            TimeUnit.MILLISECONDS.sleep(5); // copies are named by the millisecond
        }
        assertThat(movedAside(store)).hasSize(1);
    }

    @Test
    void aDamagedCloneIsClonedAgainNotTakenForBadReplicas() throws IOException {
        Path remote = bareRemote(temp.resolve("remote.git"));
        GitStore store = store(remote, "c");
        MemoryState state = StoreContract.atom(ALICE, 1, "x");
        Revision rev = store.publish(ALICE, state, Revision.NONE);
        store(remote, "bob").publish(BOB, StoreContract.atom(BOB, 2, "y"), Revision.NONE);
        Path commit = store.clonePath().resolve("objects/" + rev.token().substring(0, 2) + "/"
                + rev.token().substring(2));
        assertThat(commit).exists();
        commit.toFile().setWritable(true);
        Files.write(commit, new byte[0]);

        Snapshot s = store.read();

        assertThat(s.quarantined()).isEmpty();
        assertThat(s.replicas()).containsExactly(ALICE, BOB);
        assertThat(s.get(ALICE).orElseThrow().state()).isEqualTo(state);
        assertThat(movedAside(store)).hasSize(1);
    }

    @Test
    void aConnectionDroppedBeforeThePackIsANetworkErrorAndTheCloneStays() throws IOException {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "needs python3 for the dying upload-pack");
        Path remote = bareRemote(temp.resolve("remote.git"));
        GitStore store = store(remote, "c");
        store.publish(ALICE, StoreContract.atom(ALICE, 1, "x"), Revision.NONE);
        GitStore other = store(remote, "other");
        other.publish(BOB, StoreContract.atom(BOB, 2, "y"), Revision.NONE);
        // the server side of the transport dies where the pack should start: git reads a flush instead
        Path wrapper = temp.resolve("bin/dying-upload-pack");
        Files.createDirectories(wrapper.getParent());
        Files.writeString(wrapper, "#!" + python + "\n"
                + "import os, subprocess, sys\n"
                + "p = subprocess.Popen(['git-upload-pack'] + sys.argv[1:], stdout=subprocess.PIPE)\n"
                + "def rd(n):\n"
                + "    out = b''\n"
                + "    while len(out) < n:\n"
                + "        b = p.stdout.read1(n - len(out))\n"
                + "        if not b:\n"
                + "            p.kill(); sys.exit(0)\n"
                + "        out += b\n"
                + "    return out\n"
                + "while True:\n"
                + "    h = rd(4); n = int(h, 16)\n"
                + "    body = rd(n - 4) if n > 4 else b''\n"
                + "    if body.startswith(b'packfile'):\n"
                + "        os.write(1, b'0000'); p.kill(); sys.exit(0)\n"
                + "    os.write(1, h + body)\n");
        wrapper.toFile().setExecutable(true, true);
        git(store.clonePath(), "config", "remote.origin.uploadpack", wrapper.toString());

        assertThatThrownBy(store::read).isInstanceOf(GitOperationError.class)
                .satisfies(e -> assertThat(((GitOperationError) e).kind()).isEqualTo(GitOperationError.Kind.NETWORK));
        assertThat(movedAside(store)).as("a dropped connection is not corruption").isEmpty();
    }

    @Test
    void aHugeStateIsQuarantinedUnreadAndTheOthersSyncInASmallHeap() throws Exception {
        Path remote = bareRemote(temp.resolve("remote.git"));
        store(remote, "alice").publish(ALICE, StoreContract.atom(ALICE, 1, "x"), Revision.NONE);
        long size = 300L << 20;
        git(remote, "config", "core.compression", "1"); // zeros deflate to almost nothing either way: save time
        git(remote, "config", "core.bigFileThreshold", "1m");
        String blob;
        try (InputStream zeros = new ZeroStream(size)) {
            blob = gitWithInput(remote, zeros, "hash-object", "-w", "--stdin");
        }
        commitOnRef(remote, "huge", mktree(remote, "100644 blob " + blob + "\thuge.state\n"));
        assertThat(git(remote, "cat-file", "-s", blob).strip()).isEqualTo(Long.toString(size));

        Path log = temp.resolve("child.log");
        try (Jvm child = Jvm.start(GitSyncWorker.class, log, remote.toString(), temp.resolve("bob-cache").toString(),
                temp.resolve("bob/memory.jsonl").toString(), temp.resolve("bob/state").toString(), "bob", "b", "1")) {
            int code = child.await(120);
            assertThat(code).as("exit code; stderr: %s", Files.readString(log)).isZero();
            assertThat(child.lines).contains("quarantined huge", "done");
        }
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
        assertThat(stateText(remote, "refs/heads/replicas/bob")).as("bob published").contains("b-0");
        assertThat(git(remote, "show", "main:manifest.json")).as("the unified view leaves huge out")
                .contains("\"alice\"").contains("\"bob\"").doesNotContain("huge");
    }

    @Test
    void theStoreUriCanSetTheSizeLimit() {
        Path remote = bareRemote(temp.resolve("remote.git"));
        store(remote, "alice").publish(ALICE, StoreContract.atom(ALICE, 1, "x"), Revision.NONE);
        io.github.crdtmemory.store.StoreRegistry registry = io.github.crdtmemory.store.StoreRegistry.discover();
        try (io.github.crdtmemory.store.ReplicaStore limited = registry.open("git+file://" + remote
                + "#max-state-bytes=10", io.github.crdtmemory.store.StoreOptions.of(temp.resolve("c1")))) {
            assertThat(limited.description()).doesNotContain("#");
            Snapshot s = limited.read();
            assertThat(s.replicas()).isEmpty();
            assertThat(s.quarantined()).singleElement().satisfies(q ->
                    assertThat(q.reason()).contains("over the limit of 10 bytes"));
        }
        try (io.github.crdtmemory.store.ReplicaStore plain = registry.open("git+file://" + remote,
                io.github.crdtmemory.store.StoreOptions.of(temp.resolve("c2")))) {
            assertThat(plain.read().replicas()).containsExactly(ALICE);
        }
        assertThatThrownBy(() -> registry.open("git+file://" + remote + "#colour=blue",
                io.github.crdtmemory.store.StoreOptions.of(temp.resolve("c3"))))
                .isInstanceOf(io.github.crdtmemory.store.StoreAccessException.class)
                .hasMessageContaining("unknown store option");
    }

    /** The sibling directories of the clone that were moved aside as damaged. */
    private static List<String> movedAside(GitStore store) {
        try (Stream<Path> siblings = Files.list(store.clonePath().getParent())) {
            return siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("repo.git.corrupt-"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Puts a commit whose author date is not a number on {@code refs/heads/replicas/<id>}; returns it. */
    private static String badDateCommit(Path remote, String id) {
        String blob = hashObject(remote, "blob", "whatever\n".getBytes(StandardCharsets.UTF_8));
        String tree = mktree(remote, "100644 blob " + blob + "\t" + id + ".state\n");
        String text = "tree " + tree + "\nauthor x <x@example.invalid> notadate +0000\n"
                + "committer x <x@example.invalid> 1700000000 +0000\n\nbad date\n";
        String commit = gitWithInput(remote, new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                "hash-object", "-t", "commit", "-w", "--stdin", "--literally");
        git(remote, "update-ref", "refs/heads/replicas/" + id, commit);
        return commit;
    }

    private static String commitOnRef(Path remote, String id, String tree) {
        String commit = gitWithInput(remote, InputStream.nullInputStream(), "-c", "user.name=t",
                "-c", "user.email=t@example.invalid", "commit-tree", tree, "-m", "crafted");
        git(remote, "update-ref", "refs/heads/replicas/" + id, commit);
        return commit;
    }

    private static String hashObject(Path repo, String type, byte[] content) {
        return gitWithInput(repo, new java.io.ByteArrayInputStream(content), "hash-object", "-t", type, "-w", "--stdin");
    }

    private static String mktree(Path repo, String entries) {
        return gitWithInput(repo, new java.io.ByteArrayInputStream(entries.getBytes(StandardCharsets.UTF_8)), "mktree");
    }

    /** {@code size} zero bytes, produced as read: never held in the heap. */
    private static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
