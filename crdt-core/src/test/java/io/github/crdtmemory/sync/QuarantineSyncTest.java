/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static io.github.crdtmemory.sync.Host.withObservation;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.store.DirectoryStore;
import io.github.crdtmemory.store.Quarantine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One unreadable replica state is skipped and named; every other replica still syncs. */
final class QuarantineSyncTest {
    @TempDir
    Path temp;

    @Test
    void anUnreadableReplicaIsQuarantinedAndTheOthersStillSync() throws IOException {
        try (DirectoryStore store = DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(30))) {
            Host a = new Host(temp, "alice", store);
            Host b = new Host(temp, "bob", store);
            b.edit(g -> withObservation(g, "Ada", "person", "from bob"));
            b.sync();
            Files.writeString(store.directory().resolve("replicas/mallory.state"),
                    "{\"format\":\"crdt-memory-state\",\"version\":1}\n{\"atom\":");
            a.edit(g -> withObservation(g, "Ada", "person", "from alice"));

            SyncReport r = a.sync();

            assertThat(r.publication()).isEqualTo(SyncReport.Publication.PUBLISHED);
            assertThat(r.replicasRead()).as("bob; alice had not published yet").isEqualTo(1);
            assertThat(r.quarantined()).extracting(Quarantine::replica).containsExactly(ReplicaId.of("mallory"));
            assertThat(r.quarantined().get(0).reason()).contains("mallory.state");
            assertThat(a.graph().entity("Ada").orElseThrow().observations())
                    .containsExactlyInAnyOrder("from alice", "from bob");
            assertThat(r.toJson()).as("appended at the end of the report")
                    .matches(".*\"keptCopy\":\"[^\"]*\",\"quarantined\":\\[\\{\"replica\":\"mallory\",\"reason\":\"[^\"]+\"}]}");
            SyncStatus status = a.engine.status();
            assertThat(status.quarantined()).extracting(Quarantine::replica).containsExactly(ReplicaId.of("mallory"));
            assertThat(status.toJson()).contains(",\"quarantined\":[{\"replica\":\"mallory\",\"reason\":")
                    .endsWith("}]}");
        }
    }

    @Test
    void aReportOfAHealthyStoreHasAnEmptyQuarantineList() {
        try (DirectoryStore store = DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(30))) {
            Host a = new Host(temp, "alice", store);
            a.edit(g -> withObservation(g, "Ada", "person", "x"));
            SyncReport r = a.sync();
            assertThat(r.quarantined()).isEmpty();
            assertThat(r.toJson()).endsWith(",\"quarantined\":[]}");
        }
    }

    @Test
    void aReplicaWhoseOwnPublishedStateIsUnreadablePublishesAGoodOneOverIt() throws IOException {
        try (DirectoryStore store = DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(30))) {
            Host a = new Host(temp, "alice", store);
            a.edit(g -> withObservation(g, "Ada", "person", "kept locally"));
            a.sync();
            Files.writeString(store.directory().resolve("replicas/alice.state"), "damaged on the way");

            SyncReport r = a.sync();

            assertThat(r.quarantined()).extracting(Quarantine::replica).containsExactly(ReplicaId.of("alice"));
            assertThat(r.publication()).isEqualTo(SyncReport.Publication.PUBLISHED);
            assertThat(store.read().quarantined()).isEmpty();
            assertThat(store.read().get(ReplicaId.of("alice")).orElseThrow().state().view().entity("Ada")).isPresent();
        }
    }
}
