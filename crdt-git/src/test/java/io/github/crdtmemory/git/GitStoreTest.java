/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.StoreContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** {@link GitStore} keeps the store contract against a real bare repository; a second handle has its own clone. */
final class GitStoreTest implements StoreContract {
    @TempDir
    Path temp;

    private final AtomicInteger count = new AtomicInteger();

    @Override
    public ReplicaStore newStore() {
        int n = count.incrementAndGet();
        Path remote = GitFixtures.bareRemote(temp.resolve("remote-" + n + ".git"));
        return GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve("cache-" + n + "-a")));
    }

    @Override
    public ReplicaStore reopen(ReplicaStore store) {
        GitStore git = (GitStore) store;
        String remote = git.description().substring("git:".length());
        return GitStore.open(GitStoreOptions.of(remote, temp.resolve("cache-" + count.incrementAndGet() + "-b")));
    }

    @Override
    public int roundsPerThread() {
        return 4;
    }
}
