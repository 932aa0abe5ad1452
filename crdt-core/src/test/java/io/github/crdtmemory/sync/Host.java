/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.store.ReplicaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A test host: one replica, one memory file, one state directory, one engine. */
public final class Host {
    public final ReplicaId replica;
    public final Path memoryFile;
    public final Path stateDir;
    public final SyncEngine engine;

    public Host(Path root, String replica, ReplicaStore store) {
        this(root.resolve(replica + "/memory.jsonl"), root.resolve(replica + "/state"), replica, store);
    }

    public Host(Path memoryFile, Path stateDir, String replica, ReplicaStore store) {
        this.replica = ReplicaId.of(replica);
        this.memoryFile = memoryFile;
        this.stateDir = stateDir;
        this.engine = SyncEngine.create(SyncSettings.of(memoryFile, stateDir, this.replica), store);
    }

    public SyncReport sync() {
        return engine.sync();
    }

    /** The graph the memory file holds, or the empty graph if it does not exist. */
    public MemoryGraph graph() {
        return read(memoryFile);
    }

    public static MemoryGraph read(Path file) {
        try {
            return Files.exists(file)
                    ? MemoryFileCodec.parse(Files.readAllBytes(file), file.toString()).graph()
                    : MemoryGraph.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites the memory file as the MCP server would, with {@code edit} applied. */
    public void edit(UnaryOperator<MemoryGraph> edit) {
        write(memoryFile, edit.apply(graph()));
    }

    public static void write(Path file, MemoryGraph graph) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".edit");
            Files.write(temp, MemoryFileCodec.write(graph, false));
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds an entity, or an observation to it if it exists (as {@code create_entities}/{@code add_observations}). */
    public static MemoryGraph withObservation(MemoryGraph g, String name, String type, String text) {
        List<Entity> entities = new ArrayList<>();
        boolean found = false;
        for (Entity e : g.entities()) {
            if (e.name().equals(name)) {
                found = true;
                List<String> obs = new ArrayList<>(e.observations());
                if (!obs.contains(text)) {
                    obs.add(text);
                }
                entities.add(new Entity(name, e.entityType(), obs));
            } else {
                entities.add(e);
            }
        }
        if (!found) {
            entities.add(Entity.of(name, type, text));
        }
        return MemoryGraph.of(entities, g.relations());
    }

    public static MemoryGraph withoutEntity(MemoryGraph g, String name) {
        List<Entity> entities = new ArrayList<>(g.entities());
        entities.removeIf(e -> e.name().equals(name));
        List<Relation> relations = new ArrayList<>(g.relations());
        relations.removeIf(r -> r.from().equals(name) || r.to().equals(name));
        return MemoryGraph.of(entities, relations);
    }

    public static MemoryGraph withoutObservation(MemoryGraph g, String name, String text) {
        List<Entity> entities = new ArrayList<>();
        for (Entity e : g.entities()) {
            if (e.name().equals(name)) {
                List<String> obs = new ArrayList<>(e.observations());
                obs.remove(text);
                entities.add(new Entity(name, e.entityType(), obs));
            } else {
                entities.add(e);
            }
        }
        return MemoryGraph.of(entities, g.relations());
    }

    public static MemoryGraph withRelation(MemoryGraph g, Relation r) {
        if (g.relations().contains(r)) {
            return g;
        }
        List<Relation> relations = new ArrayList<>(g.relations());
        relations.add(r);
        return MemoryGraph.of(g.entities(), relations);
    }
}
