/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.store.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LiveMemory's journal (a write costs its own size) and the graph it carries from call to call. */
final class LiveMemoryJournalTest {
    private static final ReplicaId ALICE = ReplicaId.of("alice");

    @TempDir
    Path tmp;

    @Test
    void writesSurviveACrashThroughTheJournalAndATornLastRecordIsIgnored() throws Exception {
        Path file = tmp.resolve("alice.state");
        LiveMemory crashed = LiveMemory.open(file, ALICE); // never closed: the process "dies" after the writes
        for (int i = 0; i < 50; i++) {
            crashed.createEntities(List.of(Entity.of("E" + i, "t", "o" + i)));
        }
        crashed.deleteEntities(List.of("E7"));
        Path journal = Journal.of(file);
        assertThat(journal).exists();
        assertThat(file).as("a write appends to the journal, it does not rewrite the state file").doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal))).isEqualTo("rw-------");
        MemoryGraph before = crashed.readGraph();
        Files.write(journal, new byte[] {0, 0, 0, 42, 1, 2, 3, 4, 5}, StandardOpenOption.APPEND); // a torn append

        try (LiveMemory reopened = LiveMemory.open(file, ALICE)) {
            assertThat(reopened.readGraph()).isEqualTo(before);
            assertThat(reopened.readGraph().entities()).hasSize(49);
            assertThat(file).as("folded on open").exists();
            assertThat(journal).doesNotExist();
            reopened.addObservations(List.of(new Observations("E1", List.of("after"))));
        }
        assertThat(journal).as("folded on close").doesNotExist();
        try (LiveMemory again = LiveMemory.open(file, ALICE)) {
            assertThat(again.readGraph().entity("E1").orElseThrow().observations()).containsExactly("o1", "after");
        }
    }

    @Test
    void theJournalIsFoldedWhenItOutgrowsTheStateFile() throws Exception {
        Path file = tmp.resolve("alice.state");
        try (LiveMemory m = LiveMemory.open(file, ALICE)) {
            String big = "x".repeat(20_000);
            for (int i = 0; i < 80; i++) { // 1.6 MB of observations: over the 1 MiB floor once
                m.createEntities(List.of(Entity.of("E" + i, "t", big + i)));
            }
            assertThat(file).exists();
            assertThat(Files.size(Journal.of(file))).isLessThan(Journal.MIN_FOLD);
            MemoryGraph g = m.readGraph();
            LiveMemory copy = LiveMemory.open(tmp.resolve("copy.state"), ALICE);
            copy.close();
            Files.copy(file, tmp.resolve("copy.state"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(Journal.of(file), Journal.of(tmp.resolve("copy.state")));
            try (LiveMemory reopened = LiveMemory.open(tmp.resolve("copy.state"), ALICE)) {
                assertThat(reopened.readGraph()).isEqualTo(g);
            }
        }
    }

    @Test
    void theGraphCarriedFromCallToCallIsTheStatesViewInContentAndOrder() throws Exception {
        SplittableRandom random = new SplittableRandom(18);
        try (MemoryStore store = MemoryStore.create("carried");
             LiveMemory m = LiveMemory.open(tmp.resolve("a.state"), ALICE);
             LiveMemory other = LiveMemory.open(tmp.resolve("b.state"), ReplicaId.of("bob"))) {
            for (int step = 0; step < 600; step++) {
                LiveMemory target = random.nextInt(10) == 0 ? other : m;
                String name = "E" + random.nextInt(12);
                String peer = "E" + random.nextInt(12);
                switch (random.nextInt(8)) {
                    case 0, 1 -> target.createEntities(List.of(Entity.of(name, "t" + random.nextInt(2),
                            "o" + random.nextInt(4)), Entity.of(peer, "t")));
                    case 2 -> target.createRelations(List.of(new Relation(name, "r" + random.nextInt(2), peer)));
                    case 3 -> target.deleteEntities(List.of(name));
                    case 4 -> target.deleteObservations(List.of(new Observations(name, List.of("o" + random.nextInt(4)))));
                    case 5 -> target.deleteRelations(List.of(new Relation(name, "r0", peer)));
                    case 6 -> {
                        if (target.readGraph().entity(name).isPresent()) {
                            target.addObservations(List.of(new Observations(name, List.of("o" + random.nextInt(6)))));
                        }
                    }
                    default -> {
                        m.sync(store);
                        other.sync(store);
                    }
                }
                assertThat(m.readGraph()).as("step %d", step).isEqualTo(m.snapshot().view());
                assertThat(other.readGraph()).as("step %d", step).isEqualTo(other.snapshot().view());
            }
        }
    }
}
