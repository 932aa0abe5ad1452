package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** An MCP server process over stdio (ours or the npm one), driven by JSON-RPC requests. */
final class McpProcess implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final OutputStream in;
    private final Map<Integer, JsonNode> replies = new ConcurrentHashMap<>();
    private final Path stderr;
    /** Notifications from the server, in arrival order. */
    final List<JsonNode> notifications = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The server's answer to {@code initialize}. */
    JsonNode initialized;
    private int nextId = 1;

    private McpProcess(ProcessBuilder pb) throws IOException {
        stderr = java.nio.file.Files.createTempFile("mcp-stderr", ".log");
        stderr.toFile().deleteOnExit();
        pb.redirectError(stderr.toFile());
        process = pb.start();
        in = process.getOutputStream();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    JsonNode msg = JSON.readTree(line);
                    if (msg.has("id") && (msg.has("result") || msg.has("error"))) { // a response, not a request
                        replies.put(msg.get("id").asInt(), msg);
                    } else if (!msg.has("id") && msg.has("method")) {
                        notifications.add(msg);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "mcp-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Our server from the shaded jar. */
    static McpProcess ours(Path home, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:+UseSerialGC", "-jar", System.getProperty("memoryServer.jar",
                "target/memory-mcp-server.jar")));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("MEMORY_BACKUP_STORE");
        pb.environment().putAll(env);
        return started(new McpProcess(pb));
    }

    /** The npm server 2026.8.31, installed with npm into the build directory when it is not there yet. */
    static McpProcess npm(Path memoryFile) throws Exception {
        Path dir = Path.of(System.getProperty("memoryServer.npmDir", "../crdt-cli/target/npm")).toAbsolutePath();
        Path script = dir.resolve("node_modules/@modelcontextprotocol/server-memory/dist/index.js");
        if (!java.nio.file.Files.exists(script)) {
            java.nio.file.Files.createDirectories(dir);
            Process p = new ProcessBuilder("npm", "install", "--prefix", dir.toString(), "--no-audit", "--no-fund",
                    "--loglevel=error", "@modelcontextprotocol/server-memory@2026.8.31").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("npm install finished").isTrue();
            assertThat(p.exitValue()).as("npm install: " + out).isZero();
        }
        ProcessBuilder pb = new ProcessBuilder("node", script.toString());
        pb.environment().put("MEMORY_FILE_PATH", memoryFile.toString());
        return started(new McpProcess(pb));
    }

    private static McpProcess started(McpProcess p) throws Exception {
        JsonNode init = p.request("initialize", Map.of("protocolVersion", "2025-06-18", "capabilities", Map.of(),
                "clientInfo", Map.of("name", "crdt-memory-test", "version", "0")));
        assertThat(init.path("result").path("serverInfo").path("name").asText()).isEqualTo("memory-server");
        p.initialized = init.path("result");
        p.send(JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
        return p;
    }

    /** Sends a request and returns its id without waiting. */
    synchronized int send(String method, Object params) throws IOException {
        int id = nextId++;
        ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        msg.set("params", JSON.valueToTree(params));
        send(msg);
        return id;
    }

    /** What the server wrote to stderr so far (its log), for failure messages. */
    String log() {
        try {
            return java.nio.file.Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    /** Waits for the response to request {@code id}; a JSON-RPC error fails with the server's log. */
    JsonNode await(int id, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            JsonNode r = replies.get(id);
            if (r != null) {
                assertThat(r.has("error")).as("JSON-RPC error %s%nserver log:%n%s", r, log()).isFalse();
                return r;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no reply to request " + id + " within " + seconds + " s; server log:\n" + log());
    }

    JsonNode request(String method, Object params) throws Exception {
        return await(send(method, params), 60);
    }

    /** A tool call's {@code result}, one call at a time. */
    JsonNode call(String tool, Object arguments) throws Exception {
        return request("tools/call", Map.of("name", tool, "arguments", arguments)).path("result");
    }

    private synchronized void send(JsonNode msg) throws IOException {
        in.write((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    @Override
    public void close() throws Exception {
        in.close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the server did not exit within 30 s of stdin closing");
        }
    }
}
