/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.StoreContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local clone stays bounded over many syncs: automatic gc is off, so without the store's own
 * repacking every publication left more loose objects (about seven with the unified view: 840 after
 * 120 syncs). The unified view is off here to keep the test fast; each cycle is a read and a publish.
 */
class GitCloneBoundTest {
    private static final ReplicaId A = ReplicaId.of("a");
    private static final int PUBLICATIONS = 100;

    @TempDir
    Path tmp;

    @Test
    void aHundredSyncsKeepTheCloneBounded() {
        Path remote = GitFixtures.bareRemote(tmp.resolve("remote.git"));
        long maxLoose = 0;
        long maxPacks = 0;
        try (GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("cache"))
                .withUnifiedView(false))) {
            Revision expected = Revision.NONE;
            for (int i = 1; i <= PUBLICATIONS; i++) { // a sync's store calls: read, then publish
                assertThat(store.read().revision(A)).isEqualTo(expected);
                expected = store.publish(A, StoreContract.atom(A, i, "observation " + i), expected);
                Map<String, Long> counts = counts(store);
                maxLoose = Math.max(maxLoose, counts.get("count"));
                maxPacks = Math.max(maxPacks, counts.get("packs"));
            }
            assertThat(maxLoose).as("loose objects in the clone, at most, over %d publications", PUBLICATIONS)
                    .isLessThanOrEqualTo(LocalClone.MAX_LOOSE_OBJECTS);
            assertThat(maxPacks).as("packs").isLessThanOrEqualTo(LocalClone.MAX_PACKS);
            assertThat(counts(store).get("in-pack")).as("objects were packed").isGreaterThan(0);
            assertThat(store.read().revision(A)).isEqualTo(expected);
            assertThat(GitFixtures.git(store.clonePath(), "rev-list", "--count", expected.token()).strip())
                    .as("the whole history is kept").isEqualTo(String.valueOf(PUBLICATIONS));
            GitFixtures.git(store.clonePath(), "fsck", "--no-dangling");
        }
    }

    private static Map<String, Long> counts(GitStore store) {
        Map<String, Long> counts = new java.util.HashMap<>();
        for (String line : GitFixtures.git(store.clonePath(), "count-objects", "-v").split("\n")) {
            String[] kv = line.split(": ");
            counts.put(kv[0], Long.parseLong(kv[1].strip()));
        }
        return counts;
    }
}
