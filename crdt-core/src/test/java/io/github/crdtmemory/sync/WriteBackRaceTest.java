/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static io.github.crdtmemory.sync.Host.withObservation;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.DirectoryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer that does not take the lock (an MCP server) writes the memory file while a write-back is
 * under way: its write is never replaced unseen. Alice and Bob share Ada; Bob adds an observation so
 * that Alice's next sync has something to write back; the hook writes Alice's file mid-write-back.
 */
final class WriteBackRaceTest {
    @TempDir
    Path temp;

    private DirectoryStore store;
    private Host alice;
    private Host bob;

    @BeforeEach
    void aliceHasAWriteBackToDo() {
        store = DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(30));
        alice = new Host(temp, "alice", store);
        bob = new Host(temp, "bob", store);
        alice.edit(g -> withObservation(g, "Ada", "person", "a"));
        alice.sync();
        bob.sync();
        bob.edit(g -> withObservation(g, "Ada", "person", "from bob"));
        bob.sync();
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Runs {@code write} once, at the first of the given steps the write-back reaches. */
    private SyncEngine engineWritingAt(Runnable write, StepHook.Step... steps) {
        AtomicBoolean done = new AtomicBoolean();
        return SyncEngine.withHook(alice.engine.settings(), store, step -> {
            if (java.util.List.of(steps).contains(step) && done.compareAndSet(false, true)) {
                write.run();
            }
        });
    }

    private byte[] aliceWith(String observation) {
        return MemoryFileCodec.write(withObservation(alice.graph(), "Ada", "person", observation), false);
    }

    @Test
    void aWriteLandingWhileTheNewContentIsWrittenAndSyncedSurvivesAndIsMergedNextTime() {
        // the first boundary after the new content is on disk: TEMP_WRITTEN now; the old order had compared
        // the file already by then (its only boundary there was COMPARED)
        SyncEngine engine = engineWritingAt(() -> alice.edit(g -> withObservation(g, "Ada", "person", "late")),
                StepHook.Step.TEMP_WRITTEN, StepHook.Step.COMPARED);
        SyncReport report = engine.sync();
        assertThat(report.writeBack()).as("the file changed before the comparison")
                .isEqualTo(SyncReport.WriteBack.SKIPPED_FILE_CHANGED);
        assertThat(observations()).contains("late");

        SyncReport next = alice.sync();
        assertThat(next.added()).contains(new ObservationKey("Ada", "late"));
        assertThat(next.writeBack()).isEqualTo(SyncReport.WriteBack.WRITTEN);
        assertThat(observations()).contains("a", "from bob", "late");
        bob.sync();
        assertThat(bob.graph()).isEqualTo(alice.graph());
    }

    /**
     * Another writer caught half way through an in-place rewrite (truncated, not yet written) when the
     * write-back compares: the file is a prefix of what was read, which is not what was read.
     */
    @Test
    void aFileCutShortInPlaceBeforeTheComparisonIsNotReplaced() throws IOException {
        byte[] read = Files.readAllBytes(alice.memoryFile);
        SyncEngine engine = engineWritingAt(() -> {
            try (var ch = java.nio.channels.FileChannel.open(alice.memoryFile, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(read.length / 2); // same file, its first half
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, StepHook.Step.TEMP_WRITTEN);
        assertThat(engine.sync().writeBack()).isEqualTo(SyncReport.WriteBack.SKIPPED_FILE_CHANGED);
        assertThat(Files.readAllBytes(alice.memoryFile)).as("the other writer's file, untouched")
                .isEqualTo(java.util.Arrays.copyOf(read, read.length / 2));
    }

    @Test
    void aFileReplacedByRenameAfterTheComparisonIsNotRenamedOver() {
        SyncEngine engine = engineWritingAt(() -> alice.edit(g -> withObservation(g, "Ada", "person", "renamed in")),
                StepHook.Step.COMPARED);
        assertThat(engine.sync().writeBack()).isEqualTo(SyncReport.WriteBack.SKIPPED_FILE_CHANGED);
        assertThat(observations()).contains("renamed in");
        assertThat(alice.sync().added()).contains(new ObservationKey("Ada", "renamed in"));
        assertThat(observations()).contains("a", "from bob", "renamed in");
    }

    @Test
    void aFileRewrittenInPlaceAfterTheComparisonIsKeptAsACopyAndNamedInTheReport() throws IOException {
        byte[][] foreign = new byte[1][];
        SyncEngine engine = engineWritingAt(() -> {
            foreign[0] = aliceWith("in place");
            try {
                Files.write(alice.memoryFile, foreign[0]); // truncate and write, as older MCP servers do
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, StepHook.Step.COMPARED);
        SyncReport report = engine.sync();
        assertThat(report.writeBack()).isEqualTo(SyncReport.WriteBack.WRITTEN);
        assertThat(report.warnings()).anyMatch(w -> w.contains("rewritten by another writer"));
        Path copies = alice.stateDir.resolve(StateDirectory.COPIES_DIR);
        assertThat(StateDirectory.copies(copies)).anySatisfy(c -> assertThat(Files.readAllBytes(c))
                .isEqualTo(foreign[0]));
        try (var left = Files.list(alice.memoryFile.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file or link left")
                    .containsOnly("memory.jsonl", "state");
        }
    }

    @Test
    void aMissingFileCreatedAfterTheComparisonIsNotReplaced() throws IOException {
        Host carol = new Host(temp, "carol", store);
        MemoryGraph own = withObservation(MemoryGraph.empty(), "Cy", "person", "created meanwhile");
        AtomicBoolean done = new AtomicBoolean();
        SyncEngine engine = SyncEngine.withHook(carol.engine.settings(), store, step -> {
            if (step == StepHook.Step.COMPARED && done.compareAndSet(false, true)) {
                Host.write(carol.memoryFile, own);
            }
        });
        assertThat(engine.sync().writeBack()).isEqualTo(SyncReport.WriteBack.SKIPPED_FILE_CHANGED);
        assertThat(carol.graph()).isEqualTo(own);
        carol.sync();
        assertThat(carol.graph().entity("Cy")).isPresent();
        assertThat(carol.graph().entity("Ada")).isPresent();
    }

    private java.util.List<String> observations() {
        return alice.graph().entity("Ada").orElseThrow().observations();
    }
}
