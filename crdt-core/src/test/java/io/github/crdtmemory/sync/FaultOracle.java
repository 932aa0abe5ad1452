/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import io.github.crdtmemory.memory.AtomKey.RelationKey;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The fault model's log of user writes and its oracle. Every write (a tool call of our MCP server, or a
 * completed write of the memory file by an MCP server that takes no lock) is one MCP operation plus a
 * unique marker observation on its host's marker entity {@code M<host>}; the markers a writer's graph
 * shows are the writes it had seen, so "later" is causal order as the model knows it. Observations and
 * relation types are unique ({@code o<id>}, {@code r<id>}), so every observation or relation has one
 * addition, and a deletion of it was made by a writer that saw it. The checks on the converged view:
 * <ul>
 *   <li>an acknowledged addition is visible unless it was deleted, or its entity (a relation's
 *       endpoint) was deleted by a write that had not seen it (concurrent: the stamps decide);</li>
 *   <li>an atom a write deleted stays deleted (atoms are never re-added), and an entity every
 *       assertion of which its deletion had seen stays deleted;</li>
 *   <li>an observation a re-creation found hidden by its entity's tombstone stays hidden.</li>
 * </ul>
 * Writes of a host whose clock jumped to the end of time are exempt (that host may fail for good).
 */
final class FaultOracle {
    static final String MARKER_PREFIX = "M";

    /** One user write. Acknowledged once its tool call returned or its file write completed. */
    static final class Write {
        final int id;
        final int host;
        final String how;
        final Set<Integer> seen;
        boolean acked;
        /** Written in the documented window between the write-back's compare and its rename. */
        boolean inWindow;
        String op = "";

        Write(int id, int host, String how, Set<Integer> seen) {
            this.id = id;
            this.host = host;
            this.how = how;
            this.seen = seen;
        }

        String marker() {
            return "m" + id;
        }

        @Override
        public String toString() {
            return "write " + id + " (host " + host + ", " + how + ", " + op + (acked ? "" : ", unacknowledged")
                    + (inWindow ? ", in the compare-rename window" : "") + ")";
        }
    }

    private final List<Write> writes = new ArrayList<>();
    private final Map<AtomKey, Write> added = new LinkedHashMap<>();
    private final Map<AtomKey, List<Write>> deleted = new LinkedHashMap<>();
    private final Map<String, List<Write>> entityDeleted = new LinkedHashMap<>();
    private final Map<String, List<Write>> entityAsserted = new LinkedHashMap<>();
    private final Map<AtomKey, String> buried = new LinkedHashMap<>();
    private final Set<Integer> tainted = new HashSet<>();
    private final List<String> entities;
    private final int[] opWeights;

    /**
     * An oracle whose writes name entities {@code E0} to {@code E<entities - 1>} and choose their
     * operation with these weights, one per {@link Op}.
     */
    FaultOracle(int entities, int[] opWeights) {
        this.opWeights = opWeights.clone();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < entities; i++) {
            names.add("E" + i);
        }
        this.entities = List.copyOf(names);
    }

    /** Starts a write by {@code host} on a graph it sees. */
    Write begin(int host, String how, MemoryGraph sees) {
        Set<Integer> seen = new HashSet<>();
        for (Entity e : sees.entities()) {
            if (e.name().startsWith(MARKER_PREFIX)) {
                e.observations().forEach(o -> seen.add(Integer.parseInt(o.substring(1))));
            }
        }
        Write w = new Write(writes.size(), host, how, seen);
        writes.add(w);
        return w;
    }

    /** The operations a write can make, in the order of {@link #FaultOracle(int, int[])}'s weights. */
    enum Op { CREATE_OR_ADD, ADD_TO_SHOWN, DELETE_ENTITY, DELETE_OBSERVATION, CREATE_RELATION, DELETE_RELATION }

    /**
     * Applies an MCP operation drawn from {@code seed} to {@code g} as {@code w}, plus {@code w}'s
     * marker, and records what it adds, deletes and asserts. Deletions pick what {@code g} shows; one
     * that finds nothing to delete adds an observation instead. Half the time, a writer that misses an
     * entity (its host's state shows {@code missing}, its graph does not) creates it again, as a user
     * who finds something gone tells the server again.
     */
    MemoryGraph apply(Write w, MemoryGraph g, int seed, List<String> missing) {
        Random r = new Random(seed);
        Op op = Op.values()[FaultModel.pick(opWeights, r)];
        List<Entity> mine = g.entities().stream().filter(e -> !e.name().startsWith(MARKER_PREFIX)).toList();
        Entity pick = mine.isEmpty() ? null : mine.get(r.nextInt(mine.size()));
        String name = entities.get(r.nextInt(entities.size()));
        if (!missing.isEmpty() && r.nextBoolean()) {
            op = Op.CREATE_OR_ADD;
            name = missing.get(r.nextInt(missing.size()));
        }
        MemoryGraph out;
        if (op == Op.DELETE_ENTITY && pick != null) {
            out = deleteEntity(w, g, pick);
        } else if (op == Op.DELETE_OBSERVATION && pick != null && !pick.observations().isEmpty()) {
            String o = pick.observations().get(r.nextInt(pick.observations().size()));
            w.op = "delete observation " + pick.name() + "/" + o;
            record(deleted, new ObservationKey(pick.name(), o), w);
            record(entityAsserted, pick.name(), w);
            out = McpEdits.deleteObservation(g, pick.name(), o);
        } else if (op == Op.CREATE_RELATION) {
            Relation rel = new Relation(name, "r" + w.id, entities.get(r.nextInt(entities.size())));
            w.op = "create relation " + rel;
            added.put(RelationKey.of(rel), w);
            out = McpEdits.createRelation(g, rel);
        } else if (op == Op.DELETE_RELATION && !g.relations().isEmpty()) {
            Relation rel = g.relations().get(r.nextInt(g.relations().size()));
            w.op = "delete relation " + rel;
            record(deleted, RelationKey.of(rel), w);
            out = McpEdits.deleteRelation(g, rel);
        } else {
            String target = op == Op.ADD_TO_SHOWN && pick != null ? pick.name() : name;
            w.op = (g.entity(target).isPresent() ? "add observation " : "create entity ") + target + "/o" + w.id;
            added.put(new ObservationKey(target, "o" + w.id), w);
            record(entityAsserted, target, w);
            out = McpEdits.addOrCreate(g, target, "o" + w.id);
        }
        added.put(new ObservationKey(MARKER_PREFIX + w.host, w.marker()), w);
        return McpEdits.addOrCreate(out, MARKER_PREFIX + w.host, w.marker());
    }

    private MemoryGraph deleteEntity(Write w, MemoryGraph g, Entity e) {
        w.op = "delete entity " + e.name();
        record(entityDeleted, e.name(), w);
        e.observations().forEach(o -> record(deleted, new ObservationKey(e.name(), o), w));
        for (Relation r : g.relations()) {
            if (r.from().equals(e.name()) || r.to().equals(e.name())) {
                record(deleted, RelationKey.of(r), w);
            }
        }
        return McpEdits.deleteEntity(g, e.name());
    }

    private static <K> void record(Map<K, List<Write>> map, K key, Write w) {
        map.computeIfAbsent(key, k -> new ArrayList<>()).add(w);
    }

    /** A re-creation of an entity was stamped while its state held {@code key} hidden by a tombstone. */
    void bury(AtomKey key, String why) {
        buried.putIfAbsent(key, why);
    }

    /** The host's clock jumped to the end of time: its writes are exempt, it may fail for good. */
    void taint(int host) {
        tainted.add(host);
    }

    boolean tainted(int host) {
        return tainted.contains(host);
    }

    Set<Integer> tainted() {
        return Set.copyOf(tainted);
    }

    List<Write> writes() {
        return writes;
    }

    private boolean counts(Write w) {
        return w.acked && !tainted.contains(w.host);
    }

    /**
     * The violations of the converged {@code view}; {@code keptInCopy} tells whether a write in the
     * compare-rename window is kept in a copy of its host's memory file (then it is not required).
     */
    List<String> check(MemoryGraph view, Predicate<Write> keptInCopy) {
        for (Write w : writes) {
            if (w.inWindow && w.acked && keptInCopy.test(w)) {
                w.acked = false;
            }
        }
        List<String> out = new ArrayList<>();
        added.forEach((k, a) -> checkAddition(view, k, a, out));
        deleted.forEach((k, ds) -> ds.stream().filter(this::counts).findFirst().ifPresent(d -> {
            if (visible(view, k)) {
                out.add("DELETION_UNDONE: " + k + " is visible, deleted by " + d + "; added by " + added.get(k));
            }
        }));
        entityDeleted.forEach((name, ds) -> checkEntityDeletions(view, name, ds, out));
        buried.forEach((k, why) -> {
            if (visible(view, k)) {
                out.add("HIDDEN_CAME_BACK: " + k + " is visible after " + why + "; added by " + added.get(k));
            }
        });
        return out;
    }

    private void checkAddition(MemoryGraph view, AtomKey k, Write a, List<String> out) {
        if (!counts(a) || deleted.containsKey(k) || visible(view, k)) {
            return;
        }
        List<String> entities = k instanceof RelationKey r ? List.of(r.from(), r.to()) : List.of(k.entity());
        for (String e : entities) {
            for (Write d : entityDeleted.getOrDefault(e, List.of())) {
                if (!a.seen.contains(d.id)) {
                    return; // concurrent with a deletion of its entity: the stamps decide
                }
            }
        }
        out.add("LOST_WRITE: " + k + " of the acknowledged " + a + " is not in the converged view");
    }

    private void checkEntityDeletions(MemoryGraph view, String name, List<Write> ds, List<String> out) {
        if (view.entity(name).isEmpty()) {
            return;
        }
        for (Write d : ds) {
            if (!counts(d)) {
                continue;
            }
            boolean unseenAssertion = entityAsserted.getOrDefault(name, List.of()).stream()
                    .anyMatch(a -> a.id != d.id && !d.seen.contains(a.id));
            if (!unseenAssertion) {
                out.add("DELETION_UNDONE: entity " + name + " is visible, deleted by " + d
                        + ", which had seen every write that created or edited it");
                return;
            }
        }
    }

    static boolean visible(MemoryGraph view, AtomKey key) {
        if (key instanceof ObservationKey o) {
            return view.entity(o.entity()).map(e -> e.observations().contains(o.text())).orElse(false);
        }
        if (key instanceof RelationKey r) {
            return view.relations().contains(r.relation());
        }
        return view.entity(key.entity()).isPresent();
    }
}
