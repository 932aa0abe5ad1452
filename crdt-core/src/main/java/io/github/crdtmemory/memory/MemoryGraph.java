/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import io.github.crdtmemory.internal.CodePointOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A knowledge graph as the MCP memory server holds it: entities in order, then relations in order.
 * Entity names are unique and relations are unique, as they are in a graph the server built.
 *
 * <p>This class is immutable; all methods are side-effect-free. {@code equals} compares order too
 * (order is what a file's bytes show); {@link #canonical()} gives the order-free form for comparing
 * content.
 */
public final class MemoryGraph {
    private static final MemoryGraph EMPTY = new MemoryGraph(List.of(), List.of(), Map.of());

    private final List<Entity> entities;
    private final List<Relation> relations;
    private final Map<String, Entity> byName;

    private MemoryGraph(List<Entity> entities, List<Relation> relations, Map<String, Entity> byName) {
        this.entities = entities;
        this.relations = relations;
        this.byName = byName;
    }

    /**
     * Returns the graph with no entities and no relations.
     *
     * @return the empty graph
     */
    public static MemoryGraph empty() {
        return EMPTY;
    }

    /**
     * Returns a graph of the given entities and relations, in the given order.
     *
     * @param entities the entities, with unique names
     * @param relations the relations, each at most once
     * @return the graph
     * @throws NullPointerException if a list or an element is null
     * @throws IllegalArgumentException if an entity name or a relation occurs twice
     */
    public static MemoryGraph of(List<Entity> entities, List<Relation> relations) {
        return of(entities, relations, true);
    }

    /** As {@link #of}, for callers that have already removed duplicate relations (the codec). */
    static MemoryGraph ofDistinct(List<Entity> entities, List<Relation> relations) {
        return of(entities, relations, false);
    }

    private static MemoryGraph of(List<Entity> entities, List<Relation> relations, boolean checkRelations) {
        List<Entity> es = List.copyOf(entities);
        List<Relation> rs = List.copyOf(relations);
        if (es.isEmpty() && rs.isEmpty()) {
            return EMPTY;
        }
        Map<String, Entity> byName = new HashMap<>(es.size() * 2);
        for (Entity e : es) {
            if (byName.putIfAbsent(e.name(), e) != null) {
                throw new IllegalArgumentException("entity name occurs twice: '" + e.name() + "'");
            }
        }
        if (checkRelations) {
            Set<Relation> seen = new HashSet<>(rs.size() * 2);
            for (Relation r : rs) {
                if (!seen.add(r)) {
                    throw new IllegalArgumentException("relation occurs twice: " + r);
                }
            }
        }
        return new MemoryGraph(es, rs, byName);
    }

    /**
     * Returns the entities, in order.
     *
     * @return an unmodifiable list
     */
    public List<Entity> entities() {
        return entities;
    }

    /**
     * Returns the relations, in order.
     *
     * @return an unmodifiable list
     */
    public List<Relation> relations() {
        return relations;
    }

    /**
     * Returns the entity named {@code name}, if there is one.
     *
     * @param name the exact name
     * @return the entity, or empty
     * @throws NullPointerException if {@code name} is null
     */
    public Optional<Entity> entity(String name) {
        return Optional.ofNullable(byName.get(Objects.requireNonNull(name, "name")));
    }

    /**
     * Tells whether the graph has neither entities nor relations.
     *
     * @return true if empty
     */
    public boolean isEmpty() {
        return entities.isEmpty() && relations.isEmpty();
    }

    /**
     * Returns the number of observations over all entities.
     *
     * @return the count
     */
    public int observationCount() {
        int n = 0;
        for (Entity e : entities) {
            n += e.observations().size();
        }
        return n;
    }

    /**
     * Returns the same content in a canonical order: entities by name, each entity's observations by
     * text, relations by {@code (from, relationType, to)}, all by code points. Two graphs with the same
     * content have equal canonical forms.
     *
     * @return the canonical graph
     */
    public MemoryGraph canonical() {
        List<Entity> es = new ArrayList<>(entities.size());
        for (Entity e : entities) {
            List<String> obs = new ArrayList<>(e.observations());
            obs.sort(CodePointOrder::compare);
            es.add(new Entity(e.name(), e.entityType(), obs));
        }
        es.sort((a, b) -> CodePointOrder.compare(a.name(), b.name()));
        List<Relation> rs = new ArrayList<>(relations);
        rs.sort(RELATION_ORDER);
        return of(es, rs);
    }

    static final Comparator<Relation> RELATION_ORDER = (a, b) -> {
        int c = CodePointOrder.compare(a.from(), b.from());
        if (c != 0) {
            return c;
        }
        c = CodePointOrder.compare(a.relationType(), b.relationType());
        return c != 0 ? c : CodePointOrder.compare(a.to(), b.to());
    };

    @Override
    public boolean equals(@Nullable Object o) {
        return this == o
                || (o instanceof MemoryGraph g && entities.equals(g.entities) && relations.equals(g.relations));
    }

    @Override
    public int hashCode() {
        return 31 * entities.hashCode() + relations.hashCode();
    }

    @Override
    public String toString() {
        return "MemoryGraph{entities=" + entities + ", relations=" + relations + "}";
    }
}
