/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp.api;

import io.github.crdtmemory.live.LiveMemory;
import io.github.crdtmemory.live.Observations;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import java.util.List;
import java.util.Objects;

/** {@link MemoryBackend#live}: each tool is the {@link LiveMemory} method of the same name. */
final class LiveBackend implements MemoryBackend {
    private final LiveMemory memory;

    LiveBackend(LiveMemory memory) {
        this.memory = Objects.requireNonNull(memory, "memory");
    }

    @Override
    public List<Entity> createEntities(List<Entity> entities) {
        return memory.createEntities(entities);
    }

    @Override
    public List<Relation> createRelations(List<Relation> relations) {
        return memory.createRelations(relations);
    }

    @Override
    public List<Observations> addObservations(List<Observations> additions) {
        return memory.addObservations(additions);
    }

    @Override
    public void deleteEntities(List<String> names) {
        memory.deleteEntities(names);
    }

    @Override
    public void deleteObservations(List<Observations> deletions) {
        memory.deleteObservations(deletions);
    }

    @Override
    public void deleteRelations(List<Relation> relations) {
        memory.deleteRelations(relations);
    }

    @Override
    public MemoryGraph readGraph() {
        return memory.readGraph();
    }

    @Override
    public MemoryGraph searchNodes(String query) {
        return memory.searchNodes(query);
    }

    @Override
    public MemoryGraph openNodes(List<String> names) {
        return memory.openNodes(names);
    }

    @Override
    public AutoCloseable onChange(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        return memory.addListener(change -> listener.run());
    }

    @Override
    public String toString() {
        return "MemoryBackend.live[" + memory + "]";
    }
}
