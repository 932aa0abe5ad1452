/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.StoreOptions;
import io.github.crdtmemory.store.StoreRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's sync example, with its paths moved under a temp directory. Change both together. */
final class ReadmeSyncExampleTest {
    @TempDir
    Path temp;

    @Test
    void syncsAMemoryFile() {
        Path cacheDir = temp.resolve("cache");
        Path stateDir = temp.resolve("state");
        Path memory = temp.resolve("memory.jsonl");
        Host.write(memory, MemoryGraph.of(List.of(Entity.of("Ada", "person", "x")), List.of()));
        String storeUri = "file:" + temp.resolve("srv/memory-backup");
        SyncReport report;
        // --- README example start (paths substituted) ---
        try (ReplicaStore store = StoreRegistry.discover().open(storeUri, StoreOptions.of(cacheDir))) {
            SyncEngine engine = SyncEngine.create(
                    SyncSettings.of(memory, stateDir, ReplicaId.of("laptop")), store);
            report = engine.sync();   // diff, stamp, merge every replica, publish, write back
            System.out.println(report.toJson());
        }
        // --- README example end ---
        assertThat(report.publication()).isEqualTo(SyncReport.Publication.PUBLISHED);
        assertThat(report.counts().entities()).isEqualTo(1);
    }
}
