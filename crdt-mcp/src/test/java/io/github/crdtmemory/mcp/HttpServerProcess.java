/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code memory-mcp-server --http} from the shaded jar as a child process, on port 0, with its own
 * {@code HOME}, state directory and memory file; the port is read from the line it prints on stderr.
 * {@link #close()} sends SIGTERM and waits for the exit.
 */
final class HttpServerProcess implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("serving https?://[^:]+:(\\d+)/mcp");

    final Path home;
    final Path memoryFile;
    final Path stateDir;
    private final Process process;
    private final Path stderr;
    private final int port;

    private HttpServerProcess(Path home, Path memoryFile, Path stateDir, Process process, Path stderr, int port) {
        this.home = home;
        this.memoryFile = memoryFile;
        this.stateDir = stateDir;
        this.process = process;
        this.stderr = stderr;
        this.port = port;
    }

    /** Starts the server in {@code dir} with extra arguments; fails if it does not say it serves within 60 s. */
    static HttpServerProcess start(Path dir, String... args) throws Exception {
        return start(dir, java.util.Map.of(), args);
    }

    /** As {@link #start(Path, String...)} with extra environment variables. */
    static HttpServerProcess start(Path dir, java.util.Map<String, String> env, String... args) throws Exception {
        Process p = launch(dir, env, args);
        Path err = dir.resolve("server.err");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = SERVING.matcher(Files.exists(err) ? Files.readString(err) : "");
            if (m.find()) {
                return new HttpServerProcess(dir.resolve("home"), dir.resolve("memory.jsonl"), dir.resolve("state"), p,
                        err, Integer.parseInt(m.group(1)));
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new AssertionError("the server did not start: " + (Files.exists(err) ? Files.readString(err) : ""));
    }

    /** Starts the server and waits for it to exit (a refused start); returns {exit status, stderr}. */
    static Object[] refused(Path dir, String... args) throws Exception {
        Process p = launch(dir, java.util.Map.of(), args);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the refused server exited").isTrue();
        return new Object[] {p.exitValue(), Files.readString(dir.resolve("server.err"))};
    }

    private static Process launch(Path dir, java.util.Map<String, String> env, String... args) throws IOException {
        Files.createDirectories(dir.resolve("home"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-jar", System.getProperty("memoryServer.jar", "target/memory-mcp-server.jar"),
                "--http", "--memory-file", dir.resolve("memory.jsonl").toString(),
                "--state-dir", dir.resolve("state").toString()));
        if (!List.of(args).contains("--port")) {
            cmd.addAll(List.of("--port", "0"));
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("server.out").toFile())
                .redirectError(dir.resolve("server.err").toFile());
        pb.environment().put("HOME", dir.resolve("home").toString());
        pb.environment().remove("MEMORY_BACKUP_STORE");
        pb.environment().remove("MEMORY_FILE_PATH");
        pb.environment().remove(HttpMode.PASSWORD_ENV);
        pb.environment().putAll(env);
        return pb.start();
    }

    int port() {
        return port;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    /** The bearer token the server generated. */
    String token() throws IOException {
        return Files.readAllLines(stateDir.resolve("mcp-http.token"), StandardCharsets.UTF_8).get(0).strip();
    }

    boolean alive() {
        return process.isAlive();
    }

    String log() throws IOException {
        return Files.readString(stderr);
    }

    /** GET /health: the status and body. */
    HttpResponse<String> health() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The memory file's graph (empty if there is no file). */
    MemoryGraph fileGraph() throws IOException {
        return Files.exists(memoryFile) ? MemoryFileCodec.parse(Files.readAllBytes(memoryFile), memoryFile.toString())
                .graph() : MemoryGraph.empty();
    }

    /** Waits up to 20 s for the memory file to satisfy {@code condition}; returns its last graph. */
    MemoryGraph awaitFile(Predicate<MemoryGraph> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        MemoryGraph g = fileGraph();
        while (!condition.test(g) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            g = fileGraph();
        }
        return g;
    }

    /** SIGTERM, then the exit status (the server is killed if it does not exit within 60 s). */
    int stop() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the server did not stop within 60 s after SIGTERM: " + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            stop();
        }
    }
}
