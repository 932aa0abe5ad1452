/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.StoreOptions;
import io.github.crdtmemory.store.StoreRegistry;
import io.github.crdtmemory.testkit.McpClient;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * {@code memory-mcp-server --http} as a real process driven over real HTTP: the Java SDK's client
 * (every tool, the resource read and subscribed), 8 clients x 100 concurrent writes, bad input, an old
 * stdio server on the same file, and the graceful stop (last: it stops the shared server).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpServerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 65_536;

    @TempDir
    static Path tmp;

    private static HttpServerProcess server;
    private static Path store;

    @BeforeAll
    static void start() throws Exception {
        store = tmp.resolve("store");
        server = HttpServerProcess.start(Files.createDirectories(tmp.resolve("server")), "--store", "file:" + store,
                "--sync-every", "3600", "--max-body", String.valueOf(MAX_BODY));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static McpSyncClient client(List<String> updates) throws Exception {
        McpSyncClient c = io.modelcontextprotocol.client.McpClient.sync(transport(server.token()))
                .requestTimeout(Duration.ofSeconds(60))
                .resourcesUpdateConsumer(contents -> contents.forEach(r -> updates.add(r.uri())))
                .build();
        c.initialize();
        return c;
    }

    private static HttpClientStreamableHttpTransport transport(String token) {
        return HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + server.port()).endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token)).build();
    }

    private static Map<String, Object> entity(String name, String type, String... observations) {
        return Map.of("name", name, "entityType", type, "observations", List.of(observations));
    }

    private static McpSchema.CallToolRequest callRequest(String tool, Map<String, Object> args) {
        return McpSchema.CallToolRequest.builder(tool).arguments(args).build();
    }

    private static McpSchema.CallToolResult call(McpSyncClient c, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = c.callTool(callRequest(tool, args));
        assertThat(r.isError()).as("%s: %s", tool, r.content()).isNotEqualTo(Boolean.TRUE);
        return r;
    }

    private static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @Test
    @Order(1)
    void theSdkClientListsAndCallsEveryToolAndReadsAndSubscribesToTheGraph() throws Exception {
        List<String> updates = new CopyOnWriteArrayList<>();
        try (McpSyncClient c = client(updates)) {
            assertThat(c.getCurrentInitializationResult().serverInfo().name()).isEqualTo("memory-server");
            assertThat(c.listTools().tools()).extracting(McpSchema.Tool::name).containsExactlyInAnyOrder(
                    "create_entities", "create_relations", "add_observations", "delete_entities",
                    "delete_observations", "delete_relations", "read_graph", "search_nodes", "open_nodes");
            c.subscribeResource(McpSchema.SubscribeRequest.builder(io.github.crdtmemory.mcp.api.MemoryMcp.GRAPH_URI).build());
            call(c, "create_entities", Map.of("entities", List.of(entity("Ada", "person", "wrote programs"),
                    entity("Babbage", "person"), entity("Temp", "thing", "gone soon"))));
            call(c, "create_relations", Map.of("relations", List.of(Map.of("from", "Ada", "to", "Babbage",
                    "relationType", "knew"), Map.of("from", "Temp", "to", "Ada", "relationType", "x"))));
            assertThat(text(call(c, "add_observations", Map.of("observations", List.of(Map.of("entityName", "Babbage",
                    "contents", List.of("designed engines", "drafted")))))))
                    .contains("\"addedObservations\"").contains("designed engines");
            call(c, "delete_observations", Map.of("deletions", List.of(Map.of("entityName", "Babbage",
                    "observations", List.of("drafted")))));
            call(c, "delete_relations", Map.of("relations", List.of(Map.of("from", "Temp", "to", "Ada",
                    "relationType", "x"))));
            assertThat(text(call(c, "delete_entities", Map.of("entityNames", List.of("Temp")))))
                    .isEqualTo("Entities deleted successfully");
            assertThat(JSON.readTree(text(call(c, "search_nodes", Map.of("query", "engines")))).path("entities"))
                    .extracting(e -> e.path("name").asText()).containsExactly("Babbage");
            assertThat(text(call(c, "open_nodes", Map.of("names", List.of("Ada"))))).contains("wrote programs");
            JsonNode graph = JSON.readTree(text(call(c, "read_graph", Map.of())));
            assertThat(graph.path("entities")).hasSize(2);
            assertThat(graph.path("relations")).hasSize(1);
            McpSchema.ReadResourceResult resource = c.readResource(McpSchema.ReadResourceRequest.builder(io.github.crdtmemory.mcp.api.MemoryMcp.GRAPH_URI).build());
            assertThat(((McpSchema.TextResourceContents) resource.contents().get(0)).text())
                    .isEqualTo(text(call(c, "read_graph", Map.of())));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (updates.size() < 6 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(updates).as("one notification per write call").hasSizeGreaterThanOrEqualTo(6)
                    .containsOnly(io.github.crdtmemory.mcp.api.MemoryMcp.GRAPH_URI);
        }
        MemoryGraph file = server.awaitFile(g -> g.entity("Babbage").map(e -> e.observations().size() == 1)
                .orElse(false) && g.entity("Temp").isEmpty());
        assertThat(file.entity("Babbage").orElseThrow().observations()).containsExactly("designed engines");
        assertThat(file.entity("Temp")).isEmpty();
        assertThat(file.relations()).hasSize(1);
    }

    @Test
    @Order(2)
    void eightClientsEachSendingOneHundredConcurrentWritesKeepAllEightHundred() throws Exception {
        List<McpAsyncClient> clients = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            McpAsyncClient c = io.modelcontextprotocol.client.McpClient.async(transport(server.token()))
                    .requestTimeout(Duration.ofSeconds(120)).build();
            c.initialize().block(Duration.ofSeconds(60));
            clients.add(c);
        }
        try {
            List<McpSchema.CallToolResult> results = Flux.range(0, 800)
                    .flatMap(i -> clients.get(i % 8).callTool(callRequest("create_entities",
                            Map.of("entities", List.of(entity("c" + (i % 8) + "-" + i / 8, "call", "from client " + i % 8))))),
                            800)
                    .collectList().block(Duration.ofSeconds(180));
            assertThat(results).hasSize(800).allSatisfy(r -> assertThat(r.isError()).isNotEqualTo(Boolean.TRUE));
        } finally {
            clients.forEach(McpAsyncClient::closeGracefully);
        }
        MemoryGraph file = server.awaitFile(g -> written(g) == 800);
        assertThat(written(file)).as("in the memory file; the server's log:%n%s", server.log()).isEqualTo(800);
    }

    private static long written(MemoryGraph g) {
        return g.entities().stream().filter(e -> e.name().matches("c[0-7]-\\d+")).count();
    }

    @Test
    @Order(3)
    void badRequestsGetTheirStatusChangeNothingAndTheServerStaysUp() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String token = server.token();
        HttpResponse<String> init = post(http, token, "application/json", null, "{\"jsonrpc\":\"2.0\",\"id\":1,"
                + "\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}", null);
        assertThat(init.statusCode()).isEqualTo(200);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(post(http, token, "application/json", null,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", session).statusCode()).isEqualTo(202);
        byte[] before = Files.readAllBytes(server.memoryFile);

        assertThat(post(http, null, "application/json", null, create("bad-1"), session).statusCode()).isEqualTo(401);
        assertThat(post(http, "not-the-token-but-long-enough", "application/json", null, create("bad-2"), session)
                .statusCode()).isEqualTo(401);
        assertThat(post(http, token + "x", "application/json", null, create("bad-3"), session).statusCode()).isEqualTo(401);
        assertThat(post(http, token, "application/json", null, create("bad-4", "x".repeat(MAX_BODY)), session)
                .statusCode()).isEqualTo(413);
        assertThat(post(http, token, "text/plain", null, create("bad-5"), session).statusCode()).isEqualTo(415);
        assertThat(post(http, token, "application/json", "http://evil.example", create("bad-6"), session)
                .statusCode()).isEqualTo(403);
        HttpResponse<String> truncated = post(http, token, "application/json", null,
                create("bad-7").substring(0, 40), session);
        assertThat(truncated.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(truncated.body()).path("error").path("code").asInt()).isEqualTo(-32700);
        com.fasterxml.jackson.databind.node.ObjectNode withoutVersion =
                (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(create("bad-8"));
        assertThat(withoutVersion.remove("jsonrpc")).isNotNull();
        HttpResponse<String> notRpc = post(http, token, "application/json", null, withoutVersion.toString(), session);
        assertThat(notRpc.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notRpc.body()).path("error").path("code").asInt()).isEqualTo(-32600);
        assertThat(JSON.readTree(notRpc.body()).path("id").asInt()).isEqualTo(7);
        assertThat(rawStatus("evil.example:" + server.port(), token, create("bad-9"), session))
                .as("a foreign Host (DNS rebinding)").isEqualTo(403);
        assertThat(rawStatus("127.0.0.1:" + server.port(), token, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}",
                session)).as("the same raw request with our Host").isEqualTo(200);
        HttpResponse<String> getWithoutToken = http.send(HttpRequest.newBuilder(URI.create(server.endpoint()))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(getWithoutToken.statusCode()).isEqualTo(401);

        assertThat(server.alive()).isTrue();
        assertThat(server.health().statusCode()).isEqualTo(200);
        assertThat(server.health().body()).isEqualTo("ok\n");
        Thread.sleep(2 * HttpServer.EXPORT_MILLIS); // a refused write would have reached the file by now
        assertThat(Files.readAllBytes(server.memoryFile)).as("nothing written").isEqualTo(before);
        // the same request, right in every way, does write: the refusals above were the checks'
        HttpResponse<String> good = post(http, token, "application/json", null, create("good-1"), session);
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(good.body()).contains("good-1");
        MemoryGraph file = server.awaitFile(g -> g.entity("good-1").isPresent());
        assertThat(file.entity("good-1")).isPresent();
        assertThat(file.entities()).noneMatch(e -> e.name().startsWith("bad-"));
    }

    private static String create(String name, String... observations) throws Exception {
        return JSON.writeValueAsString(Map.of("jsonrpc", "2.0", "id", 7, "method", "tools/call", "params",
                Map.of("name", "create_entities", "arguments", Map.of("entities", List.of(entity(name, "bad",
                        observations))))));
    }

    /** A POST over a plain socket, to send a Host header java.net.http will not; returns the status. */
    private static int rawStatus(String host, String token, String body, String session) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            String head = "POST /mcp HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                    + "Mcp-Session-Id: " + session + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    private static HttpResponse<String> post(HttpClient http, String token, String type, String origin, String body,
            String session) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.endpoint())).timeout(Duration.ofSeconds(30))
                .header("Content-Type", type).header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(4)
    void anOldStdioServerOnTheSameFileAndTheHttpServerSeeEachOthersWrites() throws Exception {
        try (McpClient stdio = Servers.ours(server.home, Map.of(), "--memory-file", server.memoryFile.toString(),
                "--state-dir", server.stateDir.toString());
                McpSyncClient http = client(new CopyOnWriteArrayList<>())) {
            stdio.call("create_entities", Map.of("entities", List.of(entity("from-stdio", "note", "written by stdio"))));
            call(http, "create_entities", Map.of("entities", List.of(entity("from-http", "note", "written by http"))));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String seen = "";
            while (!seen.contains("from-stdio") && System.nanoTime() < deadline) {
                Thread.sleep(100);
                seen = text(call(http, "open_nodes", Map.of("names", List.of("from-stdio"))));
            }
            assertThat(seen).as("the HTTP server took the stdio server's write from the file").contains("written by stdio");
            MemoryGraph file = server.awaitFile(g -> g.entity("from-http").isPresent() && g.entity("from-stdio").isPresent());
            assertThat(file.entity("from-http")).isPresent();
            assertThat(file.entity("from-stdio")).isPresent();
            assertThat(stdio.call("open_nodes", Map.of("names", List.of("from-http"))).toString()).contains("written by http");
        }
    }

    @Test
    @Order(5)
    void theTokenFileIsTheOwnersOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.stateDir.resolve("mcp-http.token"))))
                .isEqualTo("rw-------");
        assertThat(server.log()).doesNotContain(server.token());
    }

    @Test
    @Order(6)
    void sigtermFinishesTheCallsInFlightWritesTheFileAndSyncsOnce() throws Exception {
        McpAsyncClient c = io.modelcontextprotocol.client.McpClient.async(transport(server.token()))
                .requestTimeout(Duration.ofSeconds(60)).build();
        c.initialize().block(Duration.ofSeconds(60));
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        Flux.range(0, 40).flatMap(i -> c.callTool(callRequest("create_entities",
                Map.of("entities", List.of(entity("last-" + i, "call")))))
                .doOnNext(r -> {
                    if (!Boolean.TRUE.equals(r.isError())) {
                        acknowledged.add("last-" + i);
                    }
                }).onErrorResume(e -> reactor.core.publisher.Mono.empty()), 40).subscribe();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (acknowledged.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(server.stop()).as("exit status after SIGTERM (143: terminated by the signal, after the hook)")
                .isIn(0, 143);
        c.close();
        assertThat(acknowledged).isNotEmpty();
        MemoryGraph file = server.fileGraph();
        assertThat(acknowledged).allSatisfy(name -> assertThat(file.entity(name)).as(name).isPresent());
        assertThat(written(file)).as("the server's log:%n%s", server.log()).isEqualTo(800);
        try (ReplicaStore replicas = StoreRegistry.discover().open("file:" + store,
                StoreOptions.of(Files.createDirectories(tmp.resolve("cache"))))) {
            List<MemoryState> states = new ArrayList<>();
            replicas.read().states().forEach(s -> states.add(s.state()));
            MemoryGraph synced = MemoryState.joinAll(states).view();
            assertThat(written(synced)).as("after the sync at the stop").isEqualTo(800);
            assertThat(synced.entities().stream().map(e -> e.name()).collect(Collectors.toSet()))
                    .containsAll(acknowledged).contains("Ada", "from-stdio", "from-http", "good-1");
        }
    }
}
