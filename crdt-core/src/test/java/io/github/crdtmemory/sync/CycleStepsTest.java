/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static io.github.crdtmemory.sync.Host.withObservation;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.store.DirectoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The step boundaries a cycle passes, in order, and what it leaves behind. The fault model injects its
 * crashes at these boundaries, so a boundary that is skipped hides a crash point from it; and a cycle
 * must leave no temporary copy of the memory file once nothing records it.
 */
final class CycleStepsTest {
    /** The boundaries inside a checkpoint save, which come wherever the cycle saves. */
    private static final Set<StepHook.Step> SAVES = EnumSet.of(StepHook.Step.JOURNAL_WRITTEN,
            StepHook.Step.SNAPSHOT_WRITTEN, StepHook.Step.SNAPSHOT_RENAMED);

    @TempDir
    Path temp;

    private DirectoryStore store;
    private Host alice;

    @BeforeEach
    void aPeerHasAnEditForAlice() {
        store = DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(30));
        alice = new Host(temp, "alice", store);
        Host bob = new Host(temp, "bob", store);
        alice.edit(g -> withObservation(g, "Ada", "person", "a"));
        alice.sync();
        bob.sync();
        bob.edit(g -> withObservation(g, "Ada", "person", "from bob"));
        bob.sync();
        alice.edit(g -> withObservation(g, "Ada", "person", "from alice"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private SyncEngine recording(List<StepHook.Step> steps, StepHook then) {
        return SyncEngine.withHook(alice.engine.settings(), store, step -> {
            steps.add(step);
            then.at(step);
        });
    }

    @Test
    void aSyncWithAWriteBackPassesEveryBoundaryInOrderAndSavesAfterTheRename() throws IOException {
        List<StepHook.Step> steps = new ArrayList<>();
        SyncReport report = recording(steps, StepHook.NONE).sync();

        assertThat(report.writeBack()).isEqualTo(SyncReport.WriteBack.WRITTEN);
        assertThat(steps.stream().filter(s -> !SAVES.contains(s))).containsExactly(StepHook.Step.READ,
                StepHook.Step.STAMPED, StepHook.Step.MERGED, StepHook.Step.PUBLISHED, StepHook.Step.TEMP_WRITTEN,
                StepHook.Step.PENDING_SAVED, StepHook.Step.COMPARED, StepHook.Step.RENAMED, StepHook.Step.DONE);
        assertThat(savesBetween(steps, StepHook.Step.READ, StepHook.Step.STAMPED))
                .as("the stamped edits are saved before the store is read").isPositive();
        assertThat(savesBetween(steps, StepHook.Step.TEMP_WRITTEN, StepHook.Step.PENDING_SAVED))
                .as("the pending write-back is saved before the file is compared").isPositive();
        assertThat(savesBetween(steps, StepHook.Step.RENAMED, StepHook.Step.DONE))
                .as("the new base is saved after the rename").isPositive();
        assertThat(Host.read(alice.memoryFile).entities().get(0).observations())
                .contains("a", "from bob", "from alice");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aWriteBackSkippedForAForeignWriteLeavesNoTemporaryFile() throws IOException {
        List<StepHook.Step> steps = new ArrayList<>();
        SyncReport report = recording(steps, step -> {
            if (step == StepHook.Step.PENDING_SAVED) { // a writer without the lock, before the comparison
                alice.edit(g -> withObservation(g, "Ada", "person", "late"));
            }
        }).sync();

        assertThat(report.writeBack()).isEqualTo(SyncReport.WriteBack.SKIPPED_FILE_CHANGED);
        assertThat(steps.stream().filter(s -> !SAVES.contains(s))).containsExactly(StepHook.Step.READ,
                StepHook.Step.STAMPED, StepHook.Step.MERGED, StepHook.Step.PUBLISHED, StepHook.Step.TEMP_WRITTEN,
                StepHook.Step.PENDING_SAVED, StepHook.Step.DONE); // COMPARED only when the file is unchanged
        assertThat(savesBetween(steps, StepHook.Step.PENDING_SAVED, StepHook.Step.DONE))
                .as("the checkpoint stops recording the pending write-back").isPositive();
        assertThat(leftovers()).as("the unrenamed temporary file is deleted at once").isEmpty();
        assertThat(alice.sync().writeBack()).isEqualTo(SyncReport.WriteBack.WRITTEN);
        assertThat(Host.read(alice.memoryFile).entities().get(0).observations()).contains("late", "from bob");
    }

    @Test
    void anEditPassesItsBoundariesInOrderAndLeavesNoTemporaryFile() throws IOException {
        alice.sync();
        List<StepHook.Step> steps = new ArrayList<>();
        recording(steps, StepHook.NONE).edit(g -> withObservation(g, "Ada", "person", "edited"));

        assertThat(steps.stream().filter(s -> !SAVES.contains(s))).containsExactly(StepHook.Step.READ,
                StepHook.Step.TEMP_WRITTEN, StepHook.Step.STAMPED, StepHook.Step.PENDING_SAVED,
                StepHook.Step.COMPARED, StepHook.Step.RENAMED, StepHook.Step.DONE);
        assertThat(savesBetween(steps, StepHook.Step.RENAMED, StepHook.Step.DONE))
                .as("the written graph becomes the base after the rename").isPositive();
        assertThat(Host.read(alice.memoryFile).entities().get(0).observations()).contains("edited");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void anEditThatChangesNothingStampsAndStopsWithoutATemporaryFile() throws IOException {
        alice.sync();
        byte[] before = Files.readAllBytes(alice.memoryFile);
        List<StepHook.Step> steps = new ArrayList<>();
        recording(steps, StepHook.NONE).edit(g -> withObservation(g, "Ada", "person", "a")); // already there

        assertThat(steps.stream().filter(s -> !SAVES.contains(s))).containsExactly(StepHook.Step.READ,
                StepHook.Step.STAMPED, StepHook.Step.DONE);
        assertThat(Files.readAllBytes(alice.memoryFile)).isEqualTo(before);
        assertThat(leftovers()).isEmpty();
    }

    /** The checkpoint-save boundaries between the first {@code from} and the first {@code to} after it. */
    private static long savesBetween(List<StepHook.Step> steps, StepHook.Step from, StepHook.Step to) {
        int start = steps.indexOf(from);
        int end = steps.subList(start, steps.size()).indexOf(to) + start;
        return steps.subList(start, end).stream().filter(SAVES::contains).count();
    }

    /** Temporary files next to the memory file (the write-back's {@code .memory.jsonl.*.tmp}). */
    private List<String> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(alice.memoryFile.getParent())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
        }
    }
}
