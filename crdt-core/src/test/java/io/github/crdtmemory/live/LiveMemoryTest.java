/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.store.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LiveMemoryTest {
    private static final ReplicaId ALICE = ReplicaId.of("alice");

    @TempDir
    Path tmp;

    @Test
    void theToolsBehaveAsTheMcpServersDo() {
        try (LiveMemory m = LiveMemory.open(tmp.resolve("alice.state"), ALICE)) {
            List<Entity> created = m.createEntities(List.of(Entity.of("Alice", "person", "likes tea"),
                    Entity.of("ACME", "organization")));
            assertThat(created).extracting(Entity::name).containsExactly("Alice", "ACME");
            assertThat(m.createEntities(List.of(Entity.of("Alice", "robot"), Entity.of("Bob", "person"))))
                    .extracting(Entity::name).containsExactly("Bob");
            assertThat(m.readGraph().entity("Alice").orElseThrow().entityType()).isEqualTo("person");

            Relation works = new Relation("Alice", "works_at", "ACME");
            assertThat(m.createRelations(List.of(works, works))).containsExactly(works);
            assertThat(m.createRelations(List.of(works))).isEmpty();

            assertThat(m.addObservations(List.of(new Observations("Alice", List.of("likes tea", "speaks French")))))
                    .containsExactly(new Observations("Alice", List.of("speaks French")));
            long before = m.version();
            assertThatThrownBy(() -> m.addObservations(List.of(new Observations("Bob", List.of("x")),
                    new Observations("Ghost", List.of("y")))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("Entity with name Ghost not found");
            assertThat(m.version()).isEqualTo(before);
            assertThat(m.readGraph().entity("Bob").orElseThrow().observations()).isEmpty();

            assertThat(m.searchNodes("FRENCH").entities()).extracting(Entity::name).containsExactly("Alice");
            assertThat(m.searchNodes("french").relations()).containsExactly(works);
            assertThat(m.openNodes(List.of("ACME")).relations()).containsExactly(works);

            m.deleteObservations(List.of(new Observations("Alice", List.of("likes tea")),
                    new Observations("Nobody", List.of("z"))));
            assertThat(m.readGraph().entity("Alice").orElseThrow().observations()).containsExactly("speaks French");
            m.deleteEntities(List.of("ACME", "Nobody"));
            assertThat(m.readGraph().entity("ACME")).isEmpty();
            assertThat(m.readGraph().relations()).isEmpty();
            m.createRelations(List.of(new Relation("Alice", "knows", "Bob")));
            m.deleteRelations(List.of(new Relation("Alice", "knows", "Bob")));
            assertThat(m.readGraph().relations()).isEmpty();
        }
    }

    @Test
    void sixteenThreadsTimesTwoHundredOperationsLoseNothingAndAreDurable() throws Exception {
        Path file = tmp.resolve("alice.state");
        int threads = 16;
        int ops = 200;
        AtomicLong heard = new AtomicLong();
        try (LiveMemory m = LiveMemory.open(file, ALICE)) {
            m.addListener(c -> heard.incrementAndGet());
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                done.add(pool.submit(() -> {
                    start.await();
                    String name = "T" + me;
                    m.createEntities(List.of(Entity.of(name, "thread")));
                    for (int j = 1; j < ops; j++) {
                        if (j % 10 == 0) {
                            m.createRelations(List.of(new Relation(name, "r" + j, "T" + ((me + 1) % threads))));
                        } else if (j % 25 == 1 && j > 1) {
                            m.deleteObservations(List.of(new Observations(name, List.of("o" + (j - 1)))));
                        } else {
                            m.addObservations(List.of(new Observations(name, List.of("o" + j))));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            MemoryGraph g = m.readGraph();
            check(g, threads, ops);
            // every operation is one change, except deleting an observation that was never added (j-1 a relation op)
            long noOps = java.util.stream.IntStream.range(1, ops).filter(j -> j % 25 == 1 && j > 1 && (j - 1) % 10 == 0)
                    .count() * threads;
            assertThat(heard.get()).isEqualTo(m.version()).isEqualTo((long) threads * ops - noOps);
        }
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (LiveMemory reopened = LiveMemory.open(file, ALICE)) {
            check(reopened.readGraph(), threads, ops);
        }
    }

    private static void check(MemoryGraph g, int threads, int ops) {
        assertThat(g.entities()).hasSize(threads);
        for (int t = 0; t < threads; t++) {
            Set<String> expected = new HashSet<>();
            for (int j = 1; j < ops; j++) {
                if (j % 10 != 0 && !(j % 25 == 1 && j > 1)) {
                    expected.add("o" + j);
                }
                if (j % 25 == 1 && j > 1) {
                    expected.remove("o" + (j - 1));
                }
            }
            assertThat(new HashSet<>(g.entity("T" + t).orElseThrow().observations())).as("T%d", t).isEqualTo(expected);
        }
        assertThat(g.relations()).hasSize(threads * ((ops - 1) / 10));
    }

    @Test
    void twoMemoriesConvergeThroughAStoreAndExportTheServersFile() throws Exception {
        try (MemoryStore store = MemoryStore.create("live-test");
             LiveMemory a = LiveMemory.open(tmp.resolve("a.state"), ALICE);
             LiveMemory b = LiveMemory.open(tmp.resolve("b.state"), ReplicaId.of("bob"))) {
            a.createEntities(List.of(Entity.of("Ada", "person", "from alice")));
            a.sync(store);
            b.sync(store);
            b.addObservations(List.of(new Observations("Ada", List.of("from bob"))));
            a.addObservations(List.of(new Observations("Ada", List.of("also from alice"))));
            b.deleteEntities(List.of("Nobody"));
            for (int i = 0; i < 2; i++) {
                a.sync(store);
                b.sync(store);
            }
            assertThat(a.readGraph()).isEqualTo(b.readGraph());
            assertThat(a.readGraph().entity("Ada").orElseThrow().observations())
                    .containsExactlyInAnyOrder("from alice", "from bob", "also from alice");

            Path exported = tmp.resolve("memory.jsonl");
            a.exportTo(exported);
            assertThat(MemoryFileCodec.parse(Files.readAllBytes(exported), "memory.jsonl").graph())
                    .isEqualTo(a.readGraph());
        }
    }

    @Test
    void aScheduledSyncConverges() throws Exception {
        try (MemoryStore store = MemoryStore.create("live-schedule");
             LiveMemory a = LiveMemory.open(tmp.resolve("a.state"), ALICE);
             LiveMemory b = LiveMemory.open(tmp.resolve("b.state"), ReplicaId.of("bob"));
             AutoCloseable sa = a.syncEvery(store, Duration.ofMillis(20));
             AutoCloseable sb = b.syncEvery(store, Duration.ofMillis(20))) {
            a.createEntities(List.of(Entity.of("Ada", "person")));
            b.createEntities(List.of(Entity.of("Bob", "person")));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline
                    && !(a.readGraph().entities().size() == 2 && a.readGraph().equals(b.readGraph()))) {
                Thread.sleep(20);
            }
            assertThat(a.readGraph()).isEqualTo(b.readGraph());
            assertThat(a.readGraph().entities()).extracting(Entity::name).containsExactlyInAnyOrder("Ada", "Bob");
        }
    }
}
