/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.store.DirectoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight replicas on one directory store, each on its own thread with its own store handle, 20 rounds of
 * random edits and syncs at once. Every thread adds atoms only it names and deletes only its own, so
 * the final graph is known exactly: every addition not deleted, and nothing else.
 */
final class SyncThreadsTest {
    private static final int REPLICAS = 8;
    private static final int ROUNDS = 20;

    @TempDir
    Path temp;

    @Test
    void eightReplicasConvergeAndLoseNoAddition() throws Exception {
        long seed = System.nanoTime();
        Path storeDir = temp.resolve("store");
        List<Host> hosts = new ArrayList<>();
        List<DirectoryStore> stores = new ArrayList<>();
        for (int t = 0; t < REPLICAS; t++) {
            DirectoryStore s = DirectoryStore.open(storeDir, Duration.ofSeconds(60));
            stores.add(s);
            hosts.add(new Host(temp, "replica-" + t, s));
        }
        List<Expectation> expected = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(REPLICAS);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Expectation>> futures = new ArrayList<>();
            for (int t = 0; t < REPLICAS; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    return run(hosts.get(id), id, new Random(seed + id));
                }));
            }
            go.countDown();
            for (Future<Expectation> f : futures) {
                expected.add(f.get(10, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        for (int round = 0; round < 2; round++) {
            for (Host h : hosts) {
                h.sync();
            }
        }
        Set<String> entities = new TreeSet<>(Set.of("shared"));
        Set<String> observations = new TreeSet<>();
        Set<Relation> relations = new HashSet<>();
        for (Expectation e : expected) {
            entities.addAll(e.entities);
            observations.addAll(e.observations);
            relations.addAll(e.relations);
        }
        MemoryGraph first = hosts.get(0).graph();
        for (Host h : hosts) {
            assertThat(h.graph()).as("seed %s: %s equals replica-0", seed, h.replica).isEqualTo(first);
        }
        Set<String> names = new TreeSet<>();
        Set<String> allObservations = new TreeSet<>();
        for (Entity e : first.entities()) {
            names.add(e.name());
            e.observations().forEach(o -> allObservations.add(e.name() + ": " + o));
        }
        assertThat(names).as("seed %s", seed).isEqualTo(entities);
        assertThat(allObservations).as("seed %s", seed).isEqualTo(observations);
        assertThat(new HashSet<>(first.relations())).as("seed %s", seed).isEqualTo(relations);
        stores.forEach(DirectoryStore::close);
    }

    /** One replica's rounds; returns what must be in the final graph because of it. */
    private static Expectation run(Host h, int id, Random random) {
        Expectation mine = new Expectation();
        List<String> liveEntities = new ArrayList<>();
        int created = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int edits = 1 + random.nextInt(3);
            for (int k = 0; k < edits; k++) {
                int op = random.nextInt(10);
                if (op < 3 || liveEntities.isEmpty()) {
                    String name = "r" + id + "-e" + created++;
                    String obs = "made in round " + round;
                    h.edit(g -> Host.withObservation(g, name, "thing", obs));
                    liveEntities.add(name);
                    mine.entities.add(name);
                    mine.observations.add(name + ": " + obs);
                } else if (op < 6) {
                    String obs = "r" + id + " round " + round + " edit " + k;
                    h.edit(g -> Host.withObservation(g, "shared", "hub", obs));
                    mine.observations.add("shared: " + obs);
                } else if (op < 8) {
                    String from = liveEntities.get(random.nextInt(liveEntities.size()));
                    Relation r = new Relation(from, "knows", "shared");
                    if (h.graph().entity("shared").isPresent()) {
                        h.edit(g -> Host.withRelation(g, r));
                        mine.relations.add(r);
                    }
                } else if (op < 9 && h.graph().entities().size() > 1) {
                    // (never the file's last entity: an emptied memory is refused as a mass deletion)
                    String victim = liveEntities.remove(random.nextInt(liveEntities.size()));
                    h.edit(g -> Host.withoutEntity(g, victim));
                    mine.entities.remove(victim);
                    mine.observations.removeIf(o -> o.startsWith(victim + ": "));
                    mine.relations.removeIf(r -> r.from().equals(victim));
                } else {
                    List<String> own = new ArrayList<>();
                    for (String o : mine.observations) {
                        if (o.startsWith("shared: r" + id + " ")) {
                            own.add(o.substring("shared: ".length()));
                        }
                    }
                    if (!own.isEmpty()) {
                        String obs = own.get(random.nextInt(own.size()));
                        h.edit(g -> Host.withoutObservation(g, "shared", obs));
                        mine.observations.remove("shared: " + obs);
                    }
                }
            }
            h.sync();
        }
        return mine;
    }

    /** What one replica's edits leave in the final graph. */
    private static final class Expectation {
        final Set<String> entities = new HashSet<>();
        final Set<String> observations = new HashSet<>();
        final Set<Relation> relations = new HashSet<>();
    }
}
