/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp.api;

import io.github.crdtmemory.live.MemoryTools;
import io.github.crdtmemory.live.Observations;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.sync.SyncEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MemoryBackend#sharedFile}: each write is one {@link SyncEngine#edit} step (the file's foreign
 * edits stamped first, then the tool's change, under the state directory's lock, across threads and
 * processes); reads are {@link SyncEngine#read}, parsed again only when the file changed.
 */
final class SharedFileBackend implements MemoryBackend {
    private static final Logger log = LoggerFactory.getLogger(SharedFileBackend.class);

    private final SyncEngine engine;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    SharedFileBackend(SyncEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    @Override
    public List<Entity> createEntities(List<Entity> entities) {
        return write(g -> MemoryTools.createEntities(g, entities));
    }

    @Override
    public List<Relation> createRelations(List<Relation> relations) {
        return write(g -> MemoryTools.createRelations(g, relations));
    }

    @Override
    public List<Observations> addObservations(List<Observations> additions) {
        return write(g -> MemoryTools.addObservations(g, additions));
    }

    @Override
    public void deleteEntities(List<String> names) {
        write(g -> MemoryTools.deleteEntities(g, names));
    }

    @Override
    public void deleteObservations(List<Observations> deletions) {
        write(g -> MemoryTools.deleteObservations(g, deletions));
    }

    @Override
    public void deleteRelations(List<Relation> relations) {
        write(g -> MemoryTools.deleteRelations(g, relations));
    }

    @Override
    public MemoryGraph readGraph() {
        return engine.read();
    }

    @Override
    public MemoryGraph searchNodes(String query) {
        return MemoryTools.searchNodes(engine.read(), query);
    }

    @Override
    public MemoryGraph openNodes(List<String> names) {
        return MemoryTools.openNodes(engine.read(), names);
    }

    @Override
    public AutoCloseable onChange(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** One edit step; the tool's change runs exactly once per step, so its result is never stale. */
    private <T> T write(Function<MemoryGraph, MemoryTools.Outcome<T>> tool) {
        List<T> result = new ArrayList<>(1);
        engine.edit(g -> {
            MemoryTools.Outcome<T> o = tool.apply(g);
            result.clear();
            result.add(o.result());
            return o.graph();
        });
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                log.warn("a listener of {} failed: {}", engine.settings().memoryFile(), e.toString());
            }
        }
        return result.get(0);
    }

    @Override
    public String toString() {
        return "MemoryBackend.sharedFile[" + engine.settings().memoryFile() + "]";
    }
}
