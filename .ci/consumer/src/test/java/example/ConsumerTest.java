/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.live.LiveMemory;
import io.github.crdtmemory.mcp.api.MemoryBackend;
import io.github.crdtmemory.mcp.api.MemoryMcp;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.StoreOptions;
import io.github.crdtmemory.store.StoreRegistry;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncReport;
import io.github.crdtmemory.sync.SyncSettings;
import io.modelcontextprotocol.json.McpJsonDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user of the published artifacts does first, on the class path their build resolves from the
 * published POMs: README's sync example through a git remote (crdt-git found by the store registry),
 * and docs/embedding.md's MCP tools on a live memory, serialized by the MCP SDK's own JSON mapper.
 */
class ConsumerTest {
    @TempDir
    Path tmp;

    @Test
    void readmesSyncExampleRunsThroughAGitRemote() throws Exception {
        Path remote = tmp.resolve("remote.git");
        Process init = new ProcessBuilder("git", "init", "-q", "--bare", remote.toString()).inheritIO().start();
        assertTrue(init.waitFor(60, TimeUnit.SECONDS) && init.exitValue() == 0, "git init --bare");
        Path memory = tmp.resolve("memory.jsonl");
        Files.write(memory, MemoryFileCodec.write(MemoryGraph.of(List.of(Entity.of("Ada", "person", "wrote programs")),
                List.of()), true));
        try (ReplicaStore store = StoreRegistry.discover().open("git+file://" + remote, StoreOptions.of(tmp.resolve("cache")))) {
            SyncEngine engine = SyncEngine.create(SyncSettings.of(memory, tmp.resolve("state"), ReplicaId.of("laptop")), store);
            SyncReport report = engine.sync();
            assertEquals(2, report.added().size(), report.toJson()); // Ada and her observation
            assertEquals(SyncReport.Publication.PUBLISHED, report.publication(), report.toJson());
            assertTrue(report.quarantined().isEmpty(), report.toJson());
        }
    }

    @Test
    void theMcpToolsServeALiveMemoryThroughTheSdksMapper() throws Exception {
        try (LiveMemory live = LiveMemory.open(tmp.resolve("live.state"), ReplicaId.of("consumer"))) {
            MemoryMcp memory = MemoryMcp.of(MemoryBackend.live(live));
            assertEquals(9, memory.syncTools().size());
            String json = McpJsonDefaults.getMapper().writeValueAsString(memory.syncTools().get(0).tool());
            assertTrue(json.contains("\"name\":\"create_entities\""), json);
            live.createEntities(List.of(Entity.of("Ada", "person", "wrote programs")));
            assertTrue(live.readGraph().entity("Ada").isPresent());
        }
    }
}
