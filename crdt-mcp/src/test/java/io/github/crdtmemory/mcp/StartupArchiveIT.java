/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.testkit.McpClient;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/memory-mcp-server} with the build's class-data sharing archive: used when whole, and a
 * damaged, truncated or stale archive never stops the server nor writes anything into the protocol.
 * The test trains its own archive for its own copy of the jar, so it can damage it freely.
 */
class StartupArchiveIT {
    @TempDir
    static Path tmp;
    private static Path jar;
    private static Path archive;
    private static byte[] trained;

    @BeforeAll
    static void trainAnArchiveForACopyOfTheJar() throws Exception {
        jar = tmp.resolve("memory-mcp-server.jar");
        Files.copy(Path.of(System.getProperty("memoryServer.jar", "target/memory-mcp-server.jar")), jar);
        archive = tmp.resolve("memory-mcp-server.jsa");
        StartupTraining.main(new String[] {archive.toString(), tmp.toString(), jar.toString()});
        trained = Files.readAllBytes(archive);
        Files.writeString(tmp.resolve("memory-mcp-server.jsa.size"), Integer.toString(trained.length));
    }

    /** Starts the launcher on the copy, runs the handshake and one call; returns its stderr. */
    private static String serve(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        ProcessBuilder pb = new ProcessBuilder(Path.of("../bin/memory-mcp-server").toAbsolutePath().normalize()
                .toString(), "--state-dir", dir.resolve("state").toString());
        pb.environment().putAll(Map.of("HOME", dir.toString(), "MEMORY_FILE_PATH", dir.resolve("memory.json")
                .toString(), "MEMORY_MCP_SERVER_JAR", jar.toString(), "MEMORY_MCP_SERVER_JAVA_OPTS",
                "-Xlog:class+load=info:file=" + dir.resolve("classes.log")));
        pb.environment().remove("MEMORY_BACKUP_STORE");
        try (McpClient server = McpClient.start(pb)) { // every stdout line must be JSON-RPC
            assertThat(server.call("create_entities", Map.of("entities", List.of(Map.of("name", "a",
                    "entityType", "t", "observations", List.of("o"))))).path("isError").asBoolean()).isFalse();
            return server.log();
        }
    }

    private static long archivedClasses(String name) throws IOException {
        try (var lines = Files.lines(tmp.resolve(name).resolve("classes.log"))) {
            return lines.filter(l -> l.contains("source: shared objects file (top)")).count();
        }
    }

    private static void restore() throws IOException {
        Files.write(archive, trained);
    }

    @Test
    void aWholeArchiveIsUsed() throws Exception {
        restore();
        String log = serve("whole");
        assertThat(archivedClasses("whole")).as("classes from the app archive").isGreaterThan(1000);
        assertThat(log).doesNotContain("cds", "warning");
    }

    @Test
    void aTruncatedArchiveIsLeftAlone() throws Exception {
        restore();
        try (FileChannel c = FileChannel.open(archive, StandardOpenOption.WRITE)) {
            c.truncate(trained.length / 4);
        }
        String log = serve("truncated");
        assertThat(archivedClasses("truncated")).isZero();
        assertThat(log).doesNotContain("cds", "warning");
    }

    @Test
    void aCorruptedArchiveFallsBackSilently() throws Exception {
        restore();
        byte[] bad = trained.clone();
        SplittableRandom random = new SplittableRandom(16);
        for (int i = bad.length / 3; i < bad.length / 3 + 100_000; i++) {
            bad[i] = (byte) random.nextInt();
        }
        Files.write(archive, bad);
        String log = serve("corrupted");
        assertThat(archivedClasses("corrupted")).isZero();
        assertThat(log).doesNotContain("cds", "warning");
    }

    @Test
    void anArchiveOfAnotherBuildOfTheJarFallsBackSilently() throws Exception {
        restore();
        FileTime built = Files.getLastModifiedTime(jar);
        try {
            Files.setLastModifiedTime(jar, FileTime.fromMillis(built.toMillis() + 60_000)); // rebuilt, same path
            String log = serve("stale");
            assertThat(archivedClasses("stale")).isZero();
            assertThat(log).doesNotContain("cds", "warning");
        } finally {
            Files.setLastModifiedTime(jar, built);
        }
    }
}
