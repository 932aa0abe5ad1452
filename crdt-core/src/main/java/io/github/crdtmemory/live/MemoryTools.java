/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.live;

import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The nine MCP memory tools as pure functions of a graph: each returns the graph after the call and
 * what the tool returns, with the semantics of {@code @modelcontextprotocol/server-memory} 2026.8.31
 * (duplicates within one call kept once, as its main branch does). Stateless and thread-safe; used by
 * {@link LiveMemory} and by {@code SyncEngine.edit}, which stamp the difference.
 */
public final class MemoryTools {
    /**
     * A tool call's outcome.
     *
     * @param graph the graph after the call
     * @param result what the tool returns; null for the tools that return nothing ({@code Outcome<Void>})
     * @param <T> the result type
     */
    public record Outcome<T>(MemoryGraph graph, @Nullable T result) {
        /**
         * Validates the components.
         *
         * @throws NullPointerException if {@code graph} is null
         */
        public Outcome {
            Objects.requireNonNull(graph, "graph");
        }
    }

    private MemoryTools() {
    }

    /**
     * {@code create_entities}: adds the entities whose name is new; existing names are skipped.
     *
     * @param g the graph
     * @param entities the entities
     * @return the new graph and the entities created
     */
    public static Outcome<List<Entity>> createEntities(MemoryGraph g, List<Entity> entities) {
        Map<String, Entity> byName = new LinkedHashMap<>();
        g.entities().forEach(e -> byName.put(e.name(), e));
        List<Entity> created = new ArrayList<>();
        for (Entity e : entities) {
            if (!byName.containsKey(e.name())) {
                Entity clean = new Entity(e.name(), e.entityType(), List.copyOf(new LinkedHashSet<>(e.observations())));
                byName.put(e.name(), clean);
                created.add(clean);
            }
        }
        return new Outcome<>(MemoryGraph.of(new ArrayList<>(byName.values()), g.relations()), created);
    }

    /**
     * {@code create_relations}: adds the relations that do not exist yet.
     *
     * @param g the graph
     * @param relations the relations
     * @return the new graph and the relations created
     */
    public static Outcome<List<Relation>> createRelations(MemoryGraph g, List<Relation> relations) {
        Set<Relation> all = new LinkedHashSet<>(g.relations());
        List<Relation> created = new ArrayList<>();
        for (Relation r : relations) {
            if (all.add(r)) {
                created.add(r);
            }
        }
        return new Outcome<>(MemoryGraph.of(g.entities(), new ArrayList<>(all)), created);
    }

    /**
     * {@code add_observations}: adds to each entity the observations it does not have yet.
     *
     * @param g the graph
     * @param additions per entity, the observations to add
     * @return the new graph and, per entity, the observations added
     * @throws IllegalArgumentException ({@code Entity with name X not found}) if an entity is missing
     */
    public static Outcome<List<Observations>> addObservations(MemoryGraph g, List<Observations> additions) {
        Map<String, Entity> byName = new LinkedHashMap<>();
        g.entities().forEach(e -> byName.put(e.name(), e));
        List<Observations> added = new ArrayList<>();
        for (Observations a : additions) {
            Entity e = byName.get(a.entityName());
            if (e == null) {
                throw new IllegalArgumentException("Entity with name " + a.entityName() + " not found");
            }
            Set<String> obs = new LinkedHashSet<>(e.observations());
            List<String> fresh = new ArrayList<>();
            for (String o : a.observations()) {
                if (obs.add(o)) {
                    fresh.add(o);
                }
            }
            byName.put(e.name(), new Entity(e.name(), e.entityType(), new ArrayList<>(obs)));
            added.add(new Observations(e.name(), fresh));
        }
        return new Outcome<>(MemoryGraph.of(new ArrayList<>(byName.values()), g.relations()), added);
    }

    /**
     * {@code delete_entities}: removes the entities and every relation from or to them; unknown names
     * are ignored.
     *
     * @param g the graph
     * @param names the entity names
     * @return the new graph
     */
    public static Outcome<Void> deleteEntities(MemoryGraph g, List<String> names) {
        Set<String> gone = Set.copyOf(names);
        return new Outcome<>(MemoryGraph.of(
                g.entities().stream().filter(e -> !gone.contains(e.name())).toList(),
                g.relations().stream().filter(r -> !gone.contains(r.from()) && !gone.contains(r.to())).toList()), null);
    }

    /**
     * {@code delete_observations}: removes the observations; a missing entity is ignored.
     *
     * @param g the graph
     * @param deletions per entity, the observations to remove
     * @return the new graph
     */
    public static Outcome<Void> deleteObservations(MemoryGraph g, List<Observations> deletions) {
        List<Entity> out = new ArrayList<>();
        for (Entity e : g.entities()) {
            Set<String> remove = new HashSet<>();
            deletions.stream().filter(d -> d.entityName().equals(e.name())).forEach(d -> remove.addAll(d.observations()));
            out.add(remove.isEmpty() ? e : new Entity(e.name(), e.entityType(),
                    e.observations().stream().filter(o -> !remove.contains(o)).toList()));
        }
        return new Outcome<>(MemoryGraph.of(out, g.relations()), null);
    }

    /**
     * {@code delete_relations}: removes the exact relations given.
     *
     * @param g the graph
     * @param relations the relations
     * @return the new graph
     */
    public static Outcome<Void> deleteRelations(MemoryGraph g, List<Relation> relations) {
        Set<Relation> gone = Set.copyOf(relations);
        return new Outcome<>(MemoryGraph.of(g.entities(), g.relations().stream().filter(r -> !gone.contains(r)).toList()),
                null);
    }

    /**
     * {@code search_nodes}: entities whose name, type or an observation contains {@code query}
     * (ignoring case), and the relations with either endpoint among them.
     *
     * @param g the graph
     * @param query the text to look for
     * @return the matching part of the graph
     */
    public static MemoryGraph searchNodes(MemoryGraph g, String query) {
        String q = query.toLowerCase(Locale.ROOT);
        return around(g, g.entities().stream().filter(e -> e.name().toLowerCase(Locale.ROOT).contains(q)
                || e.entityType().toLowerCase(Locale.ROOT).contains(q)
                || e.observations().stream().anyMatch(o -> o.toLowerCase(Locale.ROOT).contains(q))).toList());
    }

    /**
     * {@code open_nodes}: the named entities and the relations with either endpoint among them.
     *
     * @param g the graph
     * @param names the entity names
     * @return that part of the graph
     */
    public static MemoryGraph openNodes(MemoryGraph g, List<String> names) {
        Set<String> wanted = Set.copyOf(names);
        return around(g, g.entities().stream().filter(e -> wanted.contains(e.name())).toList());
    }

    private static MemoryGraph around(MemoryGraph g, List<Entity> entities) {
        Set<String> names = new HashSet<>();
        entities.forEach(e -> names.add(e.name()));
        return MemoryGraph.of(entities, g.relations().stream()
                .filter(r -> names.contains(r.from()) || names.contains(r.to())).toList());
    }
}
