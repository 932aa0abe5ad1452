/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static io.github.crdtmemory.sync.Host.withObservation;
import static io.github.crdtmemory.sync.Host.withoutEntity;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.DirectoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three hosts on one directory store: re-creating an entity that a host's state shows only through a
 * revival, after that host merely backed up, does not bring back what the entity's deletion hid.
 */
final class RecreationSyncTest {
    @TempDir
    Path temp;

    private final AtomicLong now = new AtomicLong(1_760_000_000_000L);

    /** A host whose physical time is the test's, moved a second ahead before every cycle. */
    private final class Peer {
        final Path file;
        final SyncEngine engine;

        Peer(String replica, DirectoryStore store) {
            file = temp.resolve(replica + "/memory.jsonl");
            engine = SyncEngine.create(SyncSettings.of(file, temp.resolve(replica + "/state"), ReplicaId.of(replica))
                    .withPhysicalClock(now::get).withMassDeletionAllowed(true), store);
        }

        void edit(UnaryOperator<MemoryGraph> change) {
            Host.write(file, change.apply(Host.read(file)));
        }

        void sync() {
            now.addAndGet(1000);
            engine.sync();
        }

        void backup() {
            now.addAndGet(1000);
            engine.backup();
        }

        MemoryGraph file() {
            return Host.read(file);
        }
    }

    @Test
    void aReCreationAfterABackupOfARevivalKeepsTheHiddenObservationDeleted() {
        try (DirectoryStore store = DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(30))) {
            Peer a = new Peer("a", store);
            Peer b = new Peer("b", store);
            Peer c = new Peer("c", store);
            a.edit(g -> withObservation(g, "E", "thing", "o1"));
            a.sync();
            b.sync();
            c.sync();
            b.edit(g -> withObservation(g, "E", "thing", "o2"));
            b.sync();
            a.edit(g -> withoutEntity(g, "E")); // A has not seen o2: the deletion hides it
            a.sync();
            c.sync();
            assertThat(c.file().entity("E")).isEmpty();
            b.edit(g -> withObservation(g, "E", "thing", "o3")); // B has not seen the deletion
            b.sync();
            assertThat(b.file().entity("E")).contains(Entity.of("E", "thing", "o3"));
            c.backup(); // C's file stays without E, and stays its base
            assertThat(c.file().entity("E")).isEmpty();
            c.edit(g -> withObservation(g, "E", "thing", "x"));
            c.sync();
            a.sync();
            b.sync();
            for (Peer p : List.of(a, b, c)) {
                assertThat(p.file().entity("E").orElseThrow().observations()).containsExactly("o3", "x");
            }
        }
    }
}
