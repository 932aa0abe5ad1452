/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crdtmemory.testkit.McpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with the real MCP memory server ({@code @modelcontextprotocol/server-memory@2026.8.31}): two
 * server processes on two memory files, different edits through JSON-RPC tool calls (one at a time per
 * server), {@code memory-backup sync} for both, twice; then both servers' {@code read_graph} agree and
 * hold every edit, deletions honoured. Skipped only when {@code node} is missing; npm installs the
 * package into the build directory when it is not there yet.
 */
class McpInteropIT {
    @TempDir
    Path tmp;

    @BeforeAll
    static void nodeIsInstalled() {
        Assumptions.assumeTrue(McpClient.onPath("node"), "node is not installed: the MCP interop test is skipped "
                + "(.ci/run installs nodejs and npm)");
    }

    /** One npm server process, one request at a time; a tool call's structured result. */
    private static JsonNode call(McpClient server, String tool, Object arguments) throws Exception {
        JsonNode result = server.call(tool, arguments);
        assertThat(result.path("isError").asBoolean(false)).as("%s failed: %s", tool, result).isFalse();
        return result.path("structuredContent");
    }

    private static McpClient server(Path memoryFile) throws Exception {
        return McpClient.npm(Path.of(System.getProperty("memoryBackup.npmDir", "target/npm")), memoryFile);
    }

    @Test
    void twoRealServersConvergeThroughMemoryBackupSync() throws Exception {
        Path remote = Files.createDirectories(tmp.resolve("remote.git"));
        Cli.git(remote, "init", "--bare", "-q");
        Path fileA = tmp.resolve("a/memory.jsonl");
        Path fileB = tmp.resolve("b/memory.jsonl");
        Files.createDirectories(fileA.getParent());
        Files.createDirectories(fileB.getParent());
        Cli a = cli("a", fileA, remote);
        Cli b = cli("b", fileB, remote);
        try (McpClient sa = server(fileA); McpClient sb = server(fileB)) {
            call(sa, "create_entities", Map.of("entities", List.of(
                    Map.of("name", "Alice", "entityType", "person", "observations", List.of("likes tea")),
                    Map.of("name", "ACME", "entityType", "organization", "observations", List.of()))));
            call(sa, "create_relations", Map.of("relations", List.of(
                    Map.of("from", "Alice", "to", "ACME", "relationType", "works_at"))));
            call(sb, "create_entities", Map.of("entities", List.of(
                    Map.of("name", "Carol", "entityType", "person", "observations", List.of("from b")))));
            syncBoth(a, b);

            call(sa, "add_observations", Map.of("observations", List.of(
                    Map.of("entityName", "Alice", "contents", List.of("speaks French")))));
            call(sa, "create_entities", Map.of("entities", List.of(
                    Map.of("name", "Bob", "entityType", "person", "observations", List.of()))));
            call(sb, "add_observations", Map.of("observations", List.of(
                    Map.of("entityName", "Alice", "contents", List.of("plays chess")))));
            call(sb, "delete_entities", Map.of("entityNames", List.of("ACME")));
            call(sb, "delete_observations", Map.of("deletions", List.of(
                    Map.of("entityName", "Carol", "observations", List.of("from b")))));
            syncBoth(a, b);

            JsonNode ga = call(sa, "read_graph", Map.of());
            JsonNode gb = call(sb, "read_graph", Map.of());
            assertThat(ga).isEqualTo(gb);
            assertThat(names(ga)).containsExactlyInAnyOrder("Alice", "Bob", "Carol");
            JsonNode alice = entity(ga, "Alice");
            List<String> observations = new ArrayList<>();
            alice.path("observations").forEach(o -> observations.add(o.asText()));
            assertThat(observations).containsExactlyInAnyOrder("likes tea", "speaks French", "plays chess");
            assertThat(entity(ga, "Carol").path("observations")).isEmpty();
            assertThat(ga.path("relations")).as("the relation went with ACME").isEmpty();
        }
    }

    private Cli cli(String replica, Path file, Path remote) throws IOException {
        Cli c = new Cli(Files.createDirectories(tmp.resolve("home-" + replica)));
        c.env.put("MEMORY_FILE_PATH", file.toString());
        c.env.put("MEMORY_BACKUP_STORE", "git+file://" + remote);
        c.env.put("MEMORY_BACKUP_REPLICA", replica);
        return c;
    }

    private static void syncBoth(Cli a, Cli b) {
        for (int round = 0; round < 2; round++) {
            for (Cli c : List.of(a, b)) {
                Cli.Run r = c.run("sync");
                assertThat(r.code()).as("%s", r).isZero();
            }
        }
    }

    private static List<String> names(JsonNode graph) {
        List<String> out = new ArrayList<>();
        graph.path("entities").forEach(e -> out.add(e.path("name").asText()));
        return out;
    }

    private static JsonNode entity(JsonNode graph, String name) {
        for (JsonNode e : graph.path("entities")) {
            if (e.path("name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError(name + " is not in " + graph);
    }
}
