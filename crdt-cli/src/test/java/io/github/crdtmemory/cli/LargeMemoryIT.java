/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large memory synced under a small heap through the launcher, as cron runs it on a small machine:
 * a cold sync, a warm sync with one edit, and a restore on a second machine, each under
 * {@code MEMORY_BACKUP_JAVA_OPTS=-Xmx<heap>}. By default 25,000 entities (100,000 atoms) under
 * {@code -Xmx128m}, a few seconds a step: the code before the streamed checkpoint needed 144 MiB for the
 * cold sync and 160 MiB for the warm one (heap harness), so this fails on it. The target runs
 * with {@code -Dlarge.entities=100000 -Dlarge.heap=256m}.
 */
class LargeMemoryIT {
    /** Entities of two observations and one relation each (four atoms). */
    private static final int ENTITIES = Integer.getInteger("large.entities", 25_000);
    private static final String HEAP = System.getProperty("large.heap", "128m");

    @TempDir
    Path tmp;

    @Test
    void aLargeMemorySyncsAndRestoresUnderASmallHeap() throws Exception {
        Path remote = Cli.bareRemote(tmp);
        Cli alice = Cli.replica(tmp, "alice", remote);
        Cli bob = Cli.replica(tmp, "bob", remote);
        alice.env.put("MEMORY_BACKUP_JAVA_OPTS", "-Xmx" + HEAP);
        bob.env.put("MEMORY_BACKUP_JAVA_OPTS", "-Xmx" + HEAP);
        Path memory = alice.home.resolve("memory.jsonl");
        OutOfMemoryIT.writeMemory(memory, ENTITIES, "");

        Cli.Run cold = alice.launcher("sync");
        assertThat(cold.code()).as("cold sync of %d entities under -Xmx%s: %s", ENTITIES, HEAP, cold).isZero();
        Files.writeString(memory, Cli.entity("added", "note", "one edit") + "\n", StandardOpenOption.APPEND);
        Cli.Run warm = alice.launcher("sync");
        assertThat(warm.code()).as("warm sync of %d entities under -Xmx%s: %s", ENTITIES, HEAP, warm).isZero();
        Cli.Run restore = bob.launcher("restore");
        assertThat(restore.code()).as("restore of %d entities under -Xmx%s: %s", ENTITIES, HEAP, restore).isZero();
        assertThat(bob.read().lines().sorted().toList()).as("bob's memory is alice's")
                .isEqualTo(alice.read().lines().sorted().toList());
        assertThat(bob.read()).contains("\"name\":\"entity-" + (ENTITIES - 1) + "\"").contains("one edit");
    }
}
