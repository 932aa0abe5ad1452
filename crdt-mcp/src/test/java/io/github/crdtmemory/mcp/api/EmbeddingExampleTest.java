/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.live.LiveMemory;
import io.github.crdtmemory.store.MemoryStore;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncSettings;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/embedding.md's three lines, with both backends, on a real SDK server (its stdio transport over
 * in-process pipes): a client's handshake, subscription, tool call and resource notification.
 */
class EmbeddingExampleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A JSON-RPC client on the server transport's streams. */
    private static final class Client {
        final StdioServerTransportProvider transport;
        private final OutputStream out;
        private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        private final List<JsonNode> kept = new ArrayList<>();

        Client() throws Exception {
            Pipe toServer = Pipe.open();
            Pipe fromServer = Pipe.open();
            transport = new StdioServerTransportProvider(McpJsonDefaults.getMapper(),
                    Channels.newInputStream(toServer.source()), Channels.newOutputStream(fromServer.sink()));
            out = Channels.newOutputStream(toServer.sink());
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(
                        Channels.newInputStream(fromServer.source()), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        received.add(JSON.readTree(line));
                    }
                } catch (IOException e) {
                    // the pipe closed with the test
                }
            }, "embedding-test-client");
            reader.setDaemon(true);
            reader.start();
        }

        void send(Map<String, Object> message) throws Exception {
            out.write((JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        JsonNode request(int id, String method, Map<String, Object> params) throws Exception {
            send(Map.of("jsonrpc", "2.0", "id", id, "method", method, "params", params));
            return next(m -> m.path("id").asInt(-1) == id);
        }

        /** The first message, received or still to come, that {@code which} accepts; others are kept. */
        JsonNode next(Predicate<JsonNode> which) throws Exception {
            for (Iterator<JsonNode> i = kept.iterator(); i.hasNext(); ) {
                JsonNode m = i.next();
                if (which.test(m)) {
                    i.remove();
                    return m;
                }
            }
            for (JsonNode m = received.poll(20, TimeUnit.SECONDS); m != null; m = received.poll(20, TimeUnit.SECONDS)) {
                if (which.test(m)) {
                    return m;
                }
                kept.add(m);
            }
            throw new AssertionError("no such message from the server; received " + kept);
        }

        /** Handshake, subscription, one write; returns the write's result. */
        JsonNode session() throws Exception {
            JsonNode init = request(1, "initialize", Map.of("protocolVersion", "2025-06-18", "capabilities", Map.of(),
                    "clientInfo", Map.of("name", "embedding-test", "version", "0")));
            assertThat(init.path("result").path("capabilities").path("resources").path("subscribe").asBoolean())
                    .as("%s", init).isTrue();
            send(Map.of("jsonrpc", "2.0", "method", "notifications/initialized"));
            assertThat(request(2, "tools/list", Map.of()).path("result").path("tools")).hasSize(9);
            request(3, "resources/subscribe", Map.of("uri", MemoryMcp.GRAPH_URI));
            JsonNode created = request(4, "tools/call", Map.of("name", "create_entities", "arguments", Map.of("entities",
                    List.of(Map.of("name", "Ada", "entityType", "person", "observations", List.of("wrote programs"))))));
            JsonNode updated = next(m -> m.path("method").asText().equals("notifications/resources/updated"));
            assertThat(updated.path("params").path("uri").asText()).isEqualTo(MemoryMcp.GRAPH_URI);
            return created.path("result");
        }
    }

    @Test
    void theThreeLinesOnALiveMemoryServeASyncServer() throws Exception {
        Client client = new Client();
        try (LiveMemory liveMemory = LiveMemory.open(tmp.resolve("live.state"), ReplicaId.of("laptop"))) {
            var transport = client.transport;
            MemoryMcp memory = MemoryMcp.of(MemoryBackend.live(liveMemory));
            McpSyncServer server = McpServer.sync(transport).capabilities(MemoryMcp.capabilities().build())
                    .tools(memory.syncTools()).resources(memory.syncResource()).build();
            memory.notifySubscribers(server);
            try {
                JsonNode result = client.session();
                assertThat(result.path("structuredContent").path("entities").get(0).path("name").asText()).isEqualTo("Ada");
                assertThat(liveMemory.readGraph().entity("Ada")).isPresent();
            } finally {
                server.close();
            }
        }
    }

    @Test
    void theThreeLinesOnTheSharedFileServeAnAsyncServer() throws Exception {
        Client client = new Client();
        Path memoryFile = tmp.resolve("memory.jsonl");
        try (MemoryStore store = MemoryStore.create("embedding")) {
            var transport = client.transport;
            ReplicaId replica = ReplicaId.of("laptop");
            Path stateDir = tmp.resolve("state");
            MemoryMcp memory = MemoryMcp.of(MemoryBackend.sharedFile(SyncEngine.create(SyncSettings.of(memoryFile, stateDir, replica), store)));
            McpAsyncServer server = McpServer.async(transport).capabilities(MemoryMcp.capabilities().build())
                    .tools(memory.asyncTools()).resources(memory.asyncResource()).build();
            memory.notifySubscribers(server);
            try {
                JsonNode result = client.session();
                assertThat(result.path("content").get(0).path("text").asText()).contains("\"name\": \"Ada\"");
                assertThat(Files.readString(memoryFile)).contains("\"name\":\"Ada\"");
            } finally {
                server.close();
            }
        }
    }
}
