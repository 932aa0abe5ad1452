/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crdtmemory.git.GitStore;
import io.github.crdtmemory.memory.MemoryFileCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Our MCP memory server against the npm one it replaces, side by side in one run: both started by
 * their launchers on the same memory of N entities (three observations and one relation each), driven
 * over stdio by one client that alternates between them call by call. Measures the start (process
 * start to the {@code initialize} answer), sequential {@code add_observations} calls (median and p90)
 * and the read tools (median); then {@code memory-backup sync} with nothing to do on 10,000 entities
 * through a local bare git remote, as a whole process and by phase.
 *
 * <p>Arguments: the output JSON file, {@code quick} or {@code full}, the repository root (where
 * {@code bin/} is). The npm server ({@value #NPM_PACKAGE}) runs when {@code node} is on the
 * {@code PATH}; it is installed with npm into {@code crdt-bench/target/npm} when missing, and its
 * side is left out (and said so in the output) when node is absent or the install fails.
 */
public final class McpSideBySide {
    /** The npm package compared against: the version crdt-mcp's and crdt-cli's interop tests pin. */
    static final String NPM_PACKAGE = "@modelcontextprotocol/server-memory@2026.8.31";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final boolean full;
    private final @Nullable List<String> npmCommand;

    private McpSideBySide(Path root, boolean full, @Nullable List<String> npmCommand) {
        this.root = root;
        this.full = full;
        this.npmCommand = npmCommand;
    }

    /**
     * Runs the measurements.
     *
     * @param args the output file, the profile, the repository root
     * @throws Exception if a server fails or the output cannot be written
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        boolean full = args.length > 1 && args[1].equals("full");
        Path root = Path.of(args.length > 2 ? args[2] : ".").toAbsolutePath().normalize();
        ObjectNode r = JSON.createObjectNode();
        r.put("format", "crdt-memory-mcp-side-by-side");
        r.put("npmPackage", NPM_PACKAGE);
        List<String> npm = null;
        try {
            npm = npmServer(root.resolve("crdt-bench/target/npm"));
            r.put("node", run(List.of("node", "--version")).strip());
        } catch (IOException e) {
            r.put("npmSkipped", e.getMessage());
            System.err.println("npm side skipped: " + e.getMessage());
        }
        McpSideBySide bench = new McpSideBySide(root, full, npm);
        Path tmp = Files.createTempDirectory(root.resolve("crdt-bench/target"), "mcp-side-by-side-");
        try {
            ArrayNode sizes = r.putArray("sizes");
            for (int n : new int[] {1_000, 10_000}) {
                sizes.add(bench.size(tmp.resolve("n" + n), n));
            }
            r.set("backupSync", bench.backupSync(tmp.resolve("backup"), 10_000));
        } finally {
            delete(tmp);
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), r);
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
    }

    /** The npm server's command, installing the pinned package first when it is not there. */
    private static List<String> npmServer(Path dir) throws IOException {
        if (!onPath("node")) {
            throw new IOException("node is not installed");
        }
        Path script = dir.resolve("node_modules/@modelcontextprotocol/server-memory/dist/index.js");
        Path installed = dir.resolve("node_modules/@modelcontextprotocol/server-memory/package.json");
        String version = NPM_PACKAGE.substring(NPM_PACKAGE.lastIndexOf('@') + 1);
        if (!Files.exists(installed) || !Files.readString(installed).contains("\"version\": \"" + version + "\"")) {
            if (!onPath("npm")) {
                throw new IOException("node is installed but npm is not");
            }
            Files.createDirectories(dir);
            run(List.of("npm", "install", "--prefix", dir.toString(), "--no-audit", "--no-fund", "--loglevel=error",
                    NPM_PACKAGE));
        }
        if (!Files.exists(script)) {
            throw new IOException("npm installed " + NPM_PACKAGE + " but " + script + " is missing");
        }
        return List.of("node", script.toString());
    }

    /** One size: starts, writes and reads of both servers, alternated. */
    private ObjectNode size(Path dir, int entities) throws IOException {
        Files.createDirectories(dir);
        byte[] memory = MemoryFileCodec.write(Fixtures.graph(entities, 7), false);
        Server ours = new Server("ours", List.of(root.resolve("bin/memory-mcp-server").toString(), "--state-dir",
                dir.resolve("state").toString()), dir.resolve("ours.jsonl"), dir);
        Server npm = npmCommand == null ? null : new Server("npm", npmCommand, dir.resolve("npm.jsonl"), dir);
        List<Server> servers = npm == null ? List.of(ours) : List.of(ours, npm);
        for (Server s : servers) {
            Files.write(s.memoryFile, memory);
        }
        int starts = full ? 11 : 7;
        for (int i = 0; i < starts; i++) {
            for (Server s : order(servers, i)) {
                try (StdioMcpClient c = s.start()) {
                    s.start[i] = c.startMillis();
                }
            }
        }
        int writes = full ? 100 : 50;
        int reads = full ? 40 : 20;
        try (StdioMcpClient o = ours.start(); StdioMcpClient p = npm == null ? null : npm.start()) {
            for (int i = 0; i < writes; i++) {
                Map<String, Object> args = Map.of("observations", List.of(Map.of("entityName",
                        "entity " + (int) ((i * 7919L) % entities), "contents", List.of("bench observation " + i))));
                for (Server s : order(servers, i)) {
                    s.write[i] = time(s == ours ? o : Objects.requireNonNull(p, "npm"), "add_observations", args);
                }
            }
            for (int i = 0; i < reads; i++) {
                Map<String, Object> search = Map.of("query", "works on project " + (i * 13 % 97));
                Map<String, Object> open = Map.of("names", List.of("entity " + (i * 31 % entities),
                        "entity " + (i * 131 % entities), "entity " + (i * 1031 % entities)));
                for (Server s : order(servers, i)) {
                    StdioMcpClient c = s == ours ? o : Objects.requireNonNull(p, "npm");
                    s.search[i] = time(c, "search_nodes", search);
                    s.open[i] = time(c, "open_nodes", open);
                    if (i < reads / 2) {
                        s.readGraph[i] = time(c, "read_graph", Map.of());
                    }
                }
            }
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("entities", entities);
        r.put("starts", starts);
        r.put("writes", writes);
        r.put("reads", reads);
        for (Server s : servers) {
            r.set(s.name, s.summary(starts, writes, reads));
        }
        return r;
    }

    /** Alternates which server goes first, so neither always runs on a machine the other just warmed. */
    private static List<Server> order(List<Server> servers, int i) {
        return i % 2 == 0 || servers.size() < 2 ? servers : List.of(servers.get(1), servers.get(0));
    }

    private static double time(StdioMcpClient c, String tool, Object args) throws IOException {
        long t = System.nanoTime();
        c.call(tool, args);
        return (System.nanoTime() - t) / 1e6;
    }

    /** {@code memory-backup sync} with nothing to do: the whole process, and its phases from {@code --json}. */
    private ObjectNode backupSync(Path dir, int entities) throws IOException {
        Files.createDirectories(dir);
        Path remote = dir.resolve("remote.git");
        GitStore.createRemote(remote, Duration.ofSeconds(30));
        Path file = dir.resolve("memory.jsonl");
        Files.write(file, MemoryFileCodec.write(Fixtures.graph(entities, 7), false));
        List<String> sync = List.of(root.resolve("bin/memory-backup").toString(), "sync", "--json", "--memory-file",
                file.toString(), "--store", "git+file://" + remote, "--state-dir", dir.resolve("state").toString(),
                "--replica", "bench");
        run(sync); // the first sync stamps and publishes everything
        int runs = full ? 11 : 7;
        double[] wall = new double[runs];
        JsonNode[] phases = new JsonNode[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            JsonNode report = JSON.readTree(run(sync));
            wall[i] = (System.nanoTime() - t) / 1e6;
            phases[i] = report.path("timingsMillis");
        }
        int median = medianIndex(wall);
        ObjectNode r = JSON.createObjectNode();
        r.put("entities", entities);
        r.put("runs", runs);
        r.set("processMillis", stats(wall, wall.length));
        r.set("phasesMillisOfTheMedianRun", phases[median]);
        return r;
    }

    private static int medianIndex(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble(i -> v[i]));
        return idx[v.length / 2];
    }

    private static ObjectNode stats(double[] values, int count) {
        double[] s = Arrays.copyOf(values, count);
        Arrays.sort(s);
        ObjectNode r = JSON.createObjectNode();
        r.put("median", round(s[s.length / 2]));
        r.put("p90", round(s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)]));
        r.put("min", round(s[0]));
        r.put("max", round(s[s.length - 1]));
        return r;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** Runs a command with a timeout and returns its stdout; a failure names its stderr. */
    private static String run(List<String> command) throws IOException {
        Path err = Files.createTempFile("crdt-bench-", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within 10 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": "
                        + Files.readString(err).strip());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** One server under test and its samples (milliseconds). */
    private static final class Server {
        final String name;
        final List<String> command;
        final Path memoryFile;
        final Path log;
        final double[] start = new double[11];
        final double[] write = new double[100];
        final double[] search = new double[40];
        final double[] open = new double[40];
        final double[] readGraph = new double[40];

        Server(String name, List<String> command, Path memoryFile, Path dir) {
            this.name = name;
            this.command = command;
            this.memoryFile = memoryFile;
            this.log = dir.resolve(name + ".stderr");
        }

        StdioMcpClient start() throws IOException {
            return StdioMcpClient.start(command, Map.of("MEMORY_FILE_PATH", memoryFile.toString()), log);
        }

        ObjectNode summary(int starts, int writes, int reads) {
            ObjectNode r = JSON.createObjectNode();
            r.set("startMillis", stats(start, starts));
            r.set("writeMillis", stats(write, writes));
            r.set("searchMillis", stats(search, reads));
            r.set("openMillis", stats(open, reads));
            r.set("readGraphMillis", stats(readGraph, reads / 2));
            return r;
        }
    }
}
