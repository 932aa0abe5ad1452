/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.live.MemoryTools;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.DirectoryStore;
import io.github.crdtmemory.store.MemoryStore;
import io.github.crdtmemory.testkit.Jvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SyncEngine#edit}: two OS processes, each making 100 concurrent tool calls on one memory file
 * and state directory, lose none of the 200 writes, also with a third process syncing back to back (as
 * cron would) meanwhile; edits by a tool that does not take the lock are stamped, not overwritten; a
 * retried edit keeps its change even when the checkpoint is rolled back under it.
 */
final class EditProcessesTest {
    @TempDir
    Path tmp;

    @Test
    void twoProcessesOfOneHundredConcurrentCallsKeepAllTwoHundred() throws Exception {
        Path memory = tmp.resolve("memory.jsonl");
        Path state = tmp.resolve("state");
        Path log = tmp.resolve("workers.log");
        try (Jvm a = worker(log, "edit-calls", memory.toString(), state.toString(), "server", "a", "100", "8");
             Jvm b = worker(log, "edit-calls", memory.toString(), state.toString(), "server", "b", "100", "8")) {
            a.awaitLine("done", 120);
            b.awaitLine("done", 120);
            assertThat(a.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(b.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(a.process.exitValue()).as(Files.readString(log)).isZero();
            assertThat(b.process.exitValue()).as(Files.readString(log)).isZero();
        }
        MemoryGraph g = Host.read(memory);
        assertThat(g.entities()).hasSize(200);
        for (String tag : List.of("a", "b")) {
            for (int i = 0; i < 100; i++) {
                assertThat(g.entity(tag + "-" + i)).as(tag + "-" + i).isPresent();
            }
        }
        try (MemoryStore store = MemoryStore.create("edit-processes")) {
            SyncEngine engine = SyncEngine.create(SyncSettings.of(memory, state, ReplicaId.of("server")), store);
            SyncReport report = engine.sync();
            assertThat(report.added()).as("everything was stamped by the edits already").isEmpty();
            assertThat(store.read().get(ReplicaId.of("server")).orElseThrow().state().view().entities()).hasSize(200);
        }
    }

    @Test
    void editsOfTwoProcessesAndACronSyncLoopOnTheSameFileAndStateLoseNothing() throws Exception {
        // the deployment of docs/mcp-server.md: two servers edit while memory-backup syncs from cron
        Path memory = tmp.resolve("memory.jsonl");
        Path state = tmp.resolve("state");
        Path storeDir = tmp.resolve("store");
        Path stop = tmp.resolve("stop");
        Path log = tmp.resolve("workers.log");
        try (Jvm sync = worker(log, "sync-loop", storeDir.toString(), memory.toString(), state.toString(),
                "server", stop.toString())) {
            sync.awaitLine("ready", 60);
            try (Jvm a = worker(log, "edit-calls", memory.toString(), state.toString(), "server", "a", "100", "8");
                 Jvm b = worker(log, "edit-calls", memory.toString(), state.toString(), "server", "b", "100", "8")) {
                a.awaitLine("done", 120);
                b.awaitLine("done", 120);
                assertThat(a.await(30)).as(Files.readString(log)).isZero();
                assertThat(b.await(30)).as(Files.readString(log)).isZero();
            }
            Files.createFile(stop);
            sync.awaitLine("done", 120);
            assertThat(sync.await(30)).as(Files.readString(log)).isZero();
            assertThat(sync.lines).as("the loop synced while the edits ran")
                    .anySatisfy(l -> assertThat(l).startsWith("synced ").isNotEqualTo("synced 0"));
        }
        MemoryGraph g = Host.read(memory);
        for (String tag : List.of("a", "b")) {
            for (int i = 0; i < 100; i++) {
                assertThat(g.entity(tag + "-" + i)).as(tag + "-" + i).isPresent();
            }
        }
        assertThat(g.entities()).hasSize(200);
        try (DirectoryStore store = DirectoryStore.open(storeDir, Duration.ofSeconds(30))) {
            SyncEngine.create(SyncSettings.of(memory, state, ReplicaId.of("server")), store).sync();
            assertThat(store.read().get(ReplicaId.of("server")).orElseThrow().state().view()).isEqualTo(g);
        }
    }

    @Test
    void editsMadeByAnotherToolInBetweenAreKept() throws Exception {
        Path memory = tmp.resolve("memory.jsonl");
        try (MemoryStore store = MemoryStore.create("edit-external")) {
            SyncEngine engine = SyncEngine.create(SyncSettings.of(memory, tmp.resolve("state"), ReplicaId.of("s"))
                    .withLockTimeout(Duration.ofSeconds(10)), store);
            engine.edit(g -> MemoryTools.createEntities(g, List.of(Entity.of("Ada", "person"))).graph());
            Host.write(memory, Host.withObservation(Host.read(memory), "Bob", "person", "written by the npm server"));
            MemoryGraph after = engine.edit(g -> MemoryTools.deleteEntities(g, List.of("Ada")).graph());
            assertThat(after.entity("Ada")).isEmpty();
            assertThat(after.entity("Bob")).isPresent();
            assertThat(Host.read(memory)).isEqualTo(after);
        }
    }

    @Test
    void aWriterSlippingInWhileTheChangeRunsIsMergedAndTheChangeRunsOnce() throws Exception {
        Path memory = tmp.resolve("memory.jsonl");
        AtomicInteger runs = new AtomicInteger();
        List<List<Entity>> created = new ArrayList<>();
        try (MemoryStore store = MemoryStore.create("edit-slip")) {
            SyncEngine engine = SyncEngine.create(SyncSettings.of(memory, tmp.resolve("state"), ReplicaId.of("s")),
                    store);
            MemoryGraph after = engine.edit(g -> {
                if (runs.incrementAndGet() == 1) { // the npm server writes after our read, before our write
                    Host.write(memory, Host.withObservation(MemoryGraph.empty(), "Bob", "person", "npm"));
                }
                MemoryTools.Outcome<List<Entity>> o = MemoryTools.createEntities(g, List.of(Entity.of("Ada", "person")));
                created.add(o.result());
                return o.graph();
            });
            assertThat(runs).as("the change ran once, so its result is the first run's").hasValue(1);
            assertThat(created).containsExactly(List.of(Entity.of("Ada", "person")));
            assertThat(after.entity("Ada")).isPresent();
            assertThat(after.entity("Bob")).as("the slipped-in write is merged, not overwritten").isPresent();
            assertThat(Host.read(memory)).isEqualTo(after);
        }
    }

    @Test
    void aRetriedChangeIsKeptEvenIfTheCheckpointIsRolledBackUnderIt() throws Exception {
        // what a second holder of the lock could do (a lock file deleted while held, say): put back an
        // older checkpoint between the first attempt's save and the retry's load; the retry must not
        // take the change from the checkpoint
        Path memory = tmp.resolve("memory.jsonl");
        Path state = tmp.resolve("state");
        try (MemoryStore store = MemoryStore.create("edit-rollback")) {
            SyncEngine engine = SyncEngine.create(SyncSettings.of(memory, state, ReplicaId.of("s")), store);
            engine.edit(g -> MemoryTools.createEntities(g, List.of(Entity.of("seed", "thing"))).graph());
            Path checkpoint = state.resolve(StateDirectory.CHECKPOINT_FILE);
            byte[] old = Files.readAllBytes(checkpoint);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger rollbacks = new AtomicInteger();
            Thread restorer = new Thread(() -> {
                Path temp = state.resolve("checkpoint.rollback");
                while (!stop.get()) {
                    try {
                        if (!Arrays.equals(Files.readAllBytes(checkpoint), old)) {
                            Files.write(temp, old);
                            Files.move(temp, checkpoint, StandardCopyOption.ATOMIC_MOVE);
                            rollbacks.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // the checkpoint is between renames: look again
                    }
                }
            });
            restorer.start();
            try {
                for (int i = 0; i < 30; i++) {
                    String foreign = "foreign-" + i;
                    String mine = "mine-" + i;
                    MemoryGraph after = engine.edit(g -> {
                        // a writer that does not take the lock slips in, so the write is retried
                        Host.write(memory, Host.withObservation(Host.read(memory), foreign, "thing", "npm"));
                        return MemoryTools.createEntities(g, List.of(Entity.of(mine, "thing"))).graph();
                    });
                    assertThat(after.entity(mine)).as(mine + " in the result").isPresent();
                    assertThat(after.entity(foreign)).as(foreign).isPresent();
                    assertThat(Host.read(memory)).isEqualTo(after);
                }
            } finally {
                stop.set(true);
                restorer.join(10_000);
            }
            assertThat(rollbacks).as("the checkpoint was rolled back during the edits").hasPositiveValue();
            MemoryGraph g = Host.read(memory);
            for (int i = 0; i < 30; i++) {
                assertThat(g.entity("mine-" + i)).as("mine-" + i).isPresent();
            }
        }
    }

    /** A child JVM running {@link SyncWorker}. */
    private static Jvm worker(Path log, String... args) throws IOException {
        return Jvm.start(SyncWorker.class, log, args);
    }
}
