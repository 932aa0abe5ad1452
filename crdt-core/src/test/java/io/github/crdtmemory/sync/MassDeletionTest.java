/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.store.DirectoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A memory file that lost most of its content (emptied, or read while a writer had truncated it) stops
 * the cycle before anything is stamped, published or written; the deletion goes through only when
 * allowed, and a removed file restores the merged memory.
 */
final class MassDeletionTest {
    @TempDir
    Path temp;

    private DirectoryStore store;
    private Host alice;
    private Host bob;

    private static MemoryGraph graph(int entities, int relations) {
        List<Entity> es = new ArrayList<>();
        for (int i = 0; i < entities; i++) {
            es.add(new Entity("e" + i, "thing", List.of("observation " + i)));
        }
        List<Relation> rs = new ArrayList<>();
        for (int i = 0; i < relations; i++) {
            rs.add(new Relation("e" + (i % entities), "rel" + i, "e" + ((i + 1) % entities)));
        }
        return MemoryGraph.of(es, rs);
    }

    private static MemoryGraph withoutEntities(MemoryGraph g, int count) {
        List<Entity> kept = g.entities().subList(count, g.entities().size());
        List<String> names = kept.stream().map(Entity::name).toList();
        return MemoryGraph.of(kept, g.relations().stream()
                .filter(r -> names.contains(r.from()) && names.contains(r.to())).toList());
    }

    @BeforeEach
    void twoReplicasShareTenEntitiesAndFourRelationsThenAlicesFileIsEmptied() throws Exception {
        store = DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(30));
        alice = new Host(temp, "alice", store);
        bob = new Host(temp, "bob", store);
        Host.write(alice.memoryFile, graph(10, 4));
        alice.sync();
        bob.sync();
        Files.write(alice.memoryFile, new byte[0]); // what a reader sees mid-write of a truncating server
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void anEmptiedFileStopsEveryCycleAndNothingIsWrittenOrPublished() throws Exception {
        assertThat(alice.engine.status().massDeletion()).as("status tells before a cycle fails").isTrue();
        assertThat(alice.engine.status().toJson()).endsWith(",\"massDeletion\":true,\"quarantined\":[]}");
        assertThat(bob.engine.status().massDeletion()).isFalse();
        byte[] checkpoint = Files.readAllBytes(alice.stateDir.resolve(StateDirectory.CHECKPOINT_FILE));
        List<Supplier<SyncReport>> cycles = List.of(alice.engine::sync, alice.engine::backup,
                alice.engine::restore);
        for (Supplier<SyncReport> cycle : cycles) {
            assertThatThrownBy(cycle::get).isInstanceOfSatisfying(MassDeletionException.class, e -> {
                assertThat(e.file()).isEqualTo(alice.memoryFile.toString());
                assertThat(e.entitiesDeleted()).isEqualTo(10);
                assertThat(e.entitiesBefore()).isEqualTo(10);
                assertThat(e.observationsDeleted()).isEqualTo(10);
                assertThat(e.observationsBefore()).isEqualTo(10);
                assertThat(e.relationsDropped()).as("they went with their entities").isZero();
                assertThat(e.relationsBefore()).isEqualTo(4);
                assertThat(e.getMessage()).startsWith(alice.memoryFile + ": ").contains("delete 10 of the 10 entities");
            });
        }
        assertThat(Files.size(alice.memoryFile)).as("not written back").isZero();
        assertThat(Files.readAllBytes(alice.stateDir.resolve(StateDirectory.CHECKPOINT_FILE)))
                .as("nothing stamped").isEqualTo(checkpoint);
        bob.sync();
        assertThat(bob.graph()).as("nothing published").isEqualTo(graph(10, 4));
    }

    @Test
    void removingTheFileAndRestoringBringsTheMemoryBack() throws Exception {
        assertThatThrownBy(alice::sync).isInstanceOf(MassDeletionException.class);
        Files.delete(alice.memoryFile);
        alice.engine.restore();
        assertThat(alice.graph()).isEqualTo(graph(10, 4));
    }

    @Test
    void whenAllowedTheDeletionIsStampedAndPropagates() throws Exception {
        SyncEngine allowed = SyncEngine.create(alice.engine.settings().withMassDeletionAllowed(true), store);
        assertThat(allowed.settings().massDeletionAllowed()).isTrue();
        assertThat(allowed.status().massDeletion()).as("not under settings that allow it").isFalse();
        assertThat(allowed.sync().deleted()).hasSize(10 + 4 + 10);
        bob.sync();
        assertThat(bob.graph()).isEqualTo(MemoryGraph.empty());
        assertThat(alice.sync().deleted()).as("the next plain cycle has nothing left to check").isEmpty();
    }

    @Test
    void theCheckTripsOnAtLeastFiveAndMoreThanHalfOfTheEntitiesOrOfTheRelationsBetweenKeptEntities()
            throws Exception {
        record Case(MemoryGraph before, MemoryGraph after, boolean trips) {
        }
        MemoryGraph twelve = graph(12, 0);
        MemoryGraph four = graph(4, 0);
        MemoryGraph threeLinked = graph(3, 8);
        List<Case> cases = List.of(
                new Case(four, MemoryGraph.empty(), true), // 4 deleted, but nothing left: emptied
                new Case(graph(1, 0), MemoryGraph.empty(), true), // emptied, however small
                new Case(four, withoutEntities(four, 2), false), // 4 of 8 atoms: fewer than five
                new Case(four, withoutEntities(four, 3), true), // 6 of 8 atoms
                new Case(graph(5, 0), withoutEntities(graph(5, 0), 3), true), // 6 of 10 atoms
                new Case(twelve, withoutEntities(twelve, 6), false), // 6 of 12: not more than half
                new Case(twelve, withoutEntities(twelve, 7), true), // 7 of 12
                new Case(threeLinked, MemoryGraph.of(threeLinked.entities(), List.of()), true), // 8 of 8 relations cut
                new Case(threeLinked, withoutEntities(threeLinked, 1), false), // a hub and its relations: 1 entity
                new Case(graph(12, 12), withoutEntities(graph(12, 12), 5), false), // 5 of 12, relations went with them
                new Case(twelve, graph(12, 3), false)); // additions only
        int n = 0;
        for (Case c : cases) {
            try (DirectoryStore store = DirectoryStore.open(temp.resolve("store" + n), Duration.ofSeconds(30))) {
                Host host = new Host(temp.resolve("case" + n++), "alice", store);
                Host.write(host.memoryFile, c.before());
                host.sync();
                Host.write(host.memoryFile, c.after());
                if (c.trips()) {
                    assertThatThrownBy(host::sync).as("%s", c).isInstanceOf(MassDeletionException.class);
                } else {
                    host.sync();
                    assertThat(host.graph()).as("%s", c).isEqualTo(c.after());
                }
            }
        }
    }

    @Test
    void fourEntitiesOfTwoHundredObservationsTruncatedAreRefusedAndNothingPropagates() throws Exception {
        List<Entity> big = new ArrayList<>();
        List<Entity> cut = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<String> obs = new ArrayList<>();
            for (int o = 0; o < 200; o++) {
                obs.add("fact " + i + "." + o);
            }
            big.add(new Entity("big" + i, "thing", obs));
            cut.add(new Entity("big" + i, "thing", obs.subList(0, 10)));
        }
        MemoryGraph full = MemoryGraph.of(big, List.of());
        try (DirectoryStore own = DirectoryStore.open(temp.resolve("big-store"), Duration.ofSeconds(30))) {
            Host carol = new Host(temp.resolve("big"), "carol", own);
            Host dave = new Host(temp.resolve("big"), "dave", own);
            Host.write(carol.memoryFile, full);
            carol.sync();
            dave.sync();
            for (MemoryGraph truncated : List.of(MemoryGraph.empty(), MemoryGraph.of(cut, List.of()))) {
                Host.write(carol.memoryFile, truncated);
                assertThat(carol.engine.status().massDeletion()).as("status tells").isTrue();
                assertThatThrownBy(carol::sync).isInstanceOfSatisfying(MassDeletionException.class,
                        e -> assertThat(e.observationsBefore()).isEqualTo(800));
            }
            dave.sync();
            assertThat(dave.graph()).as("nothing propagated").isEqualTo(full);
        }
    }

    @Test
    void anEditRefusesAnotherWritersMassDeletionBeforeItsChangeRunsAndGoesOnOnceItIsAllowed() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        byte[] checkpoint = Files.readAllBytes(alice.stateDir.resolve(StateDirectory.CHECKPOINT_FILE));
        assertThatThrownBy(() -> alice.engine.edit(g -> {
            runs.incrementAndGet();
            return g;
        })).isInstanceOfSatisfying(MassDeletionException.class,
                e -> assertThat(e.getMessage()).contains("delete 10 of the 10 entities"));
        assertThat(runs).as("the change did not run").hasValue(0);
        assertThat(Files.size(alice.memoryFile)).as("not written").isZero();
        assertThat(Files.readAllBytes(alice.stateDir.resolve(StateDirectory.CHECKPOINT_FILE)))
                .as("nothing stamped").isEqualTo(checkpoint);

        SyncEngine.create(alice.engine.settings().withMassDeletionAllowed(true), store).sync();
        MemoryGraph after = alice.engine.edit(g -> MemoryGraph.of(List.of(new Entity("new", "thing", List.of())),
                List.of()));
        assertThat(after.entities()).extracting(Entity::name).containsExactly("new");
    }

    @Test
    void aFileCaughtMidWriteIsReadAgainAndNeitherAnEditNorASyncDeletesAnything() throws Exception {
        // a truncating writer: the file is empty when first read, complete again (one entity more) when
        // the engine looks again
        MemoryGraph complete = graph(10, 4);
        for (int round = 0; round < 2; round++) {
            MemoryGraph rewritten = with(complete, "npm-" + round);
            Files.write(alice.memoryFile, new byte[0]);
            AtomicInteger pauses = new AtomicInteger();
            SyncEngine engine = SyncEngine.withPause(alice.engine.settings(), store, () -> {
                if (pauses.incrementAndGet() == 2) { // the writer takes a while: empty at two readings
                    Host.write(alice.memoryFile, rewritten);
                }
            });
            if (round == 0) {
                complete = engine.edit(g -> with(g, "mine"));
                assertThat(complete).as("the edit saw the complete file").isEqualTo(with(rewritten, "mine"));
            } else {
                assertThat(engine.sync().deleted()).as("the sync saw the complete file").isEmpty();
                complete = alice.graph();
                assertThat(complete).isEqualTo(rewritten);
            }
            assertThat(pauses).as("read three times: empty, empty, complete").hasValue(2);
        }
        bob.sync();
        assertThat(bob.graph()).isEqualTo(complete);
        assertThat(complete.entities()).hasSize(13);
    }

    private static MemoryGraph with(MemoryGraph g, String name) {
        List<Entity> entities = new ArrayList<>(g.entities());
        entities.add(new Entity(name, "thing", List.of()));
        return MemoryGraph.of(entities, g.relations());
    }
}
