/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static io.github.crdtmemory.sync.Host.withObservation;
import static io.github.crdtmemory.sync.Host.withoutEntity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.ProcessFileLock;
import io.github.crdtmemory.memory.AtomKey.EntityKey;
import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.store.ConcurrentUpdateException;
import io.github.crdtmemory.store.CorruptStateException;
import io.github.crdtmemory.store.DirectoryStore;
import io.github.crdtmemory.store.ForwardingStore;
import io.github.crdtmemory.store.LocalStateException;
import io.github.crdtmemory.store.LockTimeoutException;
import io.github.crdtmemory.store.MemoryStore;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SyncEngineTest {
    @TempDir
    Path temp;

    private DirectoryStore store() {
        return DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(30));
    }

    @Test
    void twoReplicasConvergeAndKeepConcurrentObservations() {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            Host b = new Host(temp, "bob", store);
            a.edit(g -> withObservation(g, "Ada", "person", "wrote the first program"));
            b.edit(g -> withObservation(g, "Ada", "person", "met Babbage"));
            SyncReport first = a.sync();
            assertThat(first.added()).containsExactly(new EntityKey("Ada"),
                    new ObservationKey("Ada", "wrote the first program"));
            assertThat(first.publication()).isEqualTo(SyncReport.Publication.PUBLISHED);
            assertThat(first.writeBack()).isEqualTo(SyncReport.WriteBack.UNCHANGED);
            b.sync();
            a.sync();
            assertThat(a.graph()).isEqualTo(b.graph());
            assertThat(a.graph().entity("Ada").orElseThrow().observations())
                    .containsExactlyInAnyOrder("wrote the first program", "met Babbage");
            SyncReport quiet = a.sync();
            assertThat(quiet.added()).isEmpty();
            assertThat(quiet.publication()).isEqualTo(SyncReport.Publication.ALREADY_CURRENT);
            assertThat(quiet.writeBack()).isEqualTo(SyncReport.WriteBack.UNCHANGED);
        }
    }

    @Test
    void deletionsPropagate() {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            Host b = new Host(temp, "bob", store);
            a.edit(g -> withObservation(withObservation(g, "Ada", "person", "x"), "Bob", "person", "y"));
            a.sync();
            b.sync();
            assertThat(b.graph().entity("Bob")).isPresent();
            b.edit(g -> withoutEntity(g, "Bob"));
            SyncReport deleting = b.sync();
            assertThat(deleting.deleted()).contains(new EntityKey("Bob"), new ObservationKey("Bob", "y"));
            SyncReport receiving = a.sync();
            assertThat(receiving.writeBack()).isEqualTo(SyncReport.WriteBack.WRITTEN);
            assertThat(a.graph().entity("Bob")).isEmpty();
            assertThat(a.graph().entity("Ada")).isPresent();
            assertThat(receiving.counts().tombstones()).isEqualTo(2);
        }
    }

    @Test
    void badInputIsTheCodecsErrorAndChangesNothing() throws IOException {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            a.edit(g -> withObservation(g, "Ada", "person", "x"));
            a.sync();
            Files.writeString(a.memoryFile, "{\"type\":\"entity\",\"name\":\"Ada\",\"entityType\":\"person\","
                    + "\"observations\":[]}\n{\"type\":\"entity\",\"name\":}\n");
            Map<String, String> before = tree(temp);
            assertThatThrownBy(a::sync)
                    .isInstanceOf(MemoryFormatException.class)
                    .hasMessageContaining(a.memoryFile.toString())
                    .satisfies(e -> assertThat(((MemoryFormatException) e).line()).isEqualTo(2));
            assertThat(tree(temp)).isEqualTo(before);
        }
    }

    /**
     * The diff-base invariant through the engine: the memory file changes while a sync runs, so the
     * write-back is skipped and the base becomes the file as read. The next run must keep the remote
     * addition the file never saw, and add the local one.
     */
    @Test
    void skippedWriteBackNeverTurnsARemoteAdditionIntoADeletion() {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            Host b = new Host(temp, "bob", store);
            b.edit(g -> withObservation(g, "Carol", "person", "from bob"));
            b.sync();
            a.edit(g -> withObservation(g, "Ada", "person", "from alice"));
            ReplicaStore meddling = new ForwardingStore(store) {
                @Override
                public Snapshot read() {
                    Snapshot s = super.read();
                    a.edit(g -> withObservation(g, "Zed", "thing", "written by the MCP server mid-sync"));
                    return s;
                }
            };
            Host racing = new Host(a.memoryFile, a.stateDir, "alice", meddling);
            SyncReport skipped = racing.sync();
            assertThat(skipped.writeBack()).isEqualTo(SyncReport.WriteBack.SKIPPED_FILE_CHANGED);
            assertThat(a.graph().entity("Carol")).as("not written back").isEmpty();

            SyncReport next = a.sync();
            assertThat(next.deleted()).isEmpty();
            assertThat(next.added()).contains(new EntityKey("Zed"));
            assertThat(a.graph().entities()).extracting(Entity::name).containsExactlyInAnyOrder("Ada", "Carol", "Zed");
            b.sync();
            assertThat(b.graph().entities()).extracting(Entity::name).containsExactlyInAnyOrder("Ada", "Carol", "Zed");
        }
    }

    @Test
    void missingMemoryFileIsCreatedOwnerOnlyOnANewMachineAndRefusedAsAMassDeletionOnceSeen() throws IOException {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            Host b = new Host(temp.resolve("new-machine/deep"), "bob", store); // not even its directory exists
            a.edit(g -> withObservation(g, "Ada", "person", "x"));
            a.sync();
            assertThat(b.engine.status().massDeletion()).isFalse();
            SyncReport created = b.sync();
            assertThat(created.writeBack()).isEqualTo(SyncReport.WriteBack.WRITTEN);
            assertThat(created.deleted()).isEmpty();
            assertThat(created.warnings()).anyMatch(w -> w.contains("did not exist; treated as an empty memory, and"
                    + " created"));
            assertThat(b.graph().entity("Ada")).isPresent();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(b.memoryFile))).isEqualTo("rw-------");

            Files.delete(b.memoryFile); // now the state directory has seen Ada in it: a missing file empties it
            assertThat(b.engine.status().massDeletion()).as("status tells").isTrue();
            byte[] checkpoint = Files.readAllBytes(b.stateDir.resolve(StateDirectory.CHECKPOINT_FILE));
            assertThatThrownBy(b::sync).isInstanceOfSatisfying(MassDeletionException.class,
                    e -> assertThat(e.entitiesDeleted()).isEqualTo(1));
            assertThatThrownBy(b.engine::backup).isInstanceOf(MassDeletionException.class);
            assertThat(b.memoryFile).doesNotExist();
            assertThat(Files.readAllBytes(b.stateDir.resolve(StateDirectory.CHECKPOINT_FILE))).isEqualTo(checkpoint);

            SyncReport restored = b.engine.restore(); // a missing file counts as unchanged for a restore
            assertThat(restored.deleted()).isEmpty();
            assertThat(b.graph().entity("Ada")).isPresent();

            Files.delete(b.memoryFile);
            SyncReport allowed = SyncEngine.create(b.engine.settings().withMassDeletionAllowed(true), store).sync();
            assertThat(allowed.deleted()).contains(new EntityKey("Ada"));
            assertThat(b.graph()).as("created again, empty").isEqualTo(MemoryGraph.empty());
            assertThat(b.memoryFile).exists();
            a.sync();
            assertThat(a.graph().entity("Ada")).as("the deletion propagated").isEmpty();
        }
    }

    @Test
    void stateIsOwnerOnlyAndTheMemoryFileKeepsItsModeAndSymlink() throws IOException {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            Host b = new Host(temp, "bob", store);
            a.edit(g -> withObservation(g, "Ada", "person", "x"));
            a.sync();
            Path real = temp.resolve("elsewhere/real.jsonl");
            Files.createDirectories(real.getParent());
            Host.write(real, MemoryGraph.of(List.of(Entity.of("Bob", "person")), List.of()));
            Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r-----"));
            Files.createDirectories(b.memoryFile.getParent());
            Files.createSymbolicLink(b.memoryFile, real);
            assertThat(b.sync().writeBack()).isEqualTo(SyncReport.WriteBack.WRITTEN);
            assertThat(Files.isSymbolicLink(b.memoryFile)).isTrue();
            assertThat(Host.read(real).entity("Ada")).isPresent();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(real))).isEqualTo("rw-r-----");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(b.stateDir))).isEqualTo("rwx------");
            try (Stream<Path> files = Files.list(b.stateDir)) {
                files.forEach(f -> {
                    try {
                        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                                .as(f.toString()).isEqualTo(Files.isDirectory(f) ? "rwx------" : "rw-------");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
        }
    }

    @Test
    void legacyLayoutsAreMergedButNotRewritten() throws IOException {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            Host b = new Host(temp, "bob", store);
            b.edit(g -> withObservation(g, "Bob", "person", "y"));
            b.sync();
            Files.createDirectories(a.memoryFile.getParent());
            String legacy = "{\"entities\":[{\"name\":\"Ada\",\"entityType\":\"person\",\"observations\":[\"x\"]}],"
                    + "\"relations\":[]}";
            Files.writeString(a.memoryFile, legacy);
            SyncReport r = a.sync();
            assertThat(r.writeBack()).isEqualTo(SyncReport.WriteBack.SKIPPED_LEGACY_FORMAT);
            assertThat(Files.readString(a.memoryFile)).isEqualTo(legacy);
            b.sync();
            assertThat(b.graph().entity("Ada")).isPresent();
        }
    }

    @Test
    void reportHasAStableJsonForm() throws IOException {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            a.edit(g -> withObservation(g, "Ada", "person", "say \"hi\"\n"));
            SyncReport r = a.sync();
            String json = r.toJson();
            assertThat(json).startsWith("{\"format\":\"crdt-memory-sync-report\",\"version\":1,\"replica\":\"alice\","
                    + "\"memoryFile\":");
            List<String> fields = new ArrayList<>();
            try (JsonParser p = new JsonFactory().createParser(json)) {
                assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    fields.add(p.currentName());
                    p.nextToken();
                    p.skipChildren();
                }
            }
            assertThat(fields).containsExactly("format", "version", "replica", "memoryFile", "store", "counts", "added",
                    "changed", "deleted", "replicasRead", "conflicts", "clockAnomalies", "publication",
                    "publishAttempts", "writeBack", "checksums", "timingsMillis", "warnings", "keptCopy", "quarantined");
            assertThat(json).contains("{\"kind\":\"observation\",\"entity\":\"Ada\",\"text\":\"say \\\"hi\\\"\\n\"}")
                    .contains("\"publication\":\"published\"").contains("\"writeBack\":\"unchanged\"")
                    .contains("\"stateAfter\":\"" + r.checksums().stateAfter() + "\"");
            assertThat(r.checksums().stateAfter()).hasSize(64).isNotEqualTo(r.checksums().stateBefore());
            assertThat(r.timings()).containsKeys("lock", "read", "diff", "storeRead", "join", "persist", "publish",
                    "writeBack", "total");
        }
    }

    @Test
    void stampsFarAheadAreMergedAndReportedAsClockAnomalies() {
        try (DirectoryStore store = store()) {
            long hour = Duration.ofHours(1).toMillis();
            Host a = new Host(temp, "alice", store);
            Path bDir = temp.resolve("bob");
            SyncEngine fast = SyncEngine.create(SyncSettings.of(bDir.resolve("memory.jsonl"), bDir.resolve("state"),
                    ReplicaId.of("bob")).withPhysicalClock(() -> System.currentTimeMillis() + hour), store);
            Host.write(bDir.resolve("memory.jsonl"), MemoryGraph.of(List.of(Entity.of("Ada", "robot")), List.of()));
            fast.sync();
            a.edit(g -> withObservation(g, "Ada", "person", "x"));
            SyncReport r = a.sync();
            assertThat(r.clockAnomalies()).singleElement().satisfies(an -> {
                assertThat(an.replica()).isEqualTo(ReplicaId.of("bob"));
                assertThat(an.ahead()).isGreaterThan(Duration.ofMinutes(55));
            });
            // alice's clock now runs past bob's stamps, so her next edit wins over bob's older one
            a.edit(g -> MemoryGraph.of(List.of(new Entity("Ada", "mathematician",
                    g.entity("Ada").orElseThrow().observations())), g.relations()));
            a.sync();
            assertThat(a.graph().entity("Ada").orElseThrow().entityType()).isEqualTo("mathematician");
        }
    }

    @Test
    void concurrentEditsOfOneAtomAreReportedAsConflicts() {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            Host b = new Host(temp, "bob", store);
            a.edit(g -> withObservation(g, "Ada", "person", "x"));
            a.sync();
            b.sync();
            a.edit(g -> MemoryGraph.of(List.of(new Entity("Ada", "mathematician", List.of("x"))), List.of()));
            b.edit(g -> MemoryGraph.of(List.of(new Entity("Ada", "poet", List.of("x"))), List.of()));
            a.sync();
            SyncReport r = b.sync();
            assertThat(r.conflicts()).singleElement().satisfies(c -> {
                assertThat(c.key()).isEqualTo(new EntityKey("Ada"));
                assertThat(c.kept()).isNotEqualTo(c.discarded());
            });
            a.sync();
            assertThat(a.graph()).isEqualTo(b.graph());
        }
    }

    @Test
    void lostPublicationRacesAreRetried() {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            AtomicInteger interference = new AtomicInteger(2);
            ReplicaStore contested = new ForwardingStore(store) {
                @Override
                public Revision publish(ReplicaId replica, MemoryState state, Revision expected) {
                    if (interference.getAndDecrement() > 0) {
                        // another host with the same replica id publishes first
                        Snapshot s = super.read();
                        MemoryState theirs = s.get(replica).map(p -> p.state()).orElse(MemoryState.empty())
                                .join(io.github.crdtmemory.store.StoreContract.atom(replica, interference.get() + 1,
                                        "other host " + interference.get()));
                        super.publish(replica, theirs, s.revision(replica));
                    }
                    return super.publish(replica, state, expected);
                }
            };
            Host racing = new Host(a.memoryFile, a.stateDir, "alice", contested);
            a.edit(g -> withObservation(g, "Ada", "person", "mine"));
            SyncReport r = racing.sync();
            assertThat(r.publishAttempts()).isEqualTo(3);
            MemoryState stored = store.read().joined();
            assertThat(stored.view().entity("Ada")).isPresent();
            assertThat(stored.atoms().get(new ObservationKey("e", "other host 1"))).isPresent();
            assertThat(stored.atoms().get(new ObservationKey("e", "other host 0"))).isPresent();
        }
    }

    @Test
    void exhaustedRetriesThrowAndTheNextSyncPublishes() {
        try (DirectoryStore store = store()) {
            Path mem = temp.resolve("a/memory.jsonl");
            Path state = temp.resolve("a/state");
            ReplicaStore hostile = new ForwardingStore(store) {
                @Override
                public Revision publish(ReplicaId replica, MemoryState s, Revision expected) {
                    throw new ConcurrentUpdateException(description(), replica, expected, null);
                }
            };
            SyncEngine failing = SyncEngine.create(SyncSettings.of(mem, state, ReplicaId.of("alice"))
                    .withPublishAttempts(3), hostile);
            Host.write(mem, MemoryGraph.of(List.of(Entity.of("Ada", "person", "kept")), List.of()));
            assertThatThrownBy(failing::sync).isInstanceOf(ConcurrentUpdateException.class);
            assertThat(store.read().size()).isZero();
            new Host(mem, state, "alice", store).sync();
            assertThat(store.read().joined().view().entity("Ada").orElseThrow().observations()).containsExactly("kept");
        }
    }

    @Test
    void aStateDirectoryBelongsToOneReplica() {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            a.edit(g -> withObservation(g, "Ada", "person", "x"));
            a.sync();
            Host impostor = new Host(a.memoryFile, a.stateDir, "mallory", store);
            assertThatThrownBy(impostor::sync).isInstanceOf(LocalStateException.class)
                    .hasMessageContaining("belongs to replica alice")
                    .satisfies(e -> {
                        LocalStateException local = (LocalStateException) e;
                        assertThat(local.part()).isEqualTo(LocalStateException.Part.STATE);
                        assertThat(local.path()).isEqualTo(a.stateDir);
                        assertThat(local.replica()).contains(ReplicaId.of("mallory"));
                    });
        }
    }

    @Test
    void aDamagedCheckpointIsATypedErrorAndTouchesNothing() throws IOException {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            a.edit(g -> withObservation(g, "Ada", "person", "x"));
            a.sync();
            Path cp = a.stateDir.resolve(StateDirectory.CHECKPOINT_FILE);
            byte[] bytes = Files.readAllBytes(cp);
            bytes[bytes.length - 3] ^= 0x20;
            Files.write(cp, bytes);
            Map<String, String> before = tree(temp);
            assertThatThrownBy(a::sync).isInstanceOf(CorruptStateException.class).hasMessageContaining("checksum");
            assertThat(tree(temp)).isEqualTo(before);
        }
    }

    @Test
    void aHeldLockTimesOutWithTheTypedException() throws Exception {
        try (DirectoryStore store = store()) {
            Path mem = temp.resolve("a/memory.jsonl");
            Path state = temp.resolve("a/state");
            Files.createDirectories(state);
            SyncEngine engine = SyncEngine.create(SyncSettings.of(mem, state, ReplicaId.of("alice"))
                    .withLockTimeout(Duration.ofMillis(300)), store);
            java.util.concurrent.ExecutorService holder = java.util.concurrent.Executors.newSingleThreadExecutor();
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            try {
                holder.submit(() -> {
                    try (ProcessFileLock lock = ProcessFileLock.acquire(state.resolve(StateDirectory.LOCK_FILE),
                            Duration.ofSeconds(5))) {
                        held.countDown();
                        release.await();
                    }
                    return null;
                });
                held.await();
                long start = System.nanoTime();
                assertThatThrownBy(engine::sync).isInstanceOf(LockTimeoutException.class)
                        .hasMessageContaining("sync.lock");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            } finally {
                release.countDown();
                holder.shutdown();
            }
        }
    }

    @Test
    void verificationCatchesABrokenJoin() {
        ReplicaId a = ReplicaId.of("a");
        MemoryState one = io.github.crdtmemory.store.StoreContract.atom(a, 1, "one");
        MemoryState two = io.github.crdtmemory.store.StoreContract.atom(a, 2, "two");
        List<String> names = List.of("one", "two");
        Verifier.verify(names, List.of(one, two), one.join(two));
        assertThatThrownBy(() -> Verifier.verify(names, List.of(one, two), one))
                .isInstanceOf(VerificationException.class).hasMessageContaining("lost").hasMessageContaining("two");
        MemoryState older = io.github.crdtmemory.store.StoreContract.atom(a, 0, "one");
        assertThatThrownBy(() -> Verifier.verify(names, List.of(one, two), older.join(two)))
                .isInstanceOf(VerificationException.class).hasMessageContaining("below");
        MemoryState invented = one.join(two).join(io.github.crdtmemory.store.StoreContract.atom(a, 3, "three"));
        assertThatThrownBy(() -> Verifier.verify(names, List.of(one, two), invented))
                .isInstanceOf(VerificationException.class);
    }

    /** Every file under {@code root}: path, mode and SHA-256 of its content. */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS));
                String content = Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        ? io.github.crdtmemory.internal.PrivateFiles.sha256(Files.readAllBytes(p)) : "dir-or-link";
                out.put(root.relativize(p).toString(), mode + " " + content);
            }
        }
        return out;
    }

    @Test
    void memoryStoreWorksToo() {
        MemoryStore store = MemoryStore.create("t");
        Host a = new Host(temp, "alice", store);
        Host b = new Host(temp, "bob", store);
        a.edit(g -> withObservation(g, "Ada", "person", "x"));
        a.sync();
        b.sync();
        assertThat(b.graph().entity("Ada")).isPresent();
        assertThat(new String(io.github.crdtmemory.memory.MemoryFileCodec.write(b.graph(), false),
                StandardCharsets.UTF_8)).contains("\"name\":\"Ada\"");
    }
}
