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
    void editsOfTheFileAfterTheCrashStillCountWhereTheyDifferFromBoth() {
        bob.edit(g -> withObservation(g, "X", "thing", "x"));
        bob.sync();
        aliceSyncsAndDiesAfterTheRename();
        // her server replaces everything: Keep (base and written view) goes, New comes; X's absence
        // matches the base, where the rename may never have happened, so it is not taken for a deletion
        alice.edit(g -> MemoryGraph.of(List.of(new Entity("New", "thing", List.of("n"))), List.of()));
        SyncReport report = alice.sync();
        assertThat(report.deleted()).containsExactlyInAnyOrder(
                new io.github.crdtmemory.memory.AtomKey.EntityKey("Keep"),
                new io.github.crdtmemory.memory.AtomKey.ObservationKey("Keep", "k"));
        assertThat(report.added()).contains(new io.github.crdtmemory.memory.AtomKey.EntityKey("New"));
        bob.sync();
        assertThat(names(bob.graph())).containsExactlyInAnyOrder("New", "X");
    }
}
