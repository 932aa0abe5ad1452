/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.memory.McpModel;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;

/**
 * The MCP memory server's tool calls on a graph, for the fault model: {@code create_entities} on a
 * missing entity or {@code add_observations} on an existing one, and the deletions, which cascade from an
 * entity to its relations as the server's do. The server's semantics are {@link McpModel}'s.
 */
final class McpEdits {
    static final String TYPE = "thing";

    private McpEdits() {
    }

    static MemoryGraph addOrCreate(MemoryGraph g, String name, String observation) {
        return g.entity(name).isPresent() ? McpModel.addObservation(g, name, observation)
                : McpModel.createEntity(g, name, TYPE, observation);
    }

    static MemoryGraph deleteObservation(MemoryGraph g, String name, String observation) {
        return McpModel.deleteObservation(g, name, observation);
    }

    static MemoryGraph deleteEntity(MemoryGraph g, String name) {
        return McpModel.deleteEntity(g, name);
    }

    static MemoryGraph createRelation(MemoryGraph g, Relation r) {
        return McpModel.createRelation(g, r);
    }

    static MemoryGraph deleteRelation(MemoryGraph g, Relation r) {
        return McpModel.deleteRelation(g, r);
    }
}
