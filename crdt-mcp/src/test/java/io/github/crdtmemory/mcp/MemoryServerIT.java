/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.testkit.Git;
import io.github.crdtmemory.testkit.McpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server jar as real processes: no lost write, the npm server's results, convergence through git. */
class MemoryServerIT {
    @TempDir
    Path tmp;

    private static Map<String, Object> entity(String name, String type, String... observations) {
        return Map.of("name", name, "entityType", type, "observations", List.of(observations));
    }

    @Test
    void twoServerProcessesOnOneFileEachTakingOneHundredConcurrentCallsKeepAllTwoHundred() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path memory = tmp.resolve("memory.jsonl");
        Map<String, String> env = Map.of("MEMORY_FILE_PATH", memory.toString());
        try (McpClient a = Servers.ours(home, env); McpClient b = Servers.ours(home, env)) {
            List<int[]> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) { // pipelined: the server handles them concurrently
                sent.add(new int[] {0, a.send("tools/call", Map.of("name", "create_entities", "arguments",
                        Map.of("entities", List.of(entity("a-" + i, "call", "from a")))))});
                sent.add(new int[] {1, b.send("tools/call", Map.of("name", "create_entities", "arguments",
                        Map.of("entities", List.of(entity("b-" + i, "call", "from b")))))});
            }
            for (int[] s : sent) {
                McpClient server = s[0] == 0 ? a : b;
                JsonNode reply = server.await(s[1], 120);
                assertThat(reply.path("result").path("isError").asBoolean(false)).as("%s", reply).isFalse();
                assertThat(reply.path("result").path("structuredContent").path("entities"))
                        .as("%s%nserver log:%n%s", reply, server.log()).hasSize(1);
            }
            JsonNode graph = a.call("read_graph", Map.of()).path("structuredContent");
            assertThat(graph.path("entities")).as("%s", diagnosis(home, a, b)).hasSize(200);
        }
        MemoryGraph g = MemoryFileCodec.parse(Files.readAllBytes(memory), memory.toString()).graph();
        assertThat(g.entities()).hasSize(200);
        for (int i = 0; i < 100; i++) {
            assertThat(g.entity("a-" + i)).isPresent();
            assertThat(g.entity("b-" + i)).isPresent();
        }
    }

    /**
     * What to look at when writes went missing: the sync state directories both servers used (there
     * must be one), the replica id, and each server's lock and warning lines.
     */
    private static String diagnosis(Path home, McpClient... servers) throws IOException {
        StringBuilder out = new StringBuilder("diagnosis:");
        Path root = home.resolve(".local/state/memory-backup");
        if (Files.exists(root.resolve("files"))) {
            try (var dirs = Files.list(root.resolve("files"))) {
                out.append("\nstate dirs: ").append(dirs.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
        if (Files.exists(root.resolve("replica-id"))) {
            out.append("\nreplica-id: ").append(Files.readString(root.resolve("replica-id")).strip());
        }
        for (int i = 0; i < servers.length; i++) {
            List<String> lines = servers[i].log().lines().toList();
            out.append("\nserver ").append(i).append(": ")
                    .append(lines.stream().filter(l -> l.contains("acquired lock")).count()).append(" locks taken");
            lines.stream().filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("lost a race"))
                    .limit(10).forEach(l -> out.append("\n  ").append(l));
        }
        return out.toString();
    }

    @Test
    void theSameSessionGivesTheNpmServersResults() throws Exception {
        Assumptions.assumeTrue(McpClient.onPath("node"), "node is not installed: the npm comparison is skipped");
        List<Object[]> session = List.of(
                new Object[] {"create_entities", Map.of("entities", List.of(entity("Alice", "person", "likes tea"),
                        entity("ACME", "organization")))},
                new Object[] {"create_entities", Map.of("entities", List.of(entity("Alice", "robot"),
                        entity("Bob", "person", "plays chess")))},
                new Object[] {"create_relations", Map.of("relations", List.of(
                        Map.of("from", "Alice", "to", "ACME", "relationType", "works_at"),
                        Map.of("from", "Bob", "to", "Alice", "relationType", "knows")))},
                new Object[] {"create_relations", Map.of("relations", List.of(
                        Map.of("from", "Alice", "to", "ACME", "relationType", "works_at")))},
                new Object[] {"add_observations", Map.of("observations", List.of(
                        Map.of("entityName", "Alice", "contents", List.of("likes tea", "speaks French"))))},
                new Object[] {"add_observations", Map.of("observations", List.of(
                        Map.of("entityName", "Ghost", "contents", List.of("boo"))))},
                new Object[] {"search_nodes", Map.of("query", "FRENCH")},
                new Object[] {"open_nodes", Map.of("names", List.of("ACME"))},
                new Object[] {"delete_observations", Map.of("deletions", List.of(
                        Map.of("entityName", "Alice", "observations", List.of("likes tea"))))},
                new Object[] {"delete_relations", Map.of("relations", List.of(
                        Map.of("from", "Bob", "to", "Alice", "relationType", "knows")))},
                new Object[] {"delete_entities", Map.of("entityNames", List.of("ACME", "Nobody"))},
                new Object[] {"read_graph", Map.of()});
        Path home = Files.createDirectories(tmp.resolve("home"));
        try (McpClient npm = Servers.npm(tmp.resolve("npm.jsonl"));
             McpClient ours = Servers.ours(home, Map.of("MEMORY_FILE_PATH", tmp.resolve("ours.jsonl").toString()))) {
            ObjectNode capabilities = ours.initialized().path("capabilities").deepCopy();
            assertThat(capabilities.remove("logging")).as("the Java SDK always adds logging").isNotNull();
            assertThat(capabilities).isEqualTo(npm.initialized().path("capabilities"));
            assertThat(ours.initialized().path("serverInfo")).isEqualTo(npm.initialized().path("serverInfo"));
            assertThat(ours.request("resources/list", Map.of()).path("result"))
                    .isEqualTo(npm.request("resources/list", Map.of()).path("result"));
            for (McpClient p : List.of(npm, ours)) {
                p.request("resources/subscribe", Map.of("uri", "memory://knowledge-graph"));
            }
            JsonNode npmTools = npm.request("tools/list", Map.of()).path("result").path("tools");
            JsonNode ourTools = ours.request("tools/list", Map.of()).path("result").path("tools");
            assertThat(ourTools).hasSize(npmTools.size());
            for (int i = 0; i < npmTools.size(); i++) {
                for (String field : List.of("name", "title", "description", "inputSchema", "outputSchema")) {
                    assertThat(ourTools.get(i).get(field)).as(npmTools.get(i).get("name") + " " + field)
                            .isEqualTo(npmTools.get(i).get(field));
                }
            }
            for (Object[] step : session) {
                JsonNode expected = normal(npm.call((String) step[0], step[1]));
                JsonNode actual = normal(ours.call((String) step[0], step[1]));
                assertThat(actual).as("%s %s", step[0], step[1]).isEqualTo(expected);
            }
            Map<String, String> read = Map.of("uri", "memory://knowledge-graph");
            assertThat(ours.request("resources/read", read).path("result"))
                    .isEqualTo(npm.request("resources/read", read).path("result"));
            assertThat(ours.notifications()).as("one resource update per write, as the npm server sends")
                    .isEqualTo(npm.notifications()).hasSize(8);
        }
        assertThat(Files.readString(tmp.resolve("ours.jsonl")).strip())
                .isEqualTo(Files.readString(tmp.resolve("npm.jsonl")).strip());
    }

    /** A result with {@code isError} made explicit (the npm server leaves out {@code false}). */
    private static JsonNode normal(JsonNode result) {
        ObjectNode copy = result.deepCopy();
        copy.put("isError", result.path("isError").asBoolean(false));
        return copy;
    }

    @Test
    void twoServersOnTwoReplicasConvergeByPeriodicSyncThroughGit() throws Exception {
        Path remote = Files.createDirectories(tmp.resolve("remote.git"));
        Process init = new ProcessBuilder("git", "init", "--bare", "-q", remote.toString()).inheritIO().start();
        assertThat(init.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String store = "git+file://" + remote;
        try (McpClient a = Servers.ours(Files.createDirectories(tmp.resolve("ha")), Map.of("MEMORY_FILE_PATH",
                tmp.resolve("a.jsonl").toString(), "MEMORY_BACKUP_REPLICA", "server-a"), "--store", store,
                "--sync-every", "1");
             McpClient b = Servers.ours(Files.createDirectories(tmp.resolve("hb")), Map.of("MEMORY_FILE_PATH",
                     tmp.resolve("b.jsonl").toString(), "MEMORY_BACKUP_REPLICA", "server-b"), "--store", store,
                     "--sync-every", "1")) {
            a.request("resources/subscribe", Map.of("uri", "memory://knowledge-graph"));
            a.call("create_entities", Map.of("entities", List.of(entity("Ada", "person", "from a"))));
            b.call("create_entities", Map.of("entities", List.of(entity("Ada", "person", "from b"),
                    entity("Bob", "person"))));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            JsonNode ga = null;
            JsonNode gb = null;
            while (System.nanoTime() < deadline) {
                ga = a.call("read_graph", Map.of()).path("structuredContent");
                gb = b.call("read_graph", Map.of()).path("structuredContent");
                if (ga.equals(gb) && ga.path("entities").size() == 2
                        && ga.path("entities").get(0).path("observations").size() == 2) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(ga).isEqualTo(gb);
            assertThat(ga.path("entities").findValuesAsText("name")).containsExactlyInAnyOrder("Ada", "Bob");
            long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // sent just after the sync's write
            while (a.notifications().size() < 2 && System.nanoTime() < wait) {
                Thread.sleep(50);
            }
            assertThat(a.notifications()).as("a's own write, then the sync that brought b's edits")
                    .hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(n -> assertThat(n.path("params").path("uri").asText()).isEqualTo("memory://knowledge-graph"));
        }
    }

    @Test
    void withAKeyFileTheServerSyncsEncryptedAndTheRemoteHoldsNoText() throws Exception {
        Path remote = Files.createDirectories(tmp.resolve("remote.git"));
        Process init = new ProcessBuilder("git", "init", "--bare", "-q", remote.toString()).inheritIO().start();
        assertThat(init.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Path key = tmp.resolve("memory.key");
        io.github.crdtmemory.seal.KeyFile.create(key, io.github.crdtmemory.seal.Keyring.generate());
        try (McpClient a = Servers.ours(Files.createDirectories(tmp.resolve("ha")), Map.of("MEMORY_FILE_PATH",
                tmp.resolve("a.jsonl").toString(), "MEMORY_BACKUP_REPLICA", "server-a", "MEMORY_BACKUP_KEY_FILE",
                key.toString()), "--store", "git+file://" + remote, "--sync-every", "1")) {
            a.call("create_entities", Map.of("entities", List.of(entity("Ada Lovelace", "mathematician",
                    "wrote the first program"))));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String objects = "";
            while (System.nanoTime() < deadline && !objects.contains("\"sealed\"")) {
                Thread.sleep(300);
                objects = Git.output(remote, "cat-file", "--batch-all-objects", "--batch");
            }
            assertThat(objects).contains("\"sealed\":\"AES-256-GCM\"").doesNotContain("Ada")
                    .doesNotContain("first program").doesNotContain("mathematician");
        }
    }


    @Test
    void aFileEmptiedByAnotherWriterMakesWriteCallsFailAndNothingIsWritten() throws Exception {
        Path file = tmp.resolve("emptied.jsonl");
        try (McpClient server = Servers.ours(Files.createDirectories(tmp.resolve("he")),
                Map.of("MEMORY_FILE_PATH", file.toString()))) {
            List<Object> six = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                six.add(entity("e" + i, "thing"));
            }
            assertThat(server.call("create_entities", Map.of("entities", six)).path("isError").asBoolean()).isFalse();
            Files.write(file, new byte[0]); // another writer truncated it (and never wrote it again)
            JsonNode refused = server.call("create_entities", Map.of("entities", List.of(entity("x", "thing"))));
            assertThat(refused.path("isError").asBoolean()).isTrue();
            assertThat(refused.path("content").get(0).path("text").asText())
                    .contains("delete 6 of the 6 entities", "memory-backup sync --allow-mass-deletion");
            assertThat(Files.size(file)).as("nothing written").isZero();
            assertThat(server.call("read_graph", Map.of()).path("structuredContent").path("entities")).isEmpty();
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static String line(Object message) throws IOException {
        return JSON.writeValueAsString(message) + "\n";
    }

    private static String initialize() throws IOException {
        return line(Map.of("jsonrpc", "2.0", "id", 0, "method", "initialize", "params", Map.of("protocolVersion",
                "2025-06-18", "capabilities", Map.of(), "clientInfo", Map.of("name", "script", "version", "0"))));
    }

    private static String createEntity(int id, String name) throws IOException {
        return line(Map.of("jsonrpc", "2.0", "id", id, "method", "tools/call", "params", Map.of("name",
                "create_entities", "arguments", Map.of("entities", List.of(entity(name, "call", "line " + id))))));
    }

    /** What a script that writes {@code input} to the server and closes stdin at once gets back. */
    private record Piped(Map<Integer, JsonNode> answers, int exit, long millis, String log) {
    }

    private Piped pipe(String input, Path file) throws Exception {
        Path log = Files.createTempFile(tmp, "piped", ".log");
        ProcessBuilder pb = Servers.oursProcess(Files.createDirectories(tmp.resolve("hp")),
                Map.of("MEMORY_FILE_PATH", file.toString()));
        pb.redirectError(log.toFile());
        long start = System.nanoTime();
        Process p = pb.start();
        try (var stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        boolean exited = p.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        assertThat(exited).as("the server exits once stdin ends (log: %s)", Files.readString(log)).isTrue();
        Map<Integer, JsonNode> answers = new java.util.TreeMap<>();
        for (String l : out.get(30, TimeUnit.SECONDS).split("\n")) {
            JsonNode reply = JSON.readTree(l);
            answers.put(reply.path("id").asInt(), reply);
        }
        return new Piped(answers, p.exitValue(), (System.nanoTime() - start) / 1_000_000, Files.readString(log));
    }

    /**
     * A client that writes its requests and closes stdin at once (a script: write, close, read) gets
     * every answer, and every write is made, as from the npm server.
     */
    @Test
    void requestsWrittenJustBeforeStdinClosesAreAllAnsweredAndWritten() throws Exception {
        Path file = tmp.resolve("piped.jsonl");
        StringBuilder in = new StringBuilder(initialize()).append("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
        for (int i = 1; i <= 20; i++) {
            in.append(createEntity(i, "piped-" + i));
        }
        in.append(line(Map.of("jsonrpc", "2.0", "id", 21, "method", "tools/call", "params",
                Map.of("name", "open_nodes", "arguments", Map.of("names", List.of("piped-1"))))));
        Piped piped = pipe(in.toString(), file);

        assertThat(piped.exit()).isZero();
        assertThat(piped.answers().keySet()).as("answered (log: %s)", piped.log())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(0, 21).boxed().toList());
        assertThat(piped.answers().values()).allSatisfy(r -> assertThat(r.has("error")).as("%s", r).isFalse());
        MemoryGraph g = MemoryFileCodec.parse(Files.readAllBytes(file), file.toString()).graph();
        assertThat(g.entities()).hasSize(20);
    }

    /**
     * A client killed in the middle of a message, or one that never said it was initialized, does not
     * keep the server running: it answers what it can and exits at once, not after the drain's bound.
     */
    @Test
    void aCutLastMessageOrAnUninitializedClientEndsTheServerAtOnce() throws Exception {
        Path cut = tmp.resolve("cut.jsonl");
        Piped killed = pipe(initialize() + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                + createEntity(1, "before-the-cut") + "{\"jsonrpc\":\"2.0\",\"id\":2,\"meth", cut);
        assertThat(killed.answers().keySet()).as("log: %s", killed.log()).containsExactly(0, 1);
        assertThat(MemoryFileCodec.parse(Files.readAllBytes(cut), cut.toString()).graph().entity("before-the-cut"))
                .isPresent();
        assertThat(killed.millis()).as("well inside the drain's two minutes").isLessThan(60_000);

        Piped uninitialized = pipe(initialize() + createEntity(1, "never"), tmp.resolve("uninitialized.jsonl"));
        assertThat(uninitialized.answers().keySet()).containsExactly(0);
        assertThat(uninitialized.millis()).as("well inside the drain's two minutes").isLessThan(60_000);
    }

    @Test
    void theLauncherRunsTheJar() throws Exception {
        Process p = new ProcessBuilder(Path.of("../bin/memory-mcp-server").toAbsolutePath().normalize().toString(),
                "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).startsWith("memory-mcp-server 0.1.0-SNAPSHOT");
    }
}
