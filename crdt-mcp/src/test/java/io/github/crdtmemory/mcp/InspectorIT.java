/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.testkit.McpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP Inspector's CLI mode (npm {@value #PACKAGE}, installed into this module's build
 * directory on first use), a client nobody here wrote, drives {@code memory-mcp-server --http}: lists the
 * tools, calls every one, reads the knowledge-graph resource. Skipped, saying so, without {@code node}.
 */
class InspectorIT {
    static final String PACKAGE = "@modelcontextprotocol/inspector@2.12.0";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void nodeIsInstalled() throws Exception {
        Assumptions.assumeTrue(McpClient.onPath("node"), "node is not installed: the MCP Inspector test is skipped "
                + "(.ci/run installs nodejs and npm)");
        String version = run(new ProcessBuilder("node", "--version"), 30).strip();
        int major = Integer.parseInt(version.replaceFirst("^v(\\d+).*", "$1"));
        Assumptions.assumeTrue(major >= 20, "node " + version + " is older than the MCP Inspector " + PACKAGE
                + " runs on (20 or later here; it declares 22.19): the MCP Inspector test is skipped");
    }

    /** The inspector's launcher, installed with npm when missing. */
    private static Path inspector() throws Exception {
        Path dir = Path.of(System.getProperty("memoryServer.inspectorDir", "target/npm-inspector")).toAbsolutePath();
        Path launcher = dir.resolve("node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");
        if (!Files.exists(launcher)) {
            assertThat(McpClient.onPath("npm")).as("node is installed but npm is not; install npm").isTrue();
            Files.createDirectories(dir);
            run(new ProcessBuilder("npm", "install", "--prefix", dir.toString(), "--no-audit", "--no-fund",
                    "--loglevel=error", PACKAGE), 600);
        }
        assertThat(launcher).exists();
        return launcher;
    }

    private JsonNode inspect(HttpServerProcess server, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node", inspector().toString(), "--cli", server.endpoint(),
                "--header", "Authorization: Bearer " + server.token()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", Files.createDirectories(tmp.resolve("inspector-home")).toString());
        String out = run(pb, 60);
        JsonNode result = JSON.readTree(out.substring(out.indexOf('{')));
        assertThat(result.path("isError").asBoolean(false)).as("%s", out).isFalse();
        return result;
    }

    /** Runs a process with its output in a file; fails (killing it) if it runs over {@code seconds} or exits non-zero. */
    private static String run(ProcessBuilder pb, int seconds) throws Exception {
        Path out = Files.createTempFile("inspector-", ".out");
        try {
            Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(pb.command().get(0) + " ran over " + seconds + " s: " + Files.readString(out));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("%s: %s", pb.command().subList(0, Math.min(3, pb.command().size())), text)
                    .isZero();
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void theInspectorListsTheToolsCallsEachAndReadsTheGraph() throws Exception {
        inspector(); // installed before the server starts: the install can take a minute
        try (HttpServerProcess server = HttpServerProcess.start(Files.createDirectories(tmp.resolve("server")))) {
            JsonNode tools = inspect(server, "--method", "tools/list");
            List<String> names = new ArrayList<>();
            tools.path("tools").forEach(t -> names.add(t.path("name").asText()));
            assertThat(names).containsExactlyInAnyOrder("create_entities", "create_relations", "add_observations",
                    "delete_entities", "delete_observations", "delete_relations", "read_graph", "search_nodes",
                    "open_nodes");
            call(server, "create_entities", "entities=[{\"name\":\"Ada\",\"entityType\":\"person\",\"observations\":"
                    + "[\"wrote programs\"]},{\"name\":\"Babbage\",\"entityType\":\"person\",\"observations\":[]},"
                    + "{\"name\":\"Temp\",\"entityType\":\"thing\",\"observations\":[]}]");
            call(server, "create_relations", "relations=[{\"from\":\"Ada\",\"to\":\"Babbage\",\"relationType\":\"knew\"},"
                    + "{\"from\":\"Temp\",\"to\":\"Ada\",\"relationType\":\"x\"}]");
            call(server, "add_observations", "observations=[{\"entityName\":\"Babbage\",\"contents\":"
                    + "[\"designed engines\",\"drafted\"]}]");
            call(server, "delete_observations", "deletions=[{\"entityName\":\"Babbage\",\"observations\":[\"drafted\"]}]");
            call(server, "delete_relations", "relations=[{\"from\":\"Temp\",\"to\":\"Ada\",\"relationType\":\"x\"}]");
            call(server, "delete_entities", "entityNames=[\"Temp\"]");
            assertThat(call(server, "search_nodes", "query=engines").path("structuredContent").path("entities"))
                    .extracting(e -> e.path("name").asText()).containsExactly("Babbage");
            assertThat(call(server, "open_nodes", "names=[\"Ada\"]").path("structuredContent").path("entities"))
                    .extracting(e -> e.path("name").asText()).containsExactly("Ada");
            JsonNode graph = call(server, "read_graph").path("structuredContent");
            assertThat(graph.path("entities")).hasSize(2);
            assertThat(graph.path("relations")).hasSize(1);
            JsonNode resource = inspect(server, "--method", "resources/read", "--uri", io.github.crdtmemory.mcp.api.MemoryMcp.GRAPH_URI);
            assertThat(JSON.readTree(resource.path("contents").path(0).path("text").asText())).isEqualTo(graph);
            MemoryGraph file = server.awaitFile(g -> g.entities().size() == 2 && g.entity("Babbage")
                    .map(e -> e.observations().size() == 1).orElse(false));
            assertThat(file.entity("Babbage").orElseThrow().observations()).containsExactly("designed engines");
        }
    }

    private JsonNode call(HttpServerProcess server, String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("--method", "tools/call", "--tool-name", tool));
        if (args.length > 0) {
            cmd.add("--tool-arg");
            cmd.addAll(List.of(args));
        }
        return inspect(server, cmd.toArray(String[]::new));
    }
}
