/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryState;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example of {@code docs/storage-spi.md}, line for line. Change both together. */
final class StorageSpiExampleTest {
    @TempDir
    Path temp;

    @Test
    void openPublishReadPublish() {
        Path dir = temp.resolve("store");
        Path cacheDir = temp.resolve("cache");
        MemoryState state = StoreContract.atom(ReplicaId.of("alice"), 1, "one");
        MemoryState more = StoreContract.atom(ReplicaId.of("alice"), 2, "two");
        Snapshot seen;
        // --- docs example start ---
        StoreRegistry registry = StoreRegistry.discover();
        try (ReplicaStore store = registry.open("file:" + dir, StoreOptions.of(cacheDir))) {
            Revision first = store.publish(ReplicaId.of("alice"), state, Revision.NONE);
            Snapshot snapshot = store.read();                 // alice's state at revision `first`
            store.publish(ReplicaId.of("alice"), state.join(more), snapshot.revision(ReplicaId.of("alice")));
            // --- docs example end ---
            assertThat(snapshot.revision(ReplicaId.of("alice"))).isEqualTo(first);
            seen = store.read();
        }
        assertThat(seen.get(ReplicaId.of("alice")).orElseThrow().state()).isEqualTo(state.join(more));
    }
}
