/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.examples.springai;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.live.LiveMemory;
import io.github.crdtmemory.mcp.api.MemoryBackend;
import io.github.crdtmemory.mcp.api.MemoryMcp;
import io.github.crdtmemory.store.MemoryStore;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncSettings;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import java.nio.file.Path;
import java.util.List;
import org.springframework.ai.mcp.customizer.McpSyncServerCustomizer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * A Spring AI MCP server (Streamable HTTP at {@code /mcp}, from
 * {@code spring-ai-starter-mcp-server-webmvc}) serving the memory through {@link MemoryMcp}: the nine
 * tools and the {@code memory://knowledge-graph} resource of the npm memory server, on a CRDT that loses
 * no write. An example, never published.
 *
 * <p>With {@code memory.file} set, the memory is that MCP memory file, shared with other processes
 * ({@link MemoryBackend#sharedFile}); otherwise it is a {@link LiveMemory} this process owns, kept under
 * {@code memory.state-dir} ({@link MemoryBackend#live}). {@code memory.state-dir} is the state root
 * ({@code memory-backup}'s, for a shared file, to take turns with it) and {@code memory.replica} this
 * replica. The memory is not synced with other machines here: {@code memory-backup sync} on the same
 * file and state root does that, or {@link LiveMemory#syncEvery} for a live memory.
 */
@SpringBootApplication
public class MemoryServerApplication {
    /**
     * Runs the server.
     *
     * @param args Spring Boot's arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(MemoryServerApplication.class, args);
    }

    /** The memory: the shared file if {@code memory.file} is set, else a live memory. */
    @Bean
    MemoryBackend memoryBackend(@Value("${memory.file:}") String file, @Value("${memory.state-dir}") Path stateDir,
            @Value("${memory.replica:spring-example}") String replica, Resources resources) {
        ReplicaId id = ReplicaId.of(replica);
        if (!file.isEmpty()) {
            Path memoryFile = Path.of(file).toAbsolutePath().normalize();
            MemoryStore unsynced = resources.add(MemoryStore.create("unsynced-" + id));
            // the state directory memory-backup and memory-mcp-server use for this file, so all take turns
            return MemoryBackend.sharedFile(SyncEngine.create(SyncSettings.of(memoryFile,
                    SyncSettings.stateDirOf(stateDir, id, memoryFile), id), unsynced));
        }
        return MemoryBackend.live(resources.add(LiveMemory.open(stateDir.resolve(id + ".state"), id)));
    }

    // the three lines of docs/embedding.md, as Spring beans: the features, the tools, the resource ...

    @Bean
    MemoryMcp memoryMcp(MemoryBackend backend) {
        return MemoryMcp.of(backend);
    }

    @Bean
    List<SyncToolSpecification> memoryTools(MemoryMcp memory) {
        return memory.syncTools();
    }

    @Bean
    List<SyncResourceSpecification> memoryResources(MemoryMcp memory) {
        return List.of(memory.syncResource());
    }

    /**
     * ... and subscribers told of every change. Spring AI declares resources without subscriptions; the
     * npm server's capabilities allow them. (Replaces Spring AI's own servlet customizer, so it keeps
     * its immediate execution: handlers run on the request's thread.)
     */
    @Bean
    @Primary
    McpSyncServerCustomizer memoryCapabilities() {
        return server -> server.immediateExecution(true).capabilities(MemoryMcp.capabilities().build());
    }

    @Bean(destroyMethod = "close")
    AutoCloseable memoryNotifications(MemoryMcp memory, McpSyncServer server) {
        return memory.notifySubscribers(server);
    }

    @Bean(destroyMethod = "close")
    Resources resources() {
        return new Resources();
    }

    /** What the memory holds open, closed with the context (last opened, first closed). */
    static final class Resources implements AutoCloseable {
        private final java.util.Deque<AutoCloseable> open = new java.util.ArrayDeque<>();

        synchronized <T extends AutoCloseable> T add(T resource) {
            open.push(resource);
            return resource;
        }

        @Override
        public synchronized void close() throws Exception {
            while (!open.isEmpty()) {
                open.pop().close();
            }
        }
    }
}
