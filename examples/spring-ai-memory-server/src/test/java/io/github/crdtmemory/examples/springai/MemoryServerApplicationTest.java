/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.examples.springai;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.live.LiveMemory;
import io.github.crdtmemory.mcp.api.MemoryBackend;
import io.github.crdtmemory.mcp.api.MemoryMcp;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The example as a client sees it: the Spring AI server started on an ephemeral port, the MCP SDK's
 * Streamable HTTP client connected to it, every tool called, the resource read and subscribed to.
 */
class MemoryServerApplicationTest {
    private static final List<String> TOOLS = List.of("create_entities", "create_relations", "add_observations",
            "delete_entities", "delete_observations", "delete_relations", "read_graph", "search_nodes", "open_nodes");

    @TempDir
    Path tmp;

    /** Every tool once, an error included; each result as text, error flag and structured content. */
    private static List<String> script(Function<McpSchema.CallToolRequest, McpSchema.CallToolResult> call) {
        List<McpSchema.CallToolRequest> calls = List.of(
                request("create_entities", Map.of("entities", List.of(
                        Map.of("name", "Ada", "entityType", "person", "observations", List.of("wrote programs")),
                        Map.of("name", "Babbage", "entityType", "person", "observations", List.of())))),
                request("create_relations", Map.of("relations", List.of(
                        Map.of("from", "Ada", "to", "Babbage", "relationType", "met")))),
                request("add_observations", Map.of("observations", List.of(
                        Map.of("entityName", "Babbage", "contents", List.of("built engines", "met Ada"))))),
                request("add_observations", Map.of("observations", List.of(
                        Map.of("entityName", "Nobody", "contents", List.of("x"))))),
                request("search_nodes", Map.of("query", "ENGINES")),
                request("open_nodes", Map.of("names", List.of("Ada"))),
                request("delete_observations", Map.of("deletions", List.of(
                        Map.of("entityName", "Babbage", "observations", List.of("met Ada"))))),
                request("delete_relations", Map.of("relations", List.of(
                        Map.of("from", "Ada", "to", "Babbage", "relationType", "met")))),
                request("delete_entities", Map.of("entityNames", List.of("Ada"))),
                request("read_graph", Map.of()));
        List<String> out = new ArrayList<>();
        for (McpSchema.CallToolRequest c : calls) {
            McpSchema.CallToolResult r = call.apply(c);
            out.add(c.name() + " isError=" + r.isError() + "\n" + ((McpSchema.TextContent) r.content().get(0)).text()
                    + "\n" + r.structuredContent());
        }
        return out;
    }

    private static McpSchema.CallToolRequest request(String tool, Map<String, Object> arguments) {
        return McpSchema.CallToolRequest.builder(tool).arguments(arguments).build();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"live", "shared-file"})
    void theSdksHttpClientCallsEveryToolAndReadsAndSubscribesToTheResource(String backend) throws Exception {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--memory.state-dir=" + tmp.resolve("state")));
        if (backend.equals("shared-file")) {
            args.add("--memory.file=" + tmp.resolve("memory.jsonl"));
        }
        List<String> expected;
        List<McpSchema.Tool> definitions;
        try (LiveMemory live = LiveMemory.open(tmp.resolve("expected.state"), ReplicaId.of("expected"))) {
            MemoryMcp memory = MemoryMcp.of(MemoryBackend.live(live)); // in-process: what HTTP must answer
            expected = script(c -> memory.syncTools().get(TOOLS.indexOf(c.name())).callHandler().apply(null, c));
            definitions = memory.tools();
        }
        try (ConfigurableApplicationContext app = SpringApplication.run(MemoryServerApplication.class,
                args.toArray(String[]::new))) {
            String port = app.getEnvironment().getProperty("local.server.port");
            BlockingQueue<List<McpSchema.ResourceContents>> updates = new LinkedBlockingQueue<>();
            try (McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport
                            .builder("http://127.0.0.1:" + port).endpoint("/mcp").build())
                    .requestTimeout(Duration.ofSeconds(20)).resourcesUpdateConsumer(updates::add).build()) {
                McpSchema.InitializeResult init = client.initialize();
                assertThat(init.capabilities().resources().subscribe()).isTrue();

                List<McpSchema.Tool> tools = client.listTools().tools();
                assertThat(tools).extracting(McpSchema.Tool::name).containsExactlyInAnyOrderElementsOf(TOOLS);
                for (McpSchema.Tool t : tools) { // as the npm server defines them, schemas and annotations included
                    assertThat(t).isEqualTo(definitions.get(TOOLS.indexOf(t.name())));
                }
                assertThat(client.listResources().resources()).extracting(McpSchema.Resource::uri)
                        .containsExactly("memory://knowledge-graph");
                client.subscribeResource(McpSchema.SubscribeRequest.builder(MemoryMcp.GRAPH_URI).build());

                List<String> answered = script(client::callTool);
                assertThat(answered).isEqualTo(expected);
                assertThat(answered.get(3)).startsWith("add_observations isError=true\nEntity with name Nobody not found");

                String graph = ((McpSchema.TextResourceContents) client.readResource(
                        McpSchema.ReadResourceRequest.builder(MemoryMcp.GRAPH_URI).build()).contents().get(0)).text();
                assertThat(answered.get(9)).startsWith("read_graph isError=false\n" + graph + "\n");
                assertThat(graph).contains("\"name\": \"Babbage\"").doesNotContain("Ada");
                List<McpSchema.ResourceContents> update = updates.poll(20, TimeUnit.SECONDS);
                assertThat(update).as("a notifications/resources/updated after a write").isNotNull();
            }
        }
        if (backend.equals("shared-file")) { // the MCP memory file, as the npm server would have left it
            assertThat(Files.readString(tmp.resolve("memory.jsonl"))).contains("\"name\":\"Babbage\"")
                    .doesNotContain("Ada");
        } else { // the live memory's state, durable: a reopened memory holds the same graph
            try (LiveMemory reopened = LiveMemory.open(tmp.resolve("state/spring-example.state"),
                    ReplicaId.of("spring-example"))) {
                assertThat(reopened.readGraph().entities()).extracting(e -> e.name()).containsExactly("Babbage");
            }
        }
    }
}
