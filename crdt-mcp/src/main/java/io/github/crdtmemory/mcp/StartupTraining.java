/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crdtmemory.mcp.api.MemoryMcp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Build step, not part of the server: makes the class-data sharing archive that
 * {@code bin/memory-mcp-server} uses to start faster. It starts the server jar in a JVM that writes
 * the archive when it exits ({@code -XX:ArchiveClassesAtExit}), on a scratch memory file and state
 * directory, drives one scripted session over stdio (the handshake, every tool, the resource), closes
 * stdin and waits for the exit. The archive then holds every class that session loaded, already
 * parsed and verified. A server that does not answer fails the build; the scratch directory is
 * deleted in every case.
 *
 * <p>Arguments: the archive to write, a directory for the scratch files, the server jar.
 */
public final class StartupTraining {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StartupTraining() {
    }

    /**
     * Writes the archive.
     *
     * @param args the archive, the scratch parent directory, the server jar
     * @throws Exception if the server fails to answer or to exit
     */
    public static void main(String[] args) throws Exception {
        Path archive = Path.of(args[0]).toAbsolutePath();
        Path parent = Files.createDirectories(Path.of(args[1]).toAbsolutePath());
        Path jar = Path.of(args[2]).toAbsolutePath();
        Files.deleteIfExists(archive);
        Path scratch = Files.createTempDirectory(parent, "cds-training-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            train(archive, scratch, jar);
        } finally {
            try (Stream<Path> all = Files.walk(scratch)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void train(Path archive, Path scratch, Path jar) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the launcher's flags; JVM messages (the dump's warnings) go to stderr, never into the protocol
        List<String> command = List.of(java, "-XX:ArchiveClassesAtExit=" + archive, "-XX:+UseSerialGC",
                "-Xlog:disable", "-Xlog:all=warning:stderr", "-jar", jar.toString(),
                "--memory-file", scratch.resolve("memory.json").toString(),
                "--state-dir", scratch.resolve("state").toString());
        Process server = new ProcessBuilder(command).redirectError(scratch.resolve("stderr.log").toFile()).start();
        BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> read(server, replies), "training-reader");
        reader.setDaemon(true);
        reader.start();
        try (OutputStream in = server.getOutputStream()) {
            int id = 0;
            for (Object[] step : session()) {
                ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", (String) step[0]);
                msg.set("params", JSON.valueToTree(step[1]));
                boolean notification = ((String) step[0]).startsWith("notifications/");
                if (!notification) {
                    msg.put("id", ++id);
                }
                in.write((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                if (!notification && replies.poll(60, TimeUnit.SECONDS) == null) {
                    throw new IOException("the server did not answer " + step[0] + "; its log: "
                            + Files.readString(scratch.resolve("stderr.log")));
                }
            }
        } catch (Exception e) {
            server.destroyForcibly();
            throw e;
        }
        if (!server.waitFor(120, TimeUnit.SECONDS)) {
            server.destroyForcibly();
            throw new IOException("the server did not exit within 120 s of stdin closing");
        }
        if (server.exitValue() != 0 || !Files.exists(archive)) {
            throw new IOException("the training run exited with " + server.exitValue() + " and wrote "
                    + (Files.exists(archive) ? "" : "no ") + "archive; its log: "
                    + Files.readString(scratch.resolve("stderr.log")));
        }
    }

    private static void read(Process server, BlockingQueue<JsonNode> replies) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode msg = JSON.readTree(line);
                if (msg.has("id") && (msg.has("result") || msg.has("error"))) {
                    replies.add(msg);
                }
            }
        } catch (IOException e) {
            // the server exited
        }
    }

    /** The scripted session: method and params, in order. */
    private static List<Object[]> session() {
        List<Object[]> s = new ArrayList<>();
        s.add(new Object[] {"initialize", Map.of("protocolVersion", "2025-06-18", "capabilities", Map.of(),
                "clientInfo", Map.of("name", "crdt-memory-training", "version", "0"))});
        s.add(new Object[] {"notifications/initialized", Map.of()});
        s.add(new Object[] {"tools/list", Map.of()});
        s.add(new Object[] {"resources/list", Map.of()});
        s.add(call("read_graph", Map.of()));
        s.add(call("create_entities", Map.of("entities", List.of(
                Map.of("name", "Ada", "entityType", "person", "observations", List.of("writes programs")),
                Map.of("name", "Engine", "entityType", "machine", "observations", List.of("analytical"))))));
        s.add(call("create_relations", Map.of("relations", List.of(
                Map.of("from", "Ada", "to", "Engine", "relationType", "programs")))));
        s.add(call("add_observations", Map.of("observations", List.of(
                Map.of("entityName", "Ada", "contents", List.of("born 1815"))))));
        s.add(call("search_nodes", Map.of("query", "ada")));
        s.add(call("open_nodes", Map.of("names", List.of("Ada", "Engine"))));
        s.add(call("read_graph", Map.of()));
        s.add(new Object[] {"resources/read", Map.of("uri", MemoryMcp.GRAPH_URI)});
        s.add(call("delete_observations", Map.of("deletions", List.of(
                Map.of("entityName", "Ada", "observations", List.of("born 1815"))))));
        s.add(call("delete_relations", Map.of("relations", List.of(
                Map.of("from", "Ada", "to", "Engine", "relationType", "programs")))));
        s.add(call("delete_entities", Map.of("entityNames", List.of("Engine"))));
        return s;
    }

    private static Object[] call(String tool, Object arguments) {
        return new Object[] {"tools/call", Map.of("name", tool, "arguments", arguments)};
    }
}
