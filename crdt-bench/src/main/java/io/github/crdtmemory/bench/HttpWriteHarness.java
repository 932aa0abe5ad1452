/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crdtmemory.memory.MemoryFileCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Write calls of {@code memory-mcp-server --http} on a memory of N entities (three observations and one
 * relation each, as {@code McpSideBySide}): the shaded jar started on a real memory file and state
 * directory, one client sending sequential {@code add_observations} (one new observation on an existing
 * entity) and {@code create_entities} (one new entity) calls over HTTP, each timed from the request to
 * the end of its answer, after a warm-up of the same calls. Prints and writes a JSON report.
 *
 * <p>Arguments: the output file, the repository root, the entity count (default 10000), the calls per
 * tool (default 200).
 */
public final class HttpWriteHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SERVING = Pattern.compile("serving http://[^:]+:(\\d+)/mcp");

    private HttpWriteHarness() {
    }

    /**
     * Runs the measurement.
     *
     * @param args output file, repository root, entities, calls
     * @throws Exception if the server fails
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Path root = Path.of(args.length > 1 ? args[1] : ".").toAbsolutePath().normalize();
        int entities = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int calls = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        Path dir = Files.createTempDirectory(root.resolve("crdt-bench/target"), "http-write-");
        Path memory = dir.resolve("memory.jsonl");
        Files.write(memory, MemoryFileCodec.write(Fixtures.graph(entities, 7), false));
        Path err = dir.resolve("server.err");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-jar", root.resolve("crdt-mcp/target/memory-mcp-server.jar").toString(), "--http",
                "--port", "0", "--memory-file", memory.toString(), "--state-dir", dir.resolve("state").toString())
                .redirectError(err.toFile()).redirectOutput(dir.resolve("server.out").toFile()).start();
        try {
            int port = port(server, err);
            String token = Files.readAllLines(dir.resolve("state/mcp-http.token")).get(0).strip();
            Client c = new Client("http://127.0.0.1:" + port + "/mcp", token);
            ObjectNode r = JSON.createObjectNode();
            r.put("format", "crdt-memory-http-writes");
            r.put("entities", entities);
            r.put("calls", calls);
            int warm = Math.max(20, calls / 4);
            measure(c, "add_observations", warm, 0, entities);
            r.set("add_observations", stats(measure(c, "add_observations", calls, warm, entities)));
            measure(c, "create_entities", warm, 0, entities);
            r.set("create_entities", stats(measure(c, "create_entities", calls, warm, entities)));
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), r);
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } finally {
            server.destroy();
            server.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static int port(Process server, Path err) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && server.isAlive()) {
            Matcher m = SERVING.matcher(Files.exists(err) ? Files.readString(err) : "");
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(50);
        }
        throw new IOException("the server did not start: " + Files.readString(err));
    }

    /** Milliseconds per call. */
    private static double[] measure(Client c, String tool, int calls, int offset, int entities) throws Exception {
        double[] ms = new double[calls];
        for (int i = 0; i < calls; i++) {
            int k = offset + i;
            Map<String, Object> args = tool.equals("add_observations")
                    ? Map.of("observations", List.of(Map.of("entityName", name(k * 7919 % entities), "contents",
                            List.of("bench observation " + tool + k + "-" + System.nanoTime()))))
                    : Map.of("entities", List.of(Map.of("name", "bench-" + k + "-" + System.nanoTime(),
                            "entityType", "bench", "observations", List.of("new"))));
            long t0 = System.nanoTime();
            c.call(tool, args);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    /** The names {@link Fixtures#graph} gives. */
    private static String name(int i) {
        return "entity " + i;
    }

    private static ObjectNode stats(double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        ObjectNode o = JSON.createObjectNode();
        o.put("medianMs", round(s[s.length / 2]));
        o.put("p90Ms", round(s[(int) (s.length * 0.9)]));
        o.put("minMs", round(s[0]));
        o.put("maxMs", round(s[s.length - 1]));
        return o;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** A Streamable HTTP session, raw: initialize, then tools/call requests with the session header. */
    private static final class Client {
        private final HttpClient http = HttpClient.newHttpClient();
        private final String endpoint;
        private final String token;
        private final String session;
        private int id = 1;

        Client(String endpoint, String token) throws Exception {
            this.endpoint = endpoint;
            this.token = token;
            HttpResponse<String> init = post(Map.of("jsonrpc", "2.0", "id", id++, "method", "initialize", "params",
                    Map.of("protocolVersion", "2025-06-18", "capabilities", Map.of(), "clientInfo",
                            Map.of("name", "bench", "version", "1"))), null);
            this.session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
            post(Map.of("jsonrpc", "2.0", "method", "notifications/initialized"), session);
        }

        void call(String tool, Map<String, Object> args) throws Exception {
            HttpResponse<String> r = post(Map.of("jsonrpc", "2.0", "id", id++, "method", "tools/call", "params",
                    Map.of("name", tool, "arguments", args)), session);
            if (r.statusCode() != 200 || r.body().contains("\"isError\":true") || !r.body().contains("\"result\"")) {
                throw new IOException(tool + " failed: " + r.statusCode() + " " + r.body());
            }
        }

        private HttpResponse<String> post(Object message, @Nullable String sessionId) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(message)));
            if (sessionId != null) {
                b.header("Mcp-Session-Id", sessionId);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
    }
}
