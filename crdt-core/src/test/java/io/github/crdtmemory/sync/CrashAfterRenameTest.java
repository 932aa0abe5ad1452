/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static io.github.crdtmemory.sync.Host.withObservation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.DirectoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alice dies between the write-back's rename and the checkpoint that records it; before her next
 * sync, her MCP server edits the file elsewhere, so the file is neither the base nor the pending view.
 * What the write-back brought in (or took out) must not come back as her edit.
 */
final class CrashAfterRenameTest {
    @TempDir
    Path temp;

    private DirectoryStore store;
    private Host alice;
    private Host bob;

    @BeforeEach
    void aliceAndBobShareKeep() {
        store = DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(30));
        alice = new Host(temp, "alice", store);
        bob = new Host(temp, "bob", store);
        alice.edit(g -> withObservation(g, "Keep", "thing", "k"));
        alice.sync();
        bob.sync();
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Alice syncs and dies right after her memory file was replaced. */
    private void aliceSyncsAndDiesAfterTheRename() {
        SyncEngine dying = SyncEngine.withHook(alice.engine.settings(), store, step -> {
            if (step == StepHook.Step.RENAMED) {
                throw new IllegalStateException("killed after the rename");
            }
        });
        assertThatThrownBy(dying::sync).hasMessageContaining("killed");
    }

    private static List<String> names(MemoryGraph g) {
        return g.entities().stream().map(Entity::name).toList();
    }

    @Test
    void aRemoteDeletionOfWhatTheWriteBackBroughtInStaysDeleted() {
        bob.edit(g -> withObservation(g, "X", "thing", "x"));
        bob.sync();
        aliceSyncsAndDiesAfterTheRename();
        assertThat(names(alice.graph())).as("the rename happened").contains("X");

        bob.edit(g -> MemoryGraph.of(g.entities().stream().filter(e -> !e.name().equals("X")).toList(),
                g.relations()));
        bob.sync();
        alice.edit(g -> withObservation(g, "Keep", "thing", "k2")); // her MCP server

        SyncReport report = alice.sync();
        assertThat(report.added()).as("only the observation is hers")
                .containsExactly(new io.github.crdtmemory.memory.AtomKey.ObservationKey("Keep", "k2"));
        assertThat(names(alice.graph())).doesNotContain("X");
        bob.sync();
        assertThat(names(bob.graph())).as("the deletion was not undone").doesNotContain("X");
        assertThat(bob.graph().entity("Keep").orElseThrow().observations()).contains("k", "k2");
    }

    @Test
    void aRemoteDeletionTheWriteBackTookOutIsNotStampedOverALaterReCreation() {
        bob.edit(g -> withObservation(g, "X", "thing", "x"));
        bob.sync();
        alice.sync();
        bob.edit(g -> MemoryGraph.of(g.entities().stream().filter(e -> !e.name().equals("X")).toList(),
                g.relations()));
        bob.sync();
        aliceSyncsAndDiesAfterTheRename();
        assertThat(names(alice.graph())).as("the rename happened").doesNotContain("X");

        bob.edit(g -> withObservation(g, "X", "thing", "again"));
        bob.sync();
        alice.edit(g -> withObservation(g, "Keep", "thing", "k2"));

        SyncReport report = alice.sync();
        assertThat(report.deleted()).as("X's absence is the write-back's, not an edit").isEmpty();
        assertThat(alice.graph().entity("X")).map(Entity::observations).contains(List.of("again"));
        bob.sync();
        assertThat(bob.graph().entity("X")).as("the re-creation stands").isPresent();
        assertThat(bob.graph().entity("Keep").orElseThrow().observations()).contains("k", "k2");
    }

    @Test
    void editsOfTheFileAfterTheCrashAreDiffedAgainstTheViewItWrote() {
        bob.edit(g -> withObservation(g, "X", "thing", "x"));
        bob.sync();
        aliceSyncsAndDiesAfterTheRename();
        // her server (writing by rename, as the 2026.8.31 server does) replaces everything: Keep and X,
        // both in the view the landed write-back put there, go; New comes
        alice.edit(g -> MemoryGraph.of(List.of(new Entity("New", "thing", List.of("n"))), List.of()));
        SyncReport report = alice.sync();
        assertThat(report.deleted()).containsExactlyInAnyOrder(
                new io.github.crdtmemory.memory.AtomKey.EntityKey("Keep"),
                new io.github.crdtmemory.memory.AtomKey.ObservationKey("Keep", "k"),
                new io.github.crdtmemory.memory.AtomKey.EntityKey("X"),
                new io.github.crdtmemory.memory.AtomKey.ObservationKey("X", "x"));
        assertThat(report.added()).contains(new io.github.crdtmemory.memory.AtomKey.EntityKey("New"));
        bob.sync();
        assertThat(names(bob.graph())).containsExactly("New");
    }

    /**
     * The shape the fault model found (seed 14019): the write-back brings X in, alice dies after the
     * rename, and her MCP server, writing by rename, deletes X before her next sync. Telling that
     * deletion from "the rename never happened" takes more than the file's content (it equals the base):
     * the temporary file the checkpoint names is gone, so the rename landed.
     */
    @Test
    void aDeletionOfWhatTheLandedWriteBackBroughtInIsKept() {
        bob.edit(g -> withObservation(g, "X", "thing", "x"));
        bob.sync();
        aliceSyncsAndDiesAfterTheRename();
        alice.edit(g -> MemoryGraph.of(g.entities().stream().filter(e -> !e.name().equals("X")).toList(),
                g.relations()));

        SyncReport report = alice.sync();
        assertThat(report.deleted()).contains(new io.github.crdtmemory.memory.AtomKey.EntityKey("X"));
        assertThat(names(alice.graph())).doesNotContain("X");
        bob.sync();
        assertThat(names(bob.graph())).as("her deletion reached bob").doesNotContain("X");
    }

    /**
     * Alice dies after recording the pending write-back but before its rename; her MCP server then
     * edits the file by rename. The file lacks X (the write-back never put it there), so X's absence is
     * no deletion; the temporary file left behind says so, and is deleted once no checkpoint names it.
     */
    @Test
    void beforeTheRenameTheWriteBacksAdditionsAreNotTakenForDeletions() throws Exception {
        bob.edit(g -> withObservation(g, "X", "thing", "x"));
        bob.sync();
        SyncEngine dying = SyncEngine.withHook(alice.engine.settings(), store, step -> {
            if (step == StepHook.Step.COMPARED) {
                throw new IllegalStateException("killed before the rename");
            }
        });
        assertThatThrownBy(dying::sync).hasMessageContaining("killed");
        assertThat(names(alice.graph())).as("the rename never happened").doesNotContain("X");
        alice.edit(g -> withObservation(g, "Keep", "thing", "k2"));

        SyncReport report = alice.sync();
        assertThat(report.deleted()).isEmpty();
        assertThat(names(alice.graph())).contains("X");
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(alice.engine.settings().memoryFile()
                .getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file is left")
                    .noneMatch(n -> n.endsWith(".tmp"));
        }
        bob.sync();
        assertThat(names(bob.graph())).contains("X", "Keep");
    }

    /**
     * A new machine's first sync creates its memory file (a hard link to the temporary file, not a
     * rename) and dies before the checkpoint records it; then its MCP server deletes X. The temporary
     * name still exists if the link is all that happened, so "still pending" also asks whether it is
     * the memory file's inode (fault model seed 90444).
     */
    @Test
    void aDeletionInAFileTheFirstSyncCreatedIsKept() {
        bob.edit(g -> withObservation(g, "X", "thing", "x"));
        bob.sync();
        Host carol = new Host(temp, "carol", store);
        SyncEngine dying = SyncEngine.withHook(carol.engine.settings(), store, step -> {
            if (step == StepHook.Step.RENAMED) {
                throw new IllegalStateException("killed after creating the file");
            }
        });
        assertThatThrownBy(dying::sync).hasMessageContaining("killed");
        assertThat(names(carol.graph())).as("the file was created").contains("X");
        carol.edit(g -> MemoryGraph.of(g.entities().stream().filter(e -> !e.name().equals("X")).toList(),
                g.relations()));

        SyncReport report = carol.sync();
        assertThat(report.deleted()).contains(new io.github.crdtmemory.memory.AtomKey.EntityKey("X"));
        bob.sync();
        assertThat(names(bob.graph())).as("her deletion reached bob").doesNotContain("X");
    }
}
