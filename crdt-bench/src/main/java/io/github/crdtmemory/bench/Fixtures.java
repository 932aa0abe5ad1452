/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The data every benchmark uses, the same for ours and for Pekko: replicas of observation atoms with
 * seeded stamps, and memory graphs shaped like real MCP memories (a type, three observations per
 * entity, one relation per entity).
 */
final class Fixtures {
    static final long EPOCH = 1_760_000_000_000L;

    /**
     * One replica's atoms, in the neutral form both implementations are built from.
     *
     * @param replica who wrote them
     * @param keys the atoms
     * @param stamps a stamp per atom
     */
    record Replica(ReplicaId replica, List<AtomKey> keys, List<Stamp> stamps) {
        LwwMap<AtomKey> ours() {
            LwwMap.Builder<AtomKey> b = LwwMap.builder();
            for (int i = 0; i < keys.size(); i++) {
                b.put(keys.get(i), Register.live(stamps.get(i), ""));
            }
            return b.build();
        }
    }

    private Fixtures() {
    }

    static AtomKey key(int k) {
        return new AtomKey.ObservationKey("entity-" + (k / 10), "observation number " + k);
    }

    /** {@code atoms} atoms starting at key {@code firstKey}, stamped at random near {@link #EPOCH}. */
    static Replica replica(String id, int firstKey, int atoms, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ReplicaId replica = ReplicaId.of(id);
        List<AtomKey> keys = new ArrayList<>(atoms);
        List<Stamp> stamps = new ArrayList<>(atoms);
        for (int i = 0; i < atoms; i++) {
            keys.add(key(firstKey + i));
            stamps.add(new Stamp(EPOCH + random.nextInt(1000), random.nextInt(4), replica));
        }
        return new Replica(replica, keys, stamps);
    }

    /** Two replicas sharing {@code overlap} percent of their keys. */
    static List<Replica> pair(int atoms, int overlap) {
        int shared = (int) ((long) atoms * overlap / 100);
        return List.of(replica("left", 0, atoms, 1), replica("right", atoms - shared, atoms, 2));
    }

    /** {@code count} replicas of {@code atoms} atoms each, every one overlapping half of the next. */
    static List<Replica> many(int count, int atoms) {
        List<Replica> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(replica("r" + i, i * atoms / 2, atoms, 100 + i));
        }
        return out;
    }

    /** A memory graph of {@code entities} entities with three observations each and one relation each. */
    static MemoryGraph graph(int entities, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Entity> list = new ArrayList<>(entities);
        List<Relation> relations = new ArrayList<>(entities);
        for (int i = 0; i < entities; i++) {
            list.add(new Entity("entity " + i, i % 7 == 0 ? "organization" : "person", List.of(
                    "observation " + i + " about something that happened " + random.nextInt(1000) + " days ago",
                    "prefers tea over coffee (" + random.nextInt(100) + ")",
                    "works on project " + (i % 97))));
            relations.add(new Relation("entity " + i, "knows", "entity " + ((i * 31 + 7) % entities)));
        }
        return MemoryGraph.of(list, relations);
    }

    /** {@code graph} with {@code percent} percent of its entities edited: an observation added to each. */
    static MemoryGraph edited(MemoryGraph graph, int percent) {
        List<Entity> list = new ArrayList<>(graph.entities());
        int step = Math.max(1, 100 / percent);
        for (int i = 0; i < list.size(); i += step) {
            Entity e = list.get(i);
            List<String> obs = new ArrayList<>(e.observations());
            obs.add("edited " + i);
            list.set(i, new Entity(e.name(), e.entityType(), obs));
        }
        return MemoryGraph.of(list, graph.relations());
    }
}
