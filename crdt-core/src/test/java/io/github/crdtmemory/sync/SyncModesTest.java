/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static io.github.crdtmemory.sync.Host.withObservation;
import static io.github.crdtmemory.sync.Host.withoutEntity;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.store.DirectoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SyncEngine#backup()}, {@link SyncEngine#restore()} and {@link SyncEngine#status()}. */
final class SyncModesTest {
    @TempDir
    Path temp;

    private DirectoryStore store() {
        return DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(30));
    }

    @Test
    void backupPublishesAndLeavesTheFileAlone() throws Exception {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            Host b = new Host(temp, "bob", store);
            b.edit(g -> withObservation(g, "Bob", "person", "from bob"));
            b.sync();
            a.edit(g -> withObservation(g, "Ada", "person", "from alice"));
            byte[] before = Files.readAllBytes(a.memoryFile);

            SyncReport report = a.engine.backup();

            assertThat(report.publication()).isEqualTo(SyncReport.Publication.PUBLISHED);
            assertThat(report.writeBack()).isEqualTo(SyncReport.WriteBack.NOT_REQUESTED);
            assertThat(Files.readAllBytes(a.memoryFile)).isEqualTo(before);
            assertThat(store.read().get(ReplicaId.of("alice")).orElseThrow().state().view().entity("Ada")).isPresent();
            // the remote entity never written into the file is not a local deletion at the next sync
            SyncReport next = a.sync();
            assertThat(next.deleted()).isEmpty();
            assertThat(a.graph().entity("Bob")).isPresent();
        }
    }

    @Test
    void restoreWritesTheMergedViewKeepsLocalEditsAndPublishesNothing() throws Exception {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            Host b = new Host(temp, "bob", store);
            b.edit(g -> withObservation(g, "Bob", "person", "from bob"));
            b.sync();
            a.edit(g -> withObservation(g, "Ada", "person", "local, not yet published"));

            SyncReport report = a.engine.restore();

            assertThat(report.publication()).isEqualTo(SyncReport.Publication.NOT_REQUESTED);
            assertThat(report.writeBack()).isEqualTo(SyncReport.WriteBack.WRITTEN);
            assertThat(a.graph().entity("Bob")).isPresent();
            assertThat(a.graph().entity("Ada")).isPresent();
            assertThat(store.read().get(ReplicaId.of("alice"))).isEmpty();
            // and the next sync publishes the local edit that restore kept
            a.sync();
            assertThat(store.read().get(ReplicaId.of("alice")).orElseThrow().state().view().entity("Ada")).isPresent();
        }
    }

    @Test
    void restoreCreatesAMissingMemoryFile() {
        try (DirectoryStore store = store()) {
            Host b = new Host(temp, "bob", store);
            b.edit(g -> withObservation(g, "Bob", "person", "from bob"));
            b.sync();
            Host a = new Host(temp, "alice", store);
            assertThat(a.memoryFile).doesNotExist();

            a.engine.restore();

            assertThat(a.graph().entity("Bob")).isPresent();
        }
    }

    @Test
    void statusCountsLocalEditsAndUnpublishedAtomsAndChangesNothing() throws Exception {
        try (DirectoryStore store = store()) {
            Host a = new Host(temp, "alice", store);
            SyncStatus fresh = a.engine.status();
            assertThat(fresh.lastSync()).isEmpty();
            assertThat(fresh.memoryFileExists()).isFalse();
            assertThat(fresh.upToDate()).isTrue();

            a.edit(g -> withObservation(g, "Ada", "person", "one"));
            SyncStatus edited = a.engine.status();
            assertThat(edited.localEdits()).isEqualTo(2); // the entity and its observation
            assertThat(edited.unpublishedAtoms()).isZero();
            assertThat(Files.exists(a.stateDir.resolve("checkpoint"))).isFalse();

            a.engine.restore(); // stamps the edits, publishes nothing
            SyncStatus restored = a.engine.status();
            assertThat(restored.localEdits()).isZero();
            assertThat(restored.unpublishedAtoms()).isEqualTo(2);
            assertThat(restored.lastSync()).isPresent();

            a.edit(g -> withoutEntity(g, "Ada"));
            // the file is now empty: an emptied memory is always refused unless allowed
            assertThat(a.engine.status().massDeletion()).isTrue();
            SyncEngine.create(a.engine.settings().withMassDeletionAllowed(true), store).sync();
            SyncStatus synced = a.engine.status();
            assertThat(synced.upToDate()).isTrue();
            assertThat(synced.counts().tombstones()).isEqualTo(2);
            assertThat(synced.toJson()).startsWith("{\"format\":\"crdt-memory-status\",\"version\":1,\"replica\":\"alice\"")
                    .contains("\"upToDate\":true");
        }
    }
}
