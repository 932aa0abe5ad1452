/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.DirectoryStore;
import io.github.crdtmemory.store.LockTimeoutException;
import io.github.crdtmemory.testkit.Jvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real OS processes syncing against one directory store: concurrency, crashes, lock timeouts. */
final class SyncProcessesTest {
    private static final int ROUNDS = 8;

    @TempDir
    Path temp;

    /**
     * Four JVMs at once: two with their own replicas, two sharing one replica id, memory file and state
     * directory. Every edit survives, no file is corrupt, and everyone converges.
     */
    @Test
    void fourProcessesConvergeWithoutLosingAnEdit() throws Exception {
        Path store = temp.resolve("store");
        Path log = temp.resolve("children.log");
        List<String[]> roles = List.of(
                new String[] {"p1", "p1", "p1"},
                new String[] {"p2", "p2", "p2"},
                new String[] {"twin", "twin", "twin-a"},
                new String[] {"twin", "twin", "twin-b"});
        List<Jvm> children = new ArrayList<>();
        try {
            for (String[] role : roles) {
                children.add(worker(log, "edit-sync", store.toString(),
                        temp.resolve(role[1] + "/memory.jsonl").toString(), temp.resolve(role[1] + "/state").toString(),
                        role[0], role[2], Integer.toString(ROUNDS)));
            }
            for (Jvm child : children) {
                assertThat(child.await(240)).as("exit code; see %s; output %s", log, child.lines).isZero();
                assertThat(child.lines).contains("synced " + (ROUNDS - 1));
            }
        } finally {
            for (Jvm child : children) {
                child.close();
            }
        }
        Set<String> expected = new HashSet<>();
        for (String[] role : roles) {
            for (int i = 0; i < ROUNDS; i++) {
                expected.add(role[2] + "-" + i);
            }
        }
        try (DirectoryStore s = DirectoryStore.open(store, Duration.ofSeconds(30))) {
            List<Host> hosts = List.of(new Host(temp, "p1", s), new Host(temp, "p2", s), new Host(temp, "twin", s));
            for (int round = 0; round < 2; round++) {
                for (Host h : hosts) {
                    h.sync();
                }
            }
            for (Host h : hosts) {
                MemoryGraph g = h.graph();
                assertThat(g).isEqualTo(hosts.get(0).graph());
                assertThat(g.entity("shared").orElseThrow().observations()).containsExactlyInAnyOrderElementsOf(expected);
                Set<String> names = new HashSet<>();
                g.entities().forEach(e -> names.add(e.name()));
                assertThat(names).containsAll(expected);
            }
            assertThat(s.read().size()).isEqualTo(3);
            assertThat(s.read().joined().view().entity("shared").orElseThrow().observations()).hasSize(expected.size());
        }
    }

    /** A second process waits for the held state-directory lock, then fails with the typed timeout. */
    @Test
    void aHeldLockTimesOutAcrossProcesses() throws Exception {
        Path state = temp.resolve("a/state");
        Files.createDirectories(state);
        try (Jvm holder = worker(temp.resolve("holder.log"), "hold-lock", state.toString(), "20000");
             DirectoryStore store = DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(5))) {
            holder.awaitLine("locked", 60);
            SyncEngine engine = SyncEngine.create(SyncSettings.of(temp.resolve("a/memory.jsonl"), state,
                    ReplicaId.of("alice")).withLockTimeout(Duration.ofSeconds(1)), store);
            long start = System.nanoTime();
            assertThatThrownBy(engine::sync).isInstanceOf(LockTimeoutException.class)
                    .hasMessageContaining("held by another process")
                    .satisfies(e -> assertThat(((LockTimeoutException) e).timeout()).isEqualTo(Duration.ofSeconds(1)));
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(waited).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(6));
            holder.kill();
            Host.write(temp.resolve("a/memory.jsonl"), MemoryGraph.of(List.of(Entity.of("Ada", "person")), List.of()));
            assertThat(engine.sync().publication()).isEqualTo(SyncReport.Publication.PUBLISHED);
        }
    }

    /**
     * Kill -9 a syncing process at random moments, 20 times. After each kill the state directory and
     * the store still read, the next sync succeeds, and every edit that reached the memory file is in
     * the store.
     */
    @Test
    void killNineAtRandomPointsLosesNoPersistedEdit() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path store = temp.resolve("store");
        Path memory = temp.resolve("crash/memory.jsonl");
        Path state = temp.resolve("crash/state");
        Path log = temp.resolve("crash.log");
        ReplicaId replica = ReplicaId.of("crash");
        try (DirectoryStore s = DirectoryStore.open(store, Duration.ofSeconds(30))) {
            Host other = new Host(temp, "other", s);
            Set<String> persisted = new HashSet<>();
            for (int trial = 0; trial < 20; trial++) {
                other.edit(g -> Host.withObservation(g, "shared", "hub", "other " + System.nanoTime()));
                other.sync();
                try (Jvm child = worker(log, "crash-loop", store.toString(), memory.toString(), state.toString(),
                        replica.value(), "t" + trial)) {
                    child.awaitLine("ready", 60);
                    Thread.sleep(random.nextInt(400));
                    child.kill();
                    for (String line : child.lines) {
                        if (line.startsWith("persisted ")) {
                            persisted.add("t" + trial + "-" + line.substring("persisted ".length()));
                        }
                    }
                }
                String context = "trial " + trial + ", seed " + seed;
                new StateDirectory(state, replica).load(); // reads, or is absent if killed before the first save
                s.read();
                Host h = new Host(memory, state, replica.value(), s);
                h.sync();
                assertThat(new StateDirectory(state, replica).load()).as(context).isPresent();
                MemoryGraph stored = s.read().joined().view();
                List<String> kept = stored.entity("shared").map(Entity::observations).orElse(List.of());
                assertThat(kept).as(context).containsAll(persisted);
                assertThat(h.graph().entity("shared").orElseThrow().observations()).as(context).containsAll(persisted);
            }
            assertThat(persisted).as("the children made progress").isNotEmpty();
        }
    }

    /** A child JVM running {@link SyncWorker}. */
    private static Jvm worker(Path log, String... args) throws java.io.IOException {
        return Jvm.start(SyncWorker.class, log, args);
    }
}
