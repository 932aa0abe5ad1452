/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static io.github.crdtmemory.sync.Host.withObservation;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.store.ForwardingStore;
import io.github.crdtmemory.store.MemoryStore;
import io.github.crdtmemory.store.Snapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sync with nothing to do stops before decoding anything ({@link Settled}), and anything that changed
 * since the last sync (the memory file's bytes, even at the same size and time; another replica's
 * publication; the checkpoint) makes it run in full.
 */
final class QuietSyncTest {
    @TempDir
    Path temp;

    /** A store that counts full reads (the ones that decode states). */
    private static final class CountingStore extends ForwardingStore {
        final AtomicInteger reads = new AtomicInteger();

        CountingStore(MemoryStore inner) {
            super(inner);
        }

        @Override
        public Snapshot read() {
            reads.incrementAndGet();
            return super.read();
        }

        @Override
        public java.util.SortedMap<io.github.crdtmemory.core.ReplicaId, io.github.crdtmemory.store.Revision>
                revisions() {
            return inner.revisions();
        }
    }

    @Test
    void aSyncWithNothingToDoReadsNoStateAndReportsTheLastOnesOutcome() {
        CountingStore store = new CountingStore(MemoryStore.create("quiet"));
        Host a = new Host(temp, "alice", store);
        a.edit(g -> withObservation(g, "Ada", "person", "wrote the first program"));
        SyncReport first = a.sync();
        int reads = store.reads.get();

        SyncReport quiet = a.sync();

        assertThat(store.reads.get()).as("the store's states are not read again").isEqualTo(reads);
        assertThat(quiet.publication()).isEqualTo(SyncReport.Publication.ALREADY_CURRENT);
        assertThat(quiet.writeBack()).isEqualTo(SyncReport.WriteBack.UNCHANGED);
        assertThat(quiet.counts()).isEqualTo(first.counts());
        assertThat(quiet.replicasRead()).isEqualTo(first.replicasRead());
        assertThat(quiet.checksums().memoryFileBefore()).isEqualTo(first.checksums().memoryFileAfter());
        assertThat(quiet.checksums().memoryFileAfter()).isEqualTo(first.checksums().memoryFileAfter());
        assertThat(quiet.checksums().stateBefore()).isEqualTo(first.checksums().stateAfter());
        assertThat(quiet.checksums().stateAfter()).isEqualTo(first.checksums().stateAfter());
        assertThat(quiet.added()).isEmpty();
        assertThat(quiet.deleted()).isEmpty();
    }

    @Test
    void anEditInPlaceAtTheSameSizeAndTimeIsStillSeen() throws Exception {
        MemoryStore store = MemoryStore.create("quiet");
        Host a = new Host(temp, "alice", store);
        a.edit(g -> withObservation(g, "Ada", "person", "wrote the first program"));
        a.sync();
        FileTime time = Files.getLastModifiedTime(a.memoryFile);
        String text = Files.readString(a.memoryFile, StandardCharsets.UTF_8);
        Files.writeString(a.memoryFile, text.replace("first", "FIRST"), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(a.memoryFile, time);

        SyncReport report = new Host(temp, "alice", store).sync(); // a new process: nothing cached

        assertThat(report.added()).isNotEmpty();
        assertThat(report.deleted()).isNotEmpty();
        assertThat(store.read().joined().view().entity("Ada").orElseThrow().observations())
                .containsExactly("wrote the FIRST program");
    }

    @Test
    void anotherReplicasPublicationIsMergedIntoTheFile() {
        MemoryStore store = MemoryStore.create("quiet");
        Host a = new Host(temp, "alice", store);
        Host b = new Host(temp, "bob", store);
        a.edit(g -> withObservation(g, "Ada", "person", "from alice"));
        a.sync();
        a.sync();
        b.edit(g -> withObservation(g, "Bob", "person", "from bob"));
        b.sync();

        SyncReport report = a.sync();

        assertThat(report.replicasRead()).isEqualTo(2);
        assertThat(a.graph().entity("Bob")).isPresent();
    }

    @Test
    void anEditThroughTheEngineIsPublishedByTheNextSync() {
        MemoryStore store = MemoryStore.create("quiet");
        Host a = new Host(temp, "alice", store);
        a.edit(g -> withObservation(g, "Ada", "person", "from alice"));
        a.sync();
        // a second engine on the same file and state directory, as an MCP server process would be
        SyncEngine server = SyncEngine.create(a.engine.settings(), store);
        server.edit(g -> withObservation(g, "Ada", "person", "from the server"));

        SyncReport report = a.sync();

        assertThat(report.publication()).isEqualTo(SyncReport.Publication.PUBLISHED);
        assertThat(store.read().joined().view().entity("Ada").orElseThrow().observations())
                .contains("from the server");
    }

    @Test
    void aDamagedRecordOnlyCostsTheEarlyStop() throws Exception {
        CountingStore store = new CountingStore(MemoryStore.create("quiet"));
        Host a = new Host(temp, "alice", store);
        a.edit(g -> withObservation(g, "Ada", "person", "from alice"));
        a.sync();
        Files.writeString(a.stateDir.resolve(Settled.FILE), "{\"format\":", StandardCharsets.UTF_8);
        int reads = store.reads.get();

        SyncReport report = a.sync();

        assertThat(store.reads.get()).isGreaterThan(reads);
        assertThat(report.writeBack()).isEqualTo(SyncReport.WriteBack.UNCHANGED);
        assertThat(a.sync().publication()).isEqualTo(SyncReport.Publication.ALREADY_CURRENT);
        assertThat(store.reads.get()).as("the full sync wrote a good record again").isEqualTo(reads + 1);
    }
}
