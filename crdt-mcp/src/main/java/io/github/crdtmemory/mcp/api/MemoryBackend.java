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
import io.github.crdtmemory.sync.SyncEngine;
import java.util.List;

/**
 * The memory the nine MCP tools act on: one method per tool, with the semantics and results of
 * {@code @modelcontextprotocol/server-memory} 2026.8.31 (duplicates within one call are kept once, as
 * its main branch does). {@link MemoryMcp} turns a backend into the MCP SDK's tool and resource
 * specifications.
 *
 * <p>Two implementations, chosen by who owns the memory:
 * <ul>
 *   <li>{@link #sharedFile(SyncEngine)}: the MCP memory file (JSONL) shared by several processes (other
 *       MCP servers, {@code memory-backup}). Each write is one {@link SyncEngine#edit} step under the
 *       state directory's file lock, so writes from every thread and process take turns and none is
 *       lost; reads parse the file, which every write leaves complete.</li>
 *   <li>{@link #live(LiveMemory)}: a memory this process owns alone, the fastest: writes take an
 *       in-process lock and one group-committed {@code fsync}, reads take no lock.</li>
 * </ul>
 *
 * <p>Guarantees of both: thread-safe, no write lost between concurrent callers; a write method returns
 * after its change is durable; a call refused for its arguments (an {@link IllegalArgumentException},
 * such as {@code add_observations} on a missing entity) changes nothing; listeners ({@link #onChange})
 * run after a change is durable, on the writing thread, and one that throws is logged and does not undo
 * the change. It is sealed: these two are all there is.
 */
public sealed interface MemoryBackend permits SharedFileBackend, LiveBackend {
    /**
     * The memory file that {@code engine} syncs, shared with every process that edits it.
     *
     * @param engine the engine of the memory file (its settings name the file and state directory)
     * @return the backend; it does not close the engine
     */
    static MemoryBackend sharedFile(SyncEngine engine) {
        return new SharedFileBackend(engine);
    }

    /**
     * A memory this process owns alone.
     *
     * @param memory the memory; the caller keeps closing it
     * @return the backend
     */
    static MemoryBackend live(LiveMemory memory) {
        return new LiveBackend(memory);
    }

    /**
     * {@code create_entities}: adds the entities whose name is new; existing names are skipped.
     *
     * @param entities the entities
     * @return the entities created
     */
    List<Entity> createEntities(List<Entity> entities);

    /**
     * {@code create_relations}: adds the relations that do not exist yet.
     *
     * @param relations the relations
     * @return the relations created
     */
    List<Relation> createRelations(List<Relation> relations);

    /**
     * {@code add_observations}: adds to each entity the observations it does not have yet.
     *
     * @param additions per entity, the observations to add
     * @return per entity, the observations added
     * @throws IllegalArgumentException ({@code Entity with name X not found}) if an entity does not
     *     exist; nothing is changed then
     */
    List<Observations> addObservations(List<Observations> additions);

    /**
     * {@code delete_entities}: removes the entities and every relation from or to them; unknown names
     * are ignored.
     *
     * @param names the entity names
     */
    void deleteEntities(List<String> names);

    /**
     * {@code delete_observations}: removes the observations; a missing entity is ignored.
     *
     * @param deletions per entity, the observations to remove
     */
    void deleteObservations(List<Observations> deletions);

    /**
     * {@code delete_relations}: removes the exact relations given.
     *
     * @param relations the relations
     */
    void deleteRelations(List<Relation> relations);

    /**
     * {@code read_graph}: the whole graph.
     *
     * @return the graph after the latest completed write
     */
    MemoryGraph readGraph();

    /**
     * {@code search_nodes}: entities whose name, type or an observation contains the query (any case),
     * and the relations between them.
     *
     * @param query the text to look for
     * @return the matching part of the graph
     */
    MemoryGraph searchNodes(String query);

    /**
     * {@code open_nodes}: those entities and the relations between them.
     *
     * @param names the entity names
     * @return that part of the graph
     */
    MemoryGraph openNodes(List<String> names);

    /**
     * Runs {@code listener} after each change: for {@link #sharedFile}, after every write call made
     * through this backend (as the npm server notifies, even when the call changed nothing); for
     * {@link #live}, after every change of the memory, including a sync that brought other replicas'
     * edits.
     *
     * @param listener the listener
     * @return closing it removes the listener
     */
    AutoCloseable onChange(Runnable listener);
}
