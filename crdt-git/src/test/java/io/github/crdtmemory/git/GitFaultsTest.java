/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static io.github.crdtmemory.git.GitFixtures.SECRET;
import static io.github.crdtmemory.git.GitFixtures.bareRemote;
import static io.github.crdtmemory.git.GitFixtures.git;
import static io.github.crdtmemory.git.GitFixtures.shardBlobs;
import static io.github.crdtmemory.git.GitFixtures.livingProcesses;
import static io.github.crdtmemory.git.GitFixtures.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.store.ConcurrentUpdateException;
import io.github.crdtmemory.store.ForwardingStore;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.Snapshot;
import io.github.crdtmemory.store.StoreAccessException;
import io.github.crdtmemory.store.StoreContract;
import io.github.crdtmemory.store.StoreOptions;
import io.github.crdtmemory.store.StoreRegistry;
import io.github.crdtmemory.sync.Host;
import io.github.crdtmemory.sync.SyncReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failure modes of {@code git-storage.md}, reproduced with real git and real bare repositories. */
final class GitFaultsTest {
    private static final ReplicaId A = ReplicaId.of("alice");

    @TempDir
    Path temp;

    private GitStore store(Path remote, String cache) {
        return GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve(cache)));
    }

    @Test
    void aPushHungInPreReceiveTimesOutAndLeavesNoProcess() {
        Path remote = bareRemote(temp.resolve("hung.git"));
        script(remote.resolve("hooks/pre-receive"), "exec sleep 3001");
        GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve("c"))
                .withNetworkTimeout(Duration.ofSeconds(2)).withUnifiedView(false));
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.publish(A, StoreContract.atom(A, 1, "x"), Revision.NONE))
                .isInstanceOf(GitOperationError.class)
                .satisfies(e -> {
                    GitOperationError t = (GitOperationError) e;
                    assertThat(t.kind()).isEqualTo(GitOperationError.Kind.TIMEOUT);
                    assertThat(t.timeout()).contains(Duration.ofSeconds(2));
                    assertThat(t.command()).contains("push");
                    assertThat(t.exitCode()).isEqualTo(-1);
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2 + 5));
        assertThat(livingProcesses("sleep 3001")).as("no process of the call survives").isEmpty();
        assertThat(git(remote, "for-each-ref")).isEmpty();
    }

    @Test
    void aHungSshTransportTimesOutAndLeavesNoProcess() {
        Path sleeper = script(temp.resolve("bin/fake-ssh"), "exec sleep 3002");
        GitStore store = GitStore.open(GitStoreOptions.of("ssh://git@example.invalid/memory.git", temp.resolve("c"))
                .withNetworkTimeout(Duration.ofSeconds(2)).withSshCommand(sleeper.toString()));
        long start = System.nanoTime();
        assertThatThrownBy(store::read).isInstanceOf(GitOperationError.class)
                .satisfies(e -> assertThat(((GitOperationError) e).kind()).isEqualTo(GitOperationError.Kind.TIMEOUT))
                .satisfies(e -> assertThat(((GitOperationError) e).command()).contains("fetch"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2 + 5));
        assertThat(livingProcesses("sleep 3002")).as("no process of the call survives").isEmpty();
    }

    @Test
    void aPushThatTimedOutAfterTheServerTookItIsReportedAsPublished() {
        Path remote = bareRemote(temp.resolve("slow.git"));
        script(remote.resolve("hooks/post-receive"), "exec sleep 3003");
        GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve("c"))
                .withNetworkTimeout(Duration.ofSeconds(2)).withUnifiedView(false));
        Revision rev = store.publish(A, StoreContract.atom(A, 1, "x"), Revision.NONE);
        assertThat(git(remote, "rev-parse", "refs/heads/replicas/alice").strip()).isEqualTo(rev.token());
        assertThat(livingProcesses("sleep 3003")).isEmpty();
        Files.exists(remote); // the hook is removed so the read below is quick
        try {
            Files.delete(remote.resolve("hooks/post-receive"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(store.read().get(A).orElseThrow().state()).isEqualTo(StoreContract.atom(A, 1, "x"));
    }

    @Test
    void aConcurrentWriterMakesThePushRejectedAndTheSyncRetriesAndPublishes() {
        Path remote = bareRemote(temp.resolve("race.git"));
        GitStore mine = store(remote, "mine");
        GitStore theirs = store(remote, "theirs");
        Revision first = mine.publish(A, StoreContract.atom(A, 1, "one"), Revision.NONE);
        theirs.publish(A, StoreContract.atom(A, 1, "one").join(StoreContract.atom(A, 2, "two")),
                theirs.read().revision(A));
        assertThatThrownBy(() -> mine.publish(A, StoreContract.atom(A, 3, "three"), first))
                .isInstanceOf(ConcurrentUpdateException.class);

        AtomicBoolean interfered = new AtomicBoolean();
        ReplicaStore meddling = new ForwardingStore(mine) {
            @Override
            public Revision publish(ReplicaId replica, MemoryState state, Revision expected) {
                if (interfered.compareAndSet(false, true)) {
                    Snapshot s = theirs.read();
                    theirs.publish(replica, s.get(replica).orElseThrow().state()
                            .join(StoreContract.atom(replica, 4, "from the other host")), s.revision(replica));
                }
                return super.publish(replica, state, expected);
            }
        };
        Host host = new Host(temp, "alice", meddling);
        host.edit(g -> Host.withObservation(g, "Ada", "person", "mine"));
        SyncReport r = host.sync();
        assertThat(r.publishAttempts()).isEqualTo(2);
        assertThat(r.publication()).isEqualTo(SyncReport.Publication.PUBLISHED);
        MemoryState stored = mine.read().get(A).orElseThrow().state();
        assertThat(stored.view().entity("Ada")).isPresent();
        assertThat(stored.atoms().get(new io.github.crdtmemory.memory.AtomKey.ObservationKey("e", "from the other host")))
                .isPresent();
        assertThat(stored.atoms().get(new io.github.crdtmemory.memory.AtomKey.ObservationKey("e", "two"))).isPresent();
    }

    @Test
    void staleLockFilesInTheCloneAreRemovedAndLogged() throws IOException {
        Path remote = bareRemote(temp.resolve("locks.git"));
        GitStore store = store(remote, "c");
        store.publish(A, StoreContract.atom(A, 1, "x"), Revision.NONE);
        Path clone = store.clonePath();
        Path index = clone.resolve("index.lock");
        Path ref = clone.resolve("refs/remotes/origin/replicas/alice.lock");
        Files.writeString(index, "left by a killed git");
        Files.writeString(ref, "left by a killed git");
        assertThat(store.read().size()).isEqualTo(1);
        assertThat(index).doesNotExist();
        assertThat(ref).doesNotExist();
        String log = Files.readString(Path.of("target/crdt-git-test.log"));
        assertThat(log).contains("removing stale git lock " + index).contains("removing stale git lock " + ref);
    }

    @Test
    void aCorruptObjectInTheCloneIsQuarantinedAndRecloned() throws IOException {
        Path remote = bareRemote(temp.resolve("corrupt.git"));
        GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve("c")).withUnifiedView(false));
        MemoryState state = StoreContract.atom(A, 1, "precious");
        Revision rev = store.publish(A, state, Revision.NONE);
        String blob = shardBlobs(store.clonePath(), rev.token()).get(0);
        Path object = store.clonePath().resolve("objects/" + blob.substring(0, 2) + "/" + blob.substring(2));
        assertThat(object).exists();
        object.toFile().setWritable(true);
        Files.write(object, new byte[0]);
        // a later run (this store keeps what it published decoded in memory, so it would not look)
        Snapshot s = GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve("c")).withUnifiedView(false)).read();
        assertThat(s.get(A).orElseThrow().state()).isEqualTo(state);
        assertThat(s.revision(A)).isEqualTo(rev);
        try (Stream<Path> siblings = Files.list(store.clonePath().getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("repo.git.corrupt-"));
        }
        assertThat(Files.readString(Path.of("target/crdt-git-test.log"))).contains("is damaged");
    }

    @Test
    void credentialsNeverReachAMessageOrAString() {
        GitStore https = GitStore.open(GitStoreOptions.of("https://user:" + SECRET + "@127.0.0.1:1/memory.git",
                temp.resolve("c1")).withNetworkTimeout(Duration.ofSeconds(10)));
        assertThat(https.toString()).doesNotContain(SECRET);
        assertThat(https.description()).doesNotContain(SECRET).contains("***@127.0.0.1:1");
        assertThatThrownBy(https::read).isInstanceOf(GitOperationError.class)
                .satisfies(e -> {
                    GitOperationError g = (GitOperationError) e;
                    assertThat(g.kind()).isEqualTo(GitOperationError.Kind.NETWORK);
                    assertThat(g.getMessage()).doesNotContain(SECRET);
                    assertThat(g.toString()).doesNotContain(SECRET);
                    assertThat(g.stderr()).doesNotContain(SECRET);
                    assertThat(String.join(" ", g.command())).doesNotContain(SECRET);
                });
        // a password in an ssh URL would be ssh's host argument: refused before git runs, unprinted
        assertThatThrownBy(() -> GitStoreOptions.of("ssh://user:" + SECRET + "@example.invalid/memory.git",
                temp.resolve("c2"))).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage() + e).doesNotContain(SECRET));
        assertThat(GitStoreOptions.of("https://u:" + SECRET + "@h/x.git", temp).toString()).doesNotContain(SECRET);
        assertThatThrownBy(() -> StoreRegistry.discover().open("git+https://u:" + SECRET + "@127.0.0.1:1/x.git",
                StoreOptions.of(temp.resolve("c3")).withTimeout(Duration.ofSeconds(10))).read())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }

    @Test
    void optionLikeAndExoticRemotesAreRejectedBeforeGitRuns() throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        for (String remote : List.of("--upload-pack=touch PWNED", "-oProxyCommand=touch PWNED", "ext::sh -c touch% PWNED",
                "ssh://-oProxyCommand=touch PWNED/x", "relative/path", "file:///x\nPWNED")) {
            assertThatThrownBy(() -> GitStoreOptions.of(remote, temp.resolve("cache")))
                    .as(remote).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> StoreRegistry.discover().open("--upload-pack=touch PWNED", StoreOptions.of(temp)))
                .isInstanceOf(StoreAccessException.class);
        assertThatThrownBy(() -> StoreRegistry.discover().open("git+ssh://-oProxyCommand=touch%20PWNED/x",
                StoreOptions.of(temp.resolve("cache")))).isInstanceOf(StoreAccessException.class);
        assertThat(cwd.resolve("PWNED")).doesNotExist();
        assertThat(temp.resolve("PWNED")).doesNotExist();
        assertThat(temp.resolve("cache")).doesNotExist();
    }

    @Test
    void aHostileEnvironmentChangesNothing() throws IOException {
        Path remote = bareRemote(temp.resolve("env.git"));
        Path elsewhere = bareRemote(temp.resolve("elsewhere.git"));
        Path hooks = temp.resolve("hostile-hooks");
        script(hooks.resolve("pre-push"), "sleep 3005");
        script(hooks.resolve("reference-transaction"), "sleep 3005");
        Path home = temp.resolve("home");
        Files.createDirectories(home);
        String config = "[core]\n\thooksPath = " + hooks + "\n[commit]\n\tgpgSign = true\n[user]\n\tsigningKey = NOPE\n"
                + "[url \"file:///nonexistent/\"]\n\tinsteadOf = " + remote.getParent() + "/\n"
                + "[gc]\n\tauto = 1\n";
        Files.writeString(home.resolve(".gitconfig"), config);
        Map<String, String> hostile = new HashMap<>(System.getenv());
        hostile.put("HOME", home.toString());
        hostile.put("GIT_DIR", elsewhere.toString());
        hostile.put("GIT_INDEX_FILE", temp.resolve("bogus-index").toString());
        hostile.put("GIT_OBJECT_DIRECTORY", "/nonexistent");
        hostile.put("GIT_TRACE", "1");
        hostile.put("GIT_TRACE_PACKET", "1");
        hostile.put("GIT_CONFIG_GLOBAL", home.resolve(".gitconfig").toString());
        hostile.put("LANG", "de_DE.UTF-8");
        hostile.put("LC_ALL", "de_DE.UTF-8");
        hostile.put("LANGUAGE", "de");
        long start = System.nanoTime();
        GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve("c")), hostile);
        Revision rev = store.publish(A, StoreContract.atom(A, 1, "x"), Revision.NONE);
        assertThat(store.read().get(A).orElseThrow().state()).isEqualTo(StoreContract.atom(A, 1, "x"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(git(remote, "cat-file", "commit", rev.token())).doesNotContain("gpgsig");
        assertThat(git(elsewhere, "for-each-ref")).as("GIT_DIR was ignored").isEmpty();
        assertThat(temp.resolve("bogus-index")).doesNotExist();
        assertThat(livingProcesses("sleep 3005")).isEmpty();
        assertThat(Files.readString(Path.of("target/crdt-git-test.log"))).doesNotContain("trace:").doesNotContain("packet:");
    }

    @Test
    void aMissingGitIsUnavailable() {
        assertThatThrownBy(() -> GitStore.open(GitStoreOptions.of("/x.git", temp).withGit("/nonexistent/git")))
                .isInstanceOf(GitOperationError.class)
                .satisfies(e -> assertThat(((GitOperationError) e).kind()).isEqualTo(GitOperationError.Kind.UNAVAILABLE));
    }

    @Test
    void aMissingRemoteIsUnavailable() {
        GitStore store = store(temp.resolve("no-such.git"), "c");
        assertThatThrownBy(store::read).isInstanceOf(GitOperationError.class)
                .satisfies(e -> assertThat(((GitOperationError) e).kind()).isEqualTo(GitOperationError.Kind.UNAVAILABLE));
    }

    @Test
    void historyIsCompactedPastTheLimitAndTheOldTipArchived() {
        Path remote = bareRemote(temp.resolve("history.git"));
        GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve("c"))
                .withHistoryLimit(3).withUnifiedView(false));
        MemoryState s = MemoryState.empty();
        Revision rev = Revision.NONE;
        Revision beforeCompaction = null;
        for (int i = 0; i < 4; i++) {
            s = s.join(StoreContract.atom(A, i + 1, "v" + i));
            beforeCompaction = rev;
            rev = store.publish(A, s, rev);
        }
        assertThat(git(remote, "rev-list", "--count", "refs/heads/replicas/alice").strip()).isEqualTo("1");
        assertThat(git(remote, "rev-parse", "refs/archive/replicas/alice/" + beforeCompaction.token()).strip())
                .isEqualTo(beforeCompaction.token());
        assertThat(git(remote, "rev-list", "--count", beforeCompaction.token()).strip()).isEqualTo("3");
        assertThat(store.read().get(A).orElseThrow().state()).isEqualTo(s);
        store.publish(A, s.join(StoreContract.atom(A, 9, "after")), rev);
        assertThat(git(remote, "rev-list", "--count", "refs/heads/replicas/alice").strip()).isEqualTo("2");
    }

    @Test
    void mainCarriesTheUnifiedMemoryFileAndAManifest() {
        Path remote = bareRemote(temp.resolve("unified.git"));
        GitStore store = store(remote, "c");
        ReplicaId b = ReplicaId.of("bob");
        MemoryState ada = MemoryState.fromGraph(MemoryGraph.of(List.of(Entity.of("Ada", "person", "x")), List.of()),
                io.github.crdtmemory.core.Clock.manual(A, 10));
        MemoryState bob = MemoryState.fromGraph(MemoryGraph.of(List.of(Entity.of("Bob", "person", "y")), List.of()),
                io.github.crdtmemory.core.Clock.manual(b, 20));
        store.publish(A, ada, Revision.NONE);
        store.publish(b, bob, Revision.NONE);
        assertThat(store.unifiedStatus()).isEqualTo(GitStore.UnifiedStatus.PUBLISHED);
        StringBuilder memory = new StringBuilder();
        for (String file : git(remote, "ls-tree", "--name-only", "main:memory").strip().split("\n")) {
            memory.append(git(remote, "show", "main:memory/" + file));
        }
        assertThat(memory.toString()).as("the files of memory/ joined: the merged view")
                .isEqualTo(new String(MainTree.memoryOf(ada.join(bob).view(), 2), StandardCharsets.UTF_8));
        assertThat(MemoryFileCodec.parse(memory.toString().getBytes(StandardCharsets.UTF_8), "main").graph()
                .canonical()).isEqualTo(ada.join(bob).view().canonical());
        String manifest = git(remote, "show", "main:manifest.json");
        assertThat(manifest).contains("\"replica\" : \"alice\"").contains("\"replica\" : \"bob\"")
                .contains("crdt-memory-manifest");
        store.publish(b, bob, store.read().revision(b));
        assertThat(store.unifiedStatus()).isEqualTo(GitStore.UnifiedStatus.UNCHANGED);
    }

    @Test
    void theRegistryOpensGitUrisAndBareRepositoryPaths() {
        Path remote = bareRemote(temp.resolve("registry.git"));
        StoreRegistry registry = StoreRegistry.discover();
        assertThat(registry.schemes()).contains("git+file", "git+ssh", "git+https");
        try (ReplicaStore byUri = registry.open("git+file://" + remote, StoreOptions.of(temp.resolve("c1")));
             ReplicaStore byPath = registry.open(remote.toString(), StoreOptions.of(temp.resolve("c2")))) {
            assertThat(byUri).isInstanceOf(GitStore.class);
            assertThat(byPath).isInstanceOf(GitStore.class);
            Revision rev = byUri.publish(A, StoreContract.atom(A, 1, "x"), Revision.NONE);
            assertThat(byPath.read().revision(A)).isEqualTo(rev);
        }
    }
}
