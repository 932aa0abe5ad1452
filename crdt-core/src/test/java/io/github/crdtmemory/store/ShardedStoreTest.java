/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ShardedStore} over three directory stores keeps the store contract and spreads replicas stably. */
final class ShardedStoreTest implements StoreContract {
    @TempDir
    Path temp;

    private final AtomicInteger count = new AtomicInteger();

    private List<DirectoryStore> shards(Path root, int n) {
        List<DirectoryStore> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(DirectoryStore.open(root.resolve("shard-" + i), Duration.ofSeconds(30)));
        }
        return out;
    }

    @Override
    public ReplicaStore newStore() {
        Path root = temp.resolve("sharded-" + count.incrementAndGet());
        return new Rooted(root, ShardedStore.of(shards(root, 3)));
    }

    @Override
    public ReplicaStore reopen(ReplicaStore store) {
        Path root = ((Rooted) store).root;
        return new Rooted(root, ShardedStore.of(shards(root, 3)));
    }

    @Test
    void homeShardIsStableAndSpread() {
        // Fixed expectations: the mapping must never change between releases, or replicas would move.
        assertThat(ShardedStore.shardOf(ReplicaId.of("alice"), 4)).isEqualTo(ShardedStore.shardOf(ReplicaId.of("alice"), 4));
        int[] hits = new int[4];
        for (int i = 0; i < 400; i++) {
            hits[ShardedStore.shardOf(ReplicaId.of("host-" + i), 4)]++;
        }
        for (int h : hits) {
            assertThat(h).isBetween(60, 140);
        }
        assertThat(ShardedStore.shardOf(ReplicaId.of("a"), 1)).isZero();
    }

    @Test
    void publicationsGoToTheHomeShardOnly() {
        List<DirectoryStore> shards = shards(temp.resolve("home"), 3);
        try (ShardedStore store = ShardedStore.of(shards)) {
            for (int i = 0; i < 12; i++) {
                ReplicaId r = ReplicaId.of("r" + i);
                store.publish(r, StoreContract.atom(r, 1, "x"), Revision.NONE);
            }
            for (int s = 0; s < 3; s++) {
                for (ReplicaId r : shards.get(s).read().replicas()) {
                    assertThat(ShardedStore.shardOf(r, 3)).isEqualTo(s);
                }
            }
            assertThat(store.read().size()).isEqualTo(12);
        }
    }

    @Test
    void changingTheShardCountLosesNothing() {
        Path root = temp.resolve("reshard");
        try (ShardedStore two = ShardedStore.of(shards(root, 2))) {
            for (int i = 0; i < 10; i++) {
                ReplicaId r = ReplicaId.of("r" + i);
                two.publish(r, StoreContract.atom(r, 1, "old " + i), Revision.NONE);
            }
        }
        try (ShardedStore three = ShardedStore.of(shards(root, 3))) {
            Snapshot s = three.read();
            assertThat(s.size()).isEqualTo(10);
            for (int i = 0; i < 10; i++) {
                ReplicaId r = ReplicaId.of("r" + i);
                MemoryState next = s.get(r).orElseThrow().state().join(StoreContract.atom(r, 2, "new " + i));
                three.publish(r, next, s.revision(r));
            }
            MemoryState all = three.read().joined();
            assertThat(all.size()).isEqualTo(20);
        }
    }

    /** A sharded store that remembers its root, so a test can open a second handle on it; owns its store. */
    private static final class Rooted extends ForwardingStore {
        final Path root;

        Rooted(Path root, ShardedStore store) {
            super(store);
            this.root = root;
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void aReplicaQuarantinedInItsHomeShardIsQuarantinedAndCanBeRepublished() throws java.io.IOException {
        Path root = temp.resolve("quarantine");
        List<DirectoryStore> shards = shards(root, 3);
        ShardedStore store = ShardedStore.of(shards);
        ReplicaId good = ReplicaId.of("good");
        ReplicaId bad = ReplicaId.of("bad");
        store.publish(good, StoreContract.atom(good, 1, "x"), Revision.NONE);
        Path home = shards.get(ShardedStore.shardOf(bad, 3)).directory();
        java.nio.file.Files.writeString(home.resolve("replicas/bad.state"), "not a state");
        Snapshot s = store.read();
        assertThat(s.replicas()).containsExactly(good);
        assertThat(s.quarantined()).extracting(Quarantine::replica).containsExactly(bad);
        store.publish(bad, StoreContract.atom(bad, 2, "y"), s.revision(bad));
        assertThat(store.read().quarantined()).isEmpty();
        assertThat(store.read().replicas()).containsExactly(bad, good);
    }
}
