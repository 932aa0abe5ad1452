/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * The mutations of {@code @modelcontextprotocol/server-memory} 2026.8.31 on a graph, for simulations:
 * creating an existing entity or relation is skipped, adding an observation to a missing entity does
 * nothing (the server throws), deleting an entity cascades to its relations.
 */
public final class McpModel {
    private McpModel() {
    }

    public static MemoryGraph createEntity(MemoryGraph g, String name, String type, String observation) {
        if (g.entity(name).isPresent()) {
            return g;
        }
        List<Entity> es = new ArrayList<>(g.entities());
        es.add(new Entity(name, type, List.of(observation)));
        return MemoryGraph.of(es, g.relations());
    }

    public static MemoryGraph addObservation(MemoryGraph g, String name, String observation) {
        return g.entity(name).filter(e -> !e.observations().contains(observation)).map(e -> {
            List<String> obs = new ArrayList<>(e.observations());
            obs.add(observation);
            return replace(g, new Entity(name, e.entityType(), obs));
        }).orElse(g);
    }

    public static MemoryGraph deleteObservation(MemoryGraph g, String name, String observation) {
        return g.entity(name).map(e -> {
            List<String> obs = new ArrayList<>(e.observations());
            obs.remove(observation);
            return replace(g, new Entity(name, e.entityType(), obs));
        }).orElse(g);
    }

    public static MemoryGraph deleteEntity(MemoryGraph g, String name) {
        List<Entity> es = new ArrayList<>(g.entities());
        es.removeIf(e -> e.name().equals(name));
        List<Relation> rs = new ArrayList<>(g.relations());
        rs.removeIf(r -> r.from().equals(name) || r.to().equals(name));
        return MemoryGraph.of(es, rs);
    }

    public static MemoryGraph createRelation(MemoryGraph g, Relation r) {
        if (g.relations().contains(r)) {
            return g;
        }
        List<Relation> rs = new ArrayList<>(g.relations());
        rs.add(r);
        return MemoryGraph.of(g.entities(), rs);
    }

    public static MemoryGraph deleteRelation(MemoryGraph g, Relation r) {
        List<Relation> rs = new ArrayList<>(g.relations());
        rs.remove(r);
        return MemoryGraph.of(g.entities(), rs);
    }

    /** Not an MCP tool: a hand edit of the file, which the sync engine sees as a type change. */
    public static MemoryGraph changeType(MemoryGraph g, String name, String type) {
        return g.entity(name).map(e -> replace(g, new Entity(name, type, e.observations()))).orElse(g);
    }

    private static MemoryGraph replace(MemoryGraph g, Entity e) {
        List<Entity> es = new ArrayList<>(g.entities());
        es.replaceAll(x -> x.name().equals(e.name()) ? e : x);
        return MemoryGraph.of(es, g.relations());
    }
}
