/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.live.LiveMemory;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.MemoryStore;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncSettings;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every flavour of the SDK's specifications, over both backends, gives the same results. */
class MemoryMcpTest {
    private static final List<String> TOOLS = List.of("create_entities", "create_relations", "add_observations",
            "delete_entities", "delete_observations", "delete_relations", "read_graph", "search_nodes", "open_nodes");

    @TempDir
    Path tmp;

    /** A script touching every tool, an error included; the texts of its results. */
    private static List<String> script(BiFunction<String, Map<String, Object>, McpSchema.CallToolResult> call) {
        List<Object[]> steps = List.of(
                new Object[] {"create_entities", Map.of("entities", List.of(
                        Map.of("name", "Ada", "entityType", "person", "observations", List.of("wrote programs")),
                        Map.of("name", "Babbage", "entityType", "person", "observations", List.of())))},
                new Object[] {"create_relations", Map.of("relations", List.of(
                        Map.of("from", "Ada", "to", "Babbage", "relationType", "met")))},
                new Object[] {"add_observations", Map.of("observations", List.of(
                        Map.of("entityName", "Babbage", "contents", List.of("built engines", "met Ada"))))},
                new Object[] {"add_observations", Map.of("observations", List.of(
                        Map.of("entityName", "Nobody", "contents", List.of("x"))))},
                new Object[] {"search_nodes", Map.of("query", "ENGINES")},
                new Object[] {"open_nodes", Map.of("names", List.of("Ada"))},
                new Object[] {"delete_observations", Map.of("deletions", List.of(
                        Map.of("entityName", "Babbage", "observations", List.of("met Ada"))))},
                new Object[] {"delete_relations", Map.of("relations", List.of(
                        Map.of("from", "Ada", "to", "Babbage", "relationType", "met")))},
                new Object[] {"delete_entities", Map.of("entityNames", List.of("Ada"))},
                new Object[] {"read_graph", Map.of()});
        List<String> out = new ArrayList<>();
        for (Object[] s : steps) {
            @SuppressWarnings("unchecked")
            McpSchema.CallToolResult r = call.apply((String) s[0], (Map<String, Object>) s[1]);
            out.add(s[0] + (Boolean.TRUE.equals(r.isError()) ? " error: " : ": ")
                    + ((McpSchema.TextContent) r.content().get(0)).text());
        }
        return out;
    }

    private MemoryBackend sharedFile(String name) {
        return MemoryBackend.sharedFile(SyncEngine.create(SyncSettings.of(tmp.resolve(name + ".jsonl"),
                tmp.resolve(name + "-state"), ReplicaId.of("test")), MemoryStore.create(name)));
    }

    private static McpSchema.CallToolRequest request(String tool, Map<String, Object> args) {
        return McpSchema.CallToolRequest.builder(tool).arguments(args).build();
    }

    @Test
    void theNineToolsAreTheNpmServersInItsOrder() {
        MemoryMcp memory = MemoryMcp.of(sharedFile("names"));
        assertThat(memory.tools()).extracting(McpSchema.Tool::name).containsExactlyElementsOf(TOOLS);
        assertThat(memory.syncTools()).extracting(s -> s.tool().name()).containsExactlyElementsOf(TOOLS);
        assertThat(memory.asyncTools()).extracting(s -> s.tool().name()).containsExactlyElementsOf(TOOLS);
        assertThat(memory.statelessSyncTools()).extracting(s -> s.tool().name()).containsExactlyElementsOf(TOOLS);
        assertThat(memory.statelessAsyncTools()).extracting(s -> s.tool().name()).containsExactlyElementsOf(TOOLS);
        McpSchema.Tool read = memory.tools().get(6);
        assertThat(read.title()).isEqualTo("Read Graph");
        assertThat(read.annotations().readOnlyHint()).isTrue();
        assertThat(memory.tools().get(3).annotations().destructiveHint()).isTrue();
        assertThat(memory.syncResource().resource().uri()).isEqualTo(MemoryMcp.GRAPH_URI).isEqualTo("memory://knowledge-graph");
        McpSchema.ServerCapabilities caps = MemoryMcp.capabilities().build();
        assertThat(caps.resources().subscribe()).isTrue();
        assertThat(caps.tools()).isNotNull();
    }

    /** One flavour of the SDK's specifications: a tool call through it. */
    private static BiFunction<String, Map<String, Object>, McpSchema.CallToolResult> flavour(MemoryMcp m, int f) {
        return (tool, args) -> {
            int i = TOOLS.indexOf(tool);
            McpSchema.CallToolRequest r = request(tool, args);
            return switch (f) {
                case 0 -> m.syncTools().get(i).callHandler().apply(null, r);
                case 1 -> m.asyncTools().get(i).callHandler().apply(null, r).block();
                case 2 -> m.statelessSyncTools().get(i).callHandler().apply(null, r);
                default -> m.statelessAsyncTools().get(i).callHandler().apply(null, r).block();
            };
        };
    }

    @Test
    void everyFlavourOverBothBackendsGivesTheSameResults() throws Exception {
        List<List<String>> runs = new ArrayList<>();
        List<String> resources = new ArrayList<>();
        List<LiveMemory> open = new ArrayList<>();
        try {
            for (int f = 0; f < 4; f++) {
                MemoryMcp file = MemoryMcp.of(sharedFile("file-" + f));
                LiveMemory live = LiveMemory.open(tmp.resolve("live-" + f + ".state"), ReplicaId.of("test"));
                open.add(live);
                for (MemoryMcp m : List.of(file, MemoryMcp.of(MemoryBackend.live(live)))) {
                    runs.add(script(flavour(m, f)));
                    McpSchema.ReadResourceRequest read = McpSchema.ReadResourceRequest.builder(MemoryMcp.GRAPH_URI).build();
                    McpSchema.ReadResourceResult r = switch (f) {
                        case 0 -> m.syncResource().readHandler().apply(null, read);
                        case 1 -> m.asyncResource().readHandler().apply(null, read).block();
                        case 2 -> m.statelessSyncResource().readHandler().apply(null, read);
                        default -> m.statelessAsyncResource().readHandler().apply(null, read).block();
                    };
                    McpSchema.TextResourceContents c = (McpSchema.TextResourceContents) r.contents().get(0);
                    assertThat(c.uri()).isEqualTo(MemoryMcp.GRAPH_URI);
                    assertThat(c.mimeType()).isEqualTo("application/json");
                    resources.add(c.text());
                }
            }
        } finally {
            open.forEach(LiveMemory::close);
        }
        List<String> first = runs.get(0);
        assertThat(first).contains("add_observations error: Entity with name Nobody not found");
        assertThat(first.get(first.size() - 1)).contains("\"name\": \"Babbage\"").doesNotContain("Ada");
        assertThat(runs).hasSize(8).allSatisfy(run -> assertThat(run).isEqualTo(first));
        assertThat(resources).hasSize(8).allSatisfy(text -> assertThat("read_graph: " + text)
                .isEqualTo(first.get(first.size() - 1)));
        MemoryGraph onDisk = MemoryFileCodec.parse(Files.readAllBytes(tmp.resolve("file-0.jsonl")), "file").graph();
        assertThat(onDisk.entities()).extracting(e -> e.name()).containsExactly("Babbage");
    }

    @Test
    void listenersHearOfEveryWriteCallOfTheSharedFileAndEveryChangeOfTheLiveMemory() throws Exception {
        MemoryMcp file = MemoryMcp.of(sharedFile("listen"));
        AtomicInteger heard = new AtomicInteger();
        try (AutoCloseable l = file.backend().onChange(heard::incrementAndGet)) {
            script((tool, args) -> file.syncTools().get(TOOLS.indexOf(tool)).callHandler().apply(null,
                    request(tool, args)));
        }
        assertThat(heard).hasValue(6); // six write calls succeed, the failed one and the reads say nothing
        try (LiveMemory live = LiveMemory.open(tmp.resolve("listen.state"), ReplicaId.of("test"))) {
            MemoryMcp l = MemoryMcp.of(MemoryBackend.live(live));
            AtomicInteger changes = new AtomicInteger();
            try (AutoCloseable c = l.backend().onChange(changes::incrementAndGet)) {
                script((tool, args) -> l.syncTools().get(TOOLS.indexOf(tool)).callHandler().apply(null,
                        request(tool, args)));
            }
            assertThat(changes).hasValue(6);
            l.backend().deleteEntities(List.of("Babbage"));
            assertThat(changes).as("closed").hasValue(6);
        }
    }
}
