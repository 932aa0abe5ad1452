/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.sync.Host;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncReport;
import io.github.crdtmemory.sync.SyncSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link GitProcessesTest}: {@code remote cacheDir memoryFile stateDir replica tag rounds}.
 * Each round adds entity {@code tag-i} and observation {@code tag-i} on entity {@code shared} to its
 * memory file, then syncs through a git store; prints {@code attempts N} per round, and
 * {@code quarantined <replica>} for each replica the round skipped.
 */
public final class GitSyncWorker {
    private GitSyncWorker() {
    }

    public static void main(String[] args) {
        Path memory = Path.of(args[2]);
        String tag = args[5];
        int rounds = Integer.parseInt(args[6]);
        try (GitStore store = GitStore.open(GitStoreOptions.of(args[0], Path.of(args[1]))
                .withNetworkTimeout(Duration.ofSeconds(120)).withTimeout(Duration.ofSeconds(60)))) {
            SyncEngine engine = SyncEngine.create(SyncSettings.of(memory, Path.of(args[3]), ReplicaId.of(args[4]))
                    .withPublishAttempts(100).withLockTimeout(Duration.ofSeconds(120)), store);
            for (int i = 0; i < rounds; i++) {
                String name = tag + "-" + i;
                Host.write(memory, Host.withObservation(Host.withObservation(Host.read(memory), name, "worker",
                        "made by " + tag), "shared", "hub", name));
                SyncReport r = engine.sync();
                System.out.println("attempts " + r.publishAttempts());
                r.quarantined().forEach(q -> System.out.println("quarantined " + q.replica()));
                System.out.flush();
            }
        }
        System.out.println("done");
    }
}
