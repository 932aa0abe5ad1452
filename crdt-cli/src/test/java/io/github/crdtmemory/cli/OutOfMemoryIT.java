/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sync that runs out of heap (the launcher under a small {@code MEMORY_BACKUP_JAVA_OPTS=-Xmx}): one
 * line naming the memory's size and the variable, exit 1, and not a byte changed anywhere.
 */
class OutOfMemoryIT {
    /** Entities of two observations and one relation each: about 300 bytes and four atoms an entity. */
    private static final int ENTITIES = 20_000;
    private static final String SMALL_HEAP = "-Xmx24m";

    @TempDir
    Path tmp;

    @Test
    void aSyncOutOfHeapSaysHowLargeTheMemoryIsAndChangesNothing() throws Exception {
        Path remote = Cli.bareRemote(tmp);
        Cli alice = Cli.replica(tmp, "alice", remote);
        Path memory = alice.home.resolve("memory.jsonl");
        writeMemory(memory, ENTITIES, "");
        Cli.Run first = alice.run("sync");
        assertThat(first.code()).as("the first sync, default heap: %s", first).isZero();
        writeMemory(memory, ENTITIES, "edited ");

        Map<String, byte[]> before = snapshot(alice.home, remote);
        alice.env.put("MEMORY_BACKUP_JAVA_OPTS", SMALL_HEAP);
        Cli.Run oom = alice.launcher("sync");
        assertThat(oom.code()).as("%s", oom).isEqualTo(ExitStatus.INTERNAL);
        assertThat(oom.err()).as("%s", oom).startsWith("memory-backup: out of memory")
                .contains("MEMORY_BACKUP_JAVA_OPTS=-Xmx").contains(memory.toString())
                .contains(String.format(java.util.Locale.ROOT, "%.1f MiB", Files.size(memory) / 1048576.0))
                .contains("[OUT_OF_MEMORY]").doesNotContain("\tat ").doesNotContain("Exception in thread");
        assertThat(oom.err().lines().count()).as("%s", oom).isEqualTo(1);
        assertUnchanged(before, snapshot(alice.home, remote));

        Cli.Run json = alice.launcher("sync", "--json");
        assertThat(json.code()).as("%s", json).isEqualTo(ExitStatus.INTERNAL);
        assertThat(json.json().get("kind").asText()).isEqualTo("OUT_OF_MEMORY");
        assertThat(json.json().get("exitCode").asInt()).isEqualTo(1);
        assertUnchanged(before, snapshot(alice.home, remote));
    }

    /** Every regular file under the roots (the memory file, the state dir, the store), by path. */
    private static Map<String, byte[]> snapshot(Path... roots) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        for (Path root : roots) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                    if (!p.startsWith(root.resolve("tmp"))) { // the test's own stdout and stderr captures
                        files.put(p.toString(), Files.readAllBytes(p));
                    }
                }
            }
        }
        return files;
    }

    private static void assertUnchanged(Map<String, byte[]> before, Map<String, byte[]> after) {
        assertThat(after.keySet()).as("files").containsExactlyElementsOf(before.keySet());
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            assertThat(after.get(e.getKey())).as("%s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    /** A memory file of {@code n} entities with two observations and one relation each. */
    static void writeMemory(Path file, int n, String prefix) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < n; i++) {
                w.write("{\"type\":\"entity\",\"name\":\"entity-" + i + "\",\"entityType\":\"person\",\"observations\":[\""
                        + prefix + "observation " + i + " about something that happened in project " + (i % 97)
                        + "\",\"prefers tea over coffee, noted on day " + (i % 365) + "\"]}\n");
            }
            for (int i = 0; i < n; i++) {
                w.write("{\"type\":\"relation\",\"from\":\"entity-" + i + "\",\"to\":\"entity-" + ((i * 31L + 7) % n)
                        + "\",\"relationType\":\"knows\"}\n");
            }
        }
    }
}
