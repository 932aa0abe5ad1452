/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An MCP server process over stdio (ours or the npm one), driven by JSON-RPC requests: initialized on
 * start, requests pipelined or one at a time, notifications kept, the server's stderr kept for failure
 * messages. Used by the MCP tests of {@code crdt-cli} and {@code crdt-mcp}.
 */
public final class McpClient implements AutoCloseable {
    /** The npm package the interop tests drive. */
    public static final String NPM_PACKAGE = "@modelcontextprotocol/server-memory@2026.8.31";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final OutputStream in;
    private final Map<Integer, JsonNode> replies = new ConcurrentHashMap<>();
    private final Path stderr;
    private final List<JsonNode> notifications = new CopyOnWriteArrayList<>();
    private JsonNode initialized;
    private int nextId = 1;

    private McpClient(ProcessBuilder pb) throws IOException {
        stderr = Files.createTempFile("mcp-stderr", ".log");
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

    /**
     * Starts the server and runs the MCP handshake; the server must call itself {@code memory-server}.
     *
     * @param pb the server's command, environment and directory
     * @return the initialized client
     * @throws Exception if the process does not start or the handshake fails
     */
    public static McpClient start(ProcessBuilder pb) throws Exception {
        McpClient c = new McpClient(pb);
        JsonNode init = c.request("initialize", Map.of("protocolVersion", "2025-06-18", "capabilities", Map.of(),
                "clientInfo", Map.of("name", "crdt-memory-test", "version", "0")));
        assertThat(init.path("result").path("serverInfo").path("name").asText()).isEqualTo("memory-server");
        c.initialized = init.path("result");
        c.send(JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
        return c;
    }

    /**
     * Starts the npm memory server {@link #NPM_PACKAGE} on {@code memoryFile}, installing it with npm
     * into {@code npmDir} first when it is not there.
     *
     * @param npmDir where the package is (to be) installed
     * @param memoryFile its {@code MEMORY_FILE_PATH}
     * @return the initialized client
     * @throws Exception if npm fails or the server does not start
     */
    public static McpClient npm(Path npmDir, Path memoryFile) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", npmScript(npmDir).toString());
        pb.environment().put("MEMORY_FILE_PATH", memoryFile.toString());
        return start(pb);
    }

    /** The npm server's script, installed with npm into {@code npmDir} when it is not there yet. */
    private static Path npmScript(Path npmDir) throws Exception {
        Path dir = npmDir.toAbsolutePath();
        Path script = dir.resolve("node_modules/@modelcontextprotocol/server-memory/dist/index.js");
        if (!Files.exists(script)) {
            assertThat(onPath("npm")).as("node is installed but npm is not; install npm").isTrue();
            Files.createDirectories(dir);
            Process p = new ProcessBuilder("npm", "install", "--prefix", dir.toString(), "--no-audit", "--no-fund",
                    "--loglevel=error", NPM_PACKAGE).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("npm install finished").isTrue();
            assertThat(p.exitValue()).as("npm install " + NPM_PACKAGE + ": " + out).isZero();
        }
        assertThat(script).exists();
        return script;
    }

    /**
     * Returns whether {@code program} is an executable on the {@code PATH}.
     *
     * @param program a program name
     * @return true if found
     */
    public static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the server's answer to {@code initialize}.
     *
     * @return its {@code result}
     */
    public JsonNode initialized() {
        return initialized;
    }

    /**
     * Returns the notifications received so far, in arrival order.
     *
     * @return a live view
     */
    public List<JsonNode> notifications() {
        return notifications;
    }

    /**
     * Sends a request and returns its id without waiting (pipelining).
     *
     * @param method the JSON-RPC method
     * @param params its params
     * @return the request id
     * @throws IOException if the server's stdin is closed
     */
    public synchronized int send(String method, Object params) throws IOException {
        int id = nextId++;
        ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        msg.set("params", JSON.valueToTree(params));
        send(msg);
        return id;
    }

    /**
     * Returns what the server wrote to stderr so far (its log), for failure messages.
     *
     * @return the text
     */
    public String log() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    /**
     * Waits for the response to request {@code id}; a JSON-RPC error fails with the server's log.
     *
     * @param id the request id
     * @param seconds the longest wait
     * @return the whole response
     * @throws InterruptedException if interrupted
     */
    public JsonNode await(int id, int seconds) throws InterruptedException {
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

    /**
     * Sends a request and waits up to 60 s for its response.
     *
     * @param method the method
     * @param params its params
     * @return the whole response
     * @throws Exception if sending fails or no response came
     */
    public JsonNode request(String method, Object params) throws Exception {
        return await(send(method, params), 60);
    }

    /**
     * Calls a tool and returns the call's {@code result}.
     *
     * @param tool the tool name
     * @param arguments its arguments
     * @return the result ({@code content}, {@code structuredContent}, maybe {@code isError})
     * @throws Exception if no response came
     */
    public JsonNode call(String tool, Object arguments) throws Exception {
        return request("tools/call", Map.of("name", tool, "arguments", arguments)).path("result");
    }

    private synchronized void send(JsonNode msg) throws IOException {
        in.write((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Closes the server's stdin and waits up to 30 s for it to exit. */
    @Override
    public void close() throws Exception {
        in.close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the server did not exit within 30 s of stdin closing");
        }
    }
}
