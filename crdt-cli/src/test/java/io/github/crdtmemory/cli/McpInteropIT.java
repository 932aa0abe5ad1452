package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
    static final String PACKAGE = "@modelcontextprotocol/server-memory@2026.8.31";
    static Path serverScript;

    @TempDir
    Path tmp;

    @BeforeAll
    static void installServer() throws Exception {
        Assumptions.assumeTrue(onPath("node"), "node is not installed: the MCP interop test is skipped "
                + "(.ci/run installs nodejs and npm)");
        Path dir = Path.of(System.getProperty("memoryBackup.npmDir", "target/npm")).toAbsolutePath();
        serverScript = dir.resolve("node_modules/@modelcontextprotocol/server-memory/dist/index.js");
        if (!Files.exists(serverScript)) {
            assertThat(onPath("npm")).as("node is installed but npm is not; install npm").isTrue();
            Files.createDirectories(dir);
            Process p = new ProcessBuilder("npm", "install", "--prefix", dir.toString(), "--no-audit", "--no-fund",
                    "--loglevel=error", PACKAGE).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("npm install finished").isTrue();
            assertThat(p.exitValue()).as("npm install " + PACKAGE + ": " + out).isZero();
        }
        assertThat(serverScript).exists();
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** One server process, one request at a time. */
    static final class Server implements AutoCloseable {
        private final Process process;
        private final OutputStream in;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private int nextId = 1;

        Server(Path memoryFile) throws Exception {
            ProcessBuilder pb = new ProcessBuilder("node", serverScript.toString());
            pb.environment().put("MEMORY_FILE_PATH", memoryFile.toString());
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            process = pb.start();
            in = process.getOutputStream();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "mcp-server-reader");
            reader.setDaemon(true);
            reader.start();
            JsonNode init = request("initialize", Map.of("protocolVersion", "2025-06-18", "capabilities", Map.of(),
                    "clientInfo", Map.of("name", "crdt-memory-test", "version", "0")));
            assertThat(init.path("serverInfo").path("name").asText()).isEqualTo("memory-server");
            send(Cli.JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
        }

        JsonNode call(String tool, Object arguments) throws Exception {
            JsonNode result = request("tools/call", Map.of("name", tool, "arguments", arguments));
            assertThat(result.path("isError").asBoolean(false)).as("%s failed: %s", tool, result).isFalse();
            return result.path("structuredContent");
        }

        private JsonNode request(String method, Object params) throws Exception {
            int id = nextId++;
            ObjectNode msg = Cli.JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
            msg.set("params", Cli.JSON.valueToTree(params));
            send(msg);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line == null) {
                    continue;
                }
                JsonNode reply = Cli.JSON.readTree(line);
                if (reply.path("id").asInt(-1) == id) {
                    assertThat(reply.has("error")).as("%s: %s", method, reply).isFalse();
                    return reply.path("result");
                }
            }
            throw new AssertionError("no reply to " + method + " within 30 s");
        }

        private void send(JsonNode msg) throws IOException {
            in.write((Cli.JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        @Override
        public void close() throws Exception {
            in.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
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
        try (Server sa = new Server(fileA); Server sb = new Server(fileB)) {
            sa.call("create_entities", Map.of("entities", List.of(
                    Map.of("name", "Alice", "entityType", "person", "observations", List.of("likes tea")),
                    Map.of("name", "ACME", "entityType", "organization", "observations", List.of()))));
            sa.call("create_relations", Map.of("relations", List.of(
                    Map.of("from", "Alice", "to", "ACME", "relationType", "works_at"))));
            sb.call("create_entities", Map.of("entities", List.of(
                    Map.of("name", "Carol", "entityType", "person", "observations", List.of("from b")))));
            syncBoth(a, b);

            sa.call("add_observations", Map.of("observations", List.of(
                    Map.of("entityName", "Alice", "contents", List.of("speaks French")))));
            sa.call("create_entities", Map.of("entities", List.of(
                    Map.of("name", "Bob", "entityType", "person", "observations", List.of()))));
            sb.call("add_observations", Map.of("observations", List.of(
                    Map.of("entityName", "Alice", "contents", List.of("plays chess")))));
            sb.call("delete_entities", Map.of("entityNames", List.of("ACME")));
            sb.call("delete_observations", Map.of("deletions", List.of(
                    Map.of("entityName", "Carol", "observations", List.of("from b")))));
            syncBoth(a, b);

            JsonNode ga = sa.call("read_graph", Map.of());
            JsonNode gb = sb.call("read_graph", Map.of());
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
