/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static io.github.crdtmemory.git.GitFixtures.bareRemote;
import static io.github.crdtmemory.git.GitFixtures.git;
import static io.github.crdtmemory.git.GitFixtures.gitWithInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.seal.EncryptionException;
import io.github.crdtmemory.seal.Keyring;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.store.Quarantine;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.Snapshot;
import io.github.crdtmemory.sync.Host;
import io.github.crdtmemory.sync.SyncReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end encrypted git stores against real bare remotes: the remote holds no memory text anywhere,
 * tampering with chunks quarantines the replica, a wrong or missing key and a store of the other mode are
 * refused with nothing written, and a key rotation works with two replicas half-way through it.
 */
final class GitEncryptionTest {
    private static final ReplicaId ALICE = ReplicaId.of("alice");
    private static final ReplicaId BOB = ReplicaId.of("bob");

    @TempDir
    Path temp;

    private GitStore store(Path remote, String cache, Keyring keys) {
        return GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve(cache)), keys);
    }

    private static MemoryGraph people(MemoryGraph g, String who, int n) {
        MemoryGraph out = g;
        for (int i = 0; i < n; i++) {
            out = Host.withObservation(out, who + "-person-" + i, "colleague", who + " noted secret fact " + i);
        }
        return out;
    }

    @Test
    void afterAnEncryptedSyncTheRemoteHoldsNoMemoryText() {
        Path remote = bareRemote(temp.resolve("remote.git"));
        Keyring keys = Keyring.generate();
        Host alice = new Host(temp.resolve("a"), "alice", store(remote, "ca", keys));
        Host bob = new Host(temp.resolve("b"), "bob", store(remote, "cb", keys));
        alice.edit(g -> Host.withRelation(Host.withObservation(g, "Ada Lovelace", "mathematician",
                "wrote the first program"), new Relation("Ada Lovelace", "collaboratedWith", "Charles Babbage")));
        assertThat(alice.sync().publication()).isEqualTo(SyncReport.Publication.PUBLISHED);
        bob.edit(g -> Host.withObservation(g, "Grace Hopper", "admiral", "found a moth in the relay"));
        bob.sync();
        alice.sync();
        assertThat(alice.graph()).isEqualTo(bob.graph());
        assertThat(alice.graph().entity("Grace Hopper")).isPresent();

        String objects = git(remote, "cat-file", "--batch-all-objects", "--batch");
        String refs = git(remote, "for-each-ref", "--format=%(refname) %(contents)");
        String log = git(remote, "log", "--all", "--format=%B");
        for (String secret : List.of("Ada", "Lovelace", "wrote the first program", "collaboratedWith", "Babbage",
                "Grace", "Hopper", "moth", "mathematician", "admiral")) {
            assertThat(objects).as("objects").doesNotContain(secret);
            assertThat(refs).as("refs").doesNotContain(secret);
            assertThat(log).as("commit messages").doesNotContain(secret);
        }
        assertThat(refs).contains("refs/heads/replicas/alice", "refs/heads/replicas/bob")
                .doesNotContain("refs/heads/main");
    }

    @Test
    void anUnchangedShardKeepsItsCiphertextAndAnUnchangedStateMakesNoCommit() {
        Path remote = bareRemote(temp.resolve("remote.git"));
        Keyring keys = Keyring.generate();
        Host alice = new Host(temp.resolve("a"), "alice", store(remote, "ca", keys));
        alice.edit(g -> people(g, "alice", 40));
        alice.sync();
        Map<String, String> before = tree(remote, "replicas/alice");
        alice.edit(g -> Host.withObservation(g, "alice-person-7", "colleague", "one more"));
        alice.sync();
        Map<String, String> after = tree(remote, "replicas/alice");
        List<String> changed = new ArrayList<>();
        after.forEach((name, id) -> {
            if (!id.equals(before.get(name))) {
                changed.add(name);
            }
        });
        assertThat(before.size()).isGreaterThan(20);
        assertThat(changed).hasSize(2).contains("seal").anyMatch(n -> n.startsWith("shard-"));
        String tip = git(remote, "rev-parse", "replicas/alice").strip();
        alice.sync();
        assertThat(git(remote, "rev-parse", "replicas/alice").strip()).isEqualTo(tip);
    }

    @Test
    void tamperedChunksQuarantineTheirReplicaAndNameIt() {
        Path remote = bareRemote(temp.resolve("remote.git"));
        Keyring keys = Keyring.generate();
        GitStore alice = store(remote, "ca", keys);
        Host aliceHost = new Host(temp.resolve("a"), "alice", alice);
        Host bobHost = new Host(temp.resolve("b"), "bob", store(remote, "cb", keys));
        aliceHost.edit(g -> people(g, "alice", 40));
        aliceHost.sync();
        String old = git(remote, "rev-parse", "replicas/alice").strip();
        Map<String, String> oldTree = tree(remote, old);
        aliceHost.edit(g -> people(g, "alice", 40).entities().isEmpty() ? g : Host.withObservation(g,
                "alice-person-3", "colleague", "changed"));
        aliceHost.sync();
        bobHost.edit(g -> people(g, "bob", 40));
        bobHost.sync();
        String good = git(remote, "rev-parse", "replicas/alice").strip();
        Map<String, String> aliceTree = tree(remote, good);
        Map<String, String> bobTree = tree(remote, "replicas/bob");
        String changedShard = aliceTree.keySet().stream().filter(n -> n.startsWith("shard-"))
                .filter(n -> !aliceTree.get(n).equals(oldTree.get(n))).findFirst().orElseThrow();
        String common = aliceTree.keySet().stream().filter(n -> n.startsWith("shard-") && bobTree.containsKey(n))
                .findFirst().orElseThrow();
        String other = aliceTree.keySet().stream().filter(n -> n.startsWith("shard-") && !n.equals(common))
                .findFirst().orElseThrow();

        Map<String, Map<String, String>> attacks = new LinkedHashMap<>();
        Map<String, String> flipped = new LinkedHashMap<>(aliceTree);
        flipped.put(common, writeBlob(remote, flipBit(blob(remote, aliceTree.get(common)))));
        attacks.put("a flipped bit", flipped);
        Map<String, String> swapped = new LinkedHashMap<>(aliceTree);
        swapped.put(common, bobTree.get(common));
        attacks.put("bob's chunk at the same position", swapped);
        Map<String, String> moved = new LinkedHashMap<>(aliceTree);
        moved.put(other, aliceTree.get(common));
        attacks.put("alice's chunk at another position", moved);
        Map<String, String> replayed = new LinkedHashMap<>(aliceTree);
        replayed.put(changedShard, oldTree.get(changedShard));
        attacks.put("an older chunk at the same position", replayed);
        Map<String, String> dropped = new LinkedHashMap<>(aliceTree);
        dropped.remove(common);
        attacks.put("a chunk dropped", dropped);

        for (Map.Entry<String, Map<String, String>> attack : attacks.entrySet()) {
            String bad = commit(remote, attack.getValue(), good);
            git(remote, "update-ref", "refs/heads/replicas/alice", bad);
            Snapshot s = store(remote, "fresh-" + attacks.keySet().stream().toList().indexOf(attack.getKey()), keys)
                    .read();
            assertThat(s.replicas()).as(attack.getKey()).containsExactly(BOB);
            assertThat(s.quarantined()).as(attack.getKey()).singleElement().satisfies(q -> {
                assertThat(q.replica()).isEqualTo(ALICE);
                assertThat(q.revision()).isEqualTo(Revision.of(bad));
                assertThat(q.reason()).contains("fails authentication");
            });
            SyncReport r = bobHost.sync();
            assertThat(r.quarantined()).as(attack.getKey()).extracting(Quarantine::replica).containsExactly(ALICE);
        }
        git(remote, "update-ref", "refs/heads/replicas/alice", good);
        assertThat(aliceHost.sync().quarantined()).isEmpty();
        assertThat(aliceHost.graph().entity("bob-person-1")).isPresent();
    }

    @Test
    void theRevisionsOfANoOpSyncCheckTheModeAndTheKeyToo() {
        Path remote = bareRemote(temp.resolve("remote.git"));
        Keyring keys = Keyring.generate();
        Host alice = new Host(temp.resolve("a"), "alice", store(remote, "ca", keys));
        alice.edit(g -> people(g, "alice", 3));
        alice.sync();
        assertThat(store(remote, "cr", keys).revisions()).containsOnlyKeys(ALICE);
        assertThatThrownBy(() -> store(remote, "cw", Keyring.generate()).revisions())
                .isInstanceOf(EncryptionException.class)
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.WRONG_KEY);
        assertThatThrownBy(() -> store(remote, "cn", null).revisions()).isInstanceOf(EncryptionException.class)
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.KEY_REQUIRED);

        Path plain = bareRemote(temp.resolve("plain.git"));
        Host plainAlice = new Host(temp.resolve("pa"), "alice", store(plain, "pa", null));
        plainAlice.edit(g -> people(g, "alice", 3));
        plainAlice.sync();
        assertThat(store(plain, "pr", null).revisions()).containsOnlyKeys(ALICE);
        assertThatThrownBy(() -> store(plain, "pk", keys).revisions()).isInstanceOf(EncryptionException.class)
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.MODE_MISMATCH);
    }

    @Test
    void aWrongOrMissingKeyAndAStoreOfTheOtherModeAreRefusedWithNothingWritten() {
        Path remote = bareRemote(temp.resolve("remote.git"));
        Keyring keys = Keyring.generate();
        Host alice = new Host(temp.resolve("a"), "alice", store(remote, "ca", keys));
        alice.edit(g -> people(g, "alice", 3));
        alice.sync();
        String refs = git(remote, "for-each-ref");

        Host wrong = new Host(temp.resolve("w"), "bob", store(remote, "cw", Keyring.generate()));
        wrong.edit(g -> people(g, "bob", 3));
        assertThatThrownBy(wrong::sync).isInstanceOf(EncryptionException.class)
                .hasMessageContaining("alice").hasMessageContaining("wrong or outdated key file")
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.WRONG_KEY);
        Host none = new Host(temp.resolve("n"), "bob", store(remote, "cn", null));
        none.edit(g -> people(g, "bob", 3));
        assertThatThrownBy(none::sync).isInstanceOf(EncryptionException.class).hasMessageContaining("--key-file")
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.KEY_REQUIRED);
        PublishedState own = store(remote, "cx", keys).read().get(ALICE).orElseThrow();
        assertThatThrownBy(() -> store(remote, "cp", null).publish(ALICE, own.state(), own.revision()))
                .isInstanceOf(EncryptionException.class)
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.MODE_MISMATCH);
        assertThatThrownBy(() -> store(remote, "cq", null).publish(BOB, own.state(), Revision.NONE))
                .as("a first publication, nothing read: plaintext into an encrypted store")
                .isInstanceOf(EncryptionException.class).hasMessageContaining("holds encrypted states");
        assertThat(git(remote, "for-each-ref")).isEqualTo(refs);

        Path plain = bareRemote(temp.resolve("plain.git"));
        Host plainAlice = new Host(temp.resolve("pa"), "alice", store(plain, "pa", null));
        plainAlice.edit(g -> people(g, "alice", 3));
        plainAlice.sync();
        String plainRefs = git(plain, "for-each-ref");
        Host sealedBob = new Host(temp.resolve("pb"), "bob", store(plain, "pb", keys));
        sealedBob.edit(g -> people(g, "bob", 3));
        assertThatThrownBy(sealedBob::sync).isInstanceOf(EncryptionException.class)
                .hasMessageContaining("not an encrypted store")
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.MODE_MISMATCH);
        PublishedState plainOwn = store(plain, "px", null).read().get(ALICE).orElseThrow();
        assertThatThrownBy(() -> store(plain, "py", keys).publish(ALICE, plainOwn.state(), plainOwn.revision()))
                .isInstanceOf(EncryptionException.class).hasMessageContaining("plaintext");
        assertThatThrownBy(() -> store(plain, "pz", keys).publish(BOB, plainOwn.state(), Revision.NONE))
                .as("a first publication, nothing read: encrypted into a plaintext store")
                .isInstanceOf(EncryptionException.class).hasMessageContaining("holds plaintext states");
        assertThat(git(plain, "for-each-ref")).isEqualTo(plainRefs);
    }

    @Test
    void aRotationWithTwoReplicasHalfWay() {
        Path remote = bareRemote(temp.resolve("remote.git"));
        Keyring first = Keyring.generate();
        Host alice = new Host(temp.resolve("a"), "alice", store(remote, "ca", first));
        Host bob = new Host(temp.resolve("b"), "bob", store(remote, "cb", first));
        alice.edit(g -> people(g, "alice", 10));
        alice.sync();
        bob.edit(g -> people(g, "bob", 10));
        bob.sync();

        Keyring second = first.rotate(); // the new key file: the new key seals, the old one still opens
        Host aliceRotated = new Host(alice.memoryFile, alice.stateDir, "alice", store(remote, "ca2", second));
        aliceRotated.edit(g -> Host.withObservation(g, "alice-person-1", "colleague", "after the rotation"));
        aliceRotated.sync();
        assertThat(keyIds(remote, "replicas/alice")).containsExactly(second.currentKeyId());
        assertThat(keyIds(remote, "replicas/bob")).containsExactly(first.currentKeyId());

        // bob has not got the new key file yet: alice is quarantined, named, and bob still syncs
        bob.edit(g -> Host.withObservation(g, "bob-person-1", "colleague", "bob meanwhile"));
        SyncReport r = bob.sync();
        assertThat(r.publication()).isEqualTo(SyncReport.Publication.PUBLISHED);
        assertThat(r.quarantined()).singleElement().satisfies(q -> {
            assertThat(q.replica()).isEqualTo(ALICE);
            assertThat(q.reason()).contains("key this key file does not hold").contains(second.currentKeyId());
        });
        // with the new key file, bob reads both and its next publication reseals all under the new key
        Host bobRotated = new Host(bob.memoryFile, bob.stateDir, "bob", store(remote, "cb2", second));
        assertThat(bobRotated.sync().quarantined()).isEmpty();
        assertThat(keyIds(remote, "replicas/bob")).containsExactly(second.currentKeyId());
        Keyring onlyNew = Keyring.generate().sealingWith(second).rotate(); // unrelated old keys are harmless
        Host aliceDone = new Host(alice.memoryFile, alice.stateDir, "alice", store(remote, "ca3", onlyNew));
        assertThat(aliceDone.sync().quarantined()).isEmpty();
        assertThat(aliceDone.graph().entity("bob-person-1").orElseThrow().observations()).contains("bob meanwhile");
        assertThat(bobRotated.graph().entity("alice-person-1").orElseThrow().observations())
                .contains("after the rotation");
    }

    private static java.util.Set<String> keyIds(Path remote, String rev) {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        tree(remote, rev).forEach((name, id) -> {
            if (!name.equals("format")) {
                ids.add(Keyring.keyIdOf(blob(remote, id)));
            }
        });
        return ids;
    }

    /** The file entries of a tree, name to blob id. */
    private static Map<String, String> tree(Path remote, String rev) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : git(remote, "ls-tree", rev).split("\n")) {
            String[] parts = line.split("\\s+");
            if (parts.length == 4) {
                out.put(parts[3], parts[2]);
            }
        }
        return out;
    }

    private static String commit(Path remote, Map<String, String> files, String parent) {
        StringBuilder entries = new StringBuilder();
        new java.util.TreeMap<>(files).forEach((name, id) -> entries.append("100644 blob ").append(id).append('\t')
                .append(name).append('\n'));
        String tree = gitWithInput(remote, entries.toString().getBytes(StandardCharsets.UTF_8), "mktree");
        return gitWithInput(remote, new byte[0], "commit-tree", tree, "-p", parent, "-m", "replica alice");
    }

    private static String writeBlob(Path remote, byte[] content) {
        return gitWithInput(remote, content, "hash-object", "-w", "--stdin");
    }

    private static byte[] flipBit(byte[] bytes) {
        byte[] out = bytes.clone();
        out[out.length / 2] ^= 0x10;
        return out;
    }

    private static byte[] blob(Path remote, String id) {
        ProcessBuilder pb = new ProcessBuilder("git", "cat-file", "blob", id).directory(remote.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("git cat-file blob " + id + " failed");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
