/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server out of heap in a tool call (the launcher under a small
 * {@code MEMORY_MCP_SERVER_JAVA_OPTS=-Xmx}): it ends at once with status 1 and one line naming the
 * memory's size and the variable, instead of living on without answering, and the file is as it was.
 */
class OutOfMemoryIT {
    @TempDir
    Path tmp;

    @Test
    void aWriteOutOfHeapEndsTheServerWithOneLineAndLeavesTheFile() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path memory = tmp.resolve("memory.jsonl");
        writeMemory(memory, 20_000);
        byte[] before = Files.readAllBytes(memory);
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("memoryServer.launcher", "../bin/memory-mcp-server"));
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("MEMORY_MCP_SERVER_JAR", Path.of(System.getProperty("memoryServer.jar",
                "target/memory-mcp-server.jar")).toAbsolutePath().toString());
        pb.environment().put("MEMORY_MCP_SERVER_JAVA_OPTS", "-Xmx24m");
        pb.environment().put("MEMORY_FILE_PATH", memory.toString());
        Path err = tmp.resolve("stderr.txt");
        pb.redirectError(err.toFile()).redirectOutput(tmp.resolve("stdout.txt").toFile());
        Process server = pb.start();
        try (OutputStream in = server.getOutputStream()) {
            in.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"0\"}}}\n"
                    + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"create_entities\","
                    + "\"arguments\":{\"entities\":[{\"name\":\"new\",\"entityType\":\"t\",\"observations\":[]}]}}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.flush();
            // stdin stays open: the server must end by itself, not because its client went away
            boolean ended = server.waitFor(60, TimeUnit.SECONDS);
            if (!ended) {
                server.destroyForcibly();
            }
            assertThat(ended).as("the server out of heap ended; stderr:%n%s", Files.readString(err)).isTrue();
        }
        String log = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(server.exitValue()).as(log).isEqualTo(1);
        assertThat(log).startsWith("memory-mcp-server: out of memory").contains(memory.toString())
                .contains("MEMORY_MCP_SERVER_JAVA_OPTS=-Xmx").contains("[OUT_OF_MEMORY]")
                .doesNotContain("\tat ").doesNotContain("Exception in thread");
        assertThat(Files.readAllBytes(memory)).as("the memory file").isEqualTo(before);
    }

    /** A memory file of {@code n} entities with two observations and one relation each. */
    private static void writeMemory(Path file, int n) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < n; i++) {
                w.write("{\"type\":\"entity\",\"name\":\"entity-" + i + "\",\"entityType\":\"person\",\"observations\":[\""
                        + "observation " + i + " about something that happened in project " + (i % 97)
                        + "\",\"prefers tea over coffee, noted on day " + (i % 365) + "\"]}\n");
            }
            for (int i = 0; i < n; i++) {
                w.write("{\"type\":\"relation\",\"from\":\"entity-" + i + "\",\"to\":\"entity-" + ((i * 31L + 7) % n)
                        + "\",\"relationType\":\"knows\"}\n");
            }
        }
    }
}
