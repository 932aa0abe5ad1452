package io.github.crdtmemory.sync;

import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import java.util.ArrayList;
import java.util.List;

/**
 * The MCP memory server's tool calls on a graph, for the fault model: {@code create_entities} on a
 * missing entity or {@code add_observations} on an existing one, and the deletions, which cascade from an
 * entity to its relations as the server's do.
 */
final class McpEdits {
    static final String TYPE = "thing";

    private McpEdits() {
    }

    static MemoryGraph addOrCreate(MemoryGraph g, String name, String observation) {
        List<Entity> es = new ArrayList<>(g.entities());
        Entity e = g.entity(name).orElse(null);
        if (e == null) {
            es.add(new Entity(name, TYPE, List.of(observation)));
        } else if (!e.observations().contains(observation)) {
            List<String> obs = new ArrayList<>(e.observations());
            obs.add(observation);
            es.replaceAll(x -> x.name().equals(name) ? new Entity(name, e.entityType(), obs) : x);
        }
        return MemoryGraph.of(es, g.relations());
    }

    static MemoryGraph deleteObservation(MemoryGraph g, String name, String observation) {
        List<Entity> es = new ArrayList<>(g.entities());
        es.replaceAll(x -> {
            if (!x.name().equals(name)) {
                return x;
            }
            List<String> obs = new ArrayList<>(x.observations());
            obs.remove(observation);
            return new Entity(name, x.entityType(), obs);
        });
        return MemoryGraph.of(es, g.relations());
    }

    static MemoryGraph deleteEntity(MemoryGraph g, String name) {
        List<Entity> es = new ArrayList<>(g.entities());
        es.removeIf(e -> e.name().equals(name));
        List<Relation> rs = new ArrayList<>(g.relations());
        rs.removeIf(r -> r.from().equals(name) || r.to().equals(name));
        return MemoryGraph.of(es, rs);
    }

    static MemoryGraph createRelation(MemoryGraph g, Relation r) {
        if (g.relations().contains(r)) {
            return g;
        }
        List<Relation> rs = new ArrayList<>(g.relations());
        rs.add(r);
        return MemoryGraph.of(g.entities(), rs);
    }

    static MemoryGraph deleteRelation(MemoryGraph g, Relation r) {
        List<Relation> rs = new ArrayList<>(g.relations());
        rs.remove(r);
        return MemoryGraph.of(g.entities(), rs);
    }
}
