/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One MCP server process over stdio, driven one request at a time for timing: the reader thread
 * completes the waiting request as soon as its line arrives (no polling), so a measured call is the
 * server's time plus a pipe round trip. The server's stderr goes to a file, named in failures.
 */
final class StdioMcpClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final OutputStream in;
    private final Path stderr;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final long startNanos;
    private long initializedNanos;
    private int nextId = 1;

    private StdioMcpClient(List<String> command, Map<String, String> env, Path stderr) throws IOException {
        this.stderr = stderr;
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderr.toFile());
        pb.environment().putAll(env);
        startNanos = System.nanoTime();
        process = pb.start();
        in = process.getOutputStream();
        Thread reader = new Thread(this::readReplies, "mcp-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the server and runs the MCP handshake; {@link #startMillis()} is the time from the process
     * start to the {@code initialize} answer.
     */
    static StdioMcpClient start(List<String> command, Map<String, String> env, Path stderr) throws IOException {
        StdioMcpClient c = new StdioMcpClient(command, env, stderr);
        try {
            c.request("initialize", Map.of("protocolVersion", "2025-06-18", "capabilities", Map.of(),
                    "clientInfo", Map.of("name", "crdt-bench", "version", "0")));
            c.initializedNanos = System.nanoTime();
            c.write(JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
            return c;
        } catch (IOException | RuntimeException e) {
            c.process.destroyForcibly();
            throw e;
        }
    }

    /** Milliseconds from the process start to the {@code initialize} answer. */
    double startMillis() {
        return (initializedNanos - startNanos) / 1e6;
    }

    /** Calls a tool and returns its result; a JSON-RPC error or a tool error fails. */
    JsonNode call(String tool, Object arguments) throws IOException {
        JsonNode result = request("tools/call", Map.of("name", tool, "arguments", arguments)).path("result");
        if (result.path("isError").asBoolean()) {
            throw new IOException(tool + " failed: " + result + "; server log: " + stderr);
        }
        return result;
    }

    /** Sends a request and waits up to two minutes for its response. */
    JsonNode request(String method, Object params) throws IOException {
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        int id = nextId++;
        pending.put(id, reply);
        ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        msg.set("params", JSON.valueToTree(params));
        write(msg);
        try {
            JsonNode r = reply.get(2, TimeUnit.MINUTES);
            if (r.has("error")) {
                throw new IOException(method + ": " + r.get("error") + "; server log: " + stderr);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + method, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("no answer to " + method + "; server log: " + stderr, e);
        } finally {
            pending.remove(id);
        }
    }

    private void write(JsonNode msg) throws IOException {
        in.write((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private void readReplies() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode msg = JSON.readTree(line);
                CompletableFuture<JsonNode> f = msg.has("id") ? pending.get(msg.get("id").asInt()) : null;
                if (f != null && (msg.has("result") || msg.has("error"))) {
                    f.complete(msg);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        pending.values().forEach(f -> f.completeExceptionally(new IOException("the server closed its stdout")));
    }

    /** Closes the server's stdin and waits up to 30 s for it to exit, then kills it. */
    @Override
    public void close() throws IOException {
        in.close();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
