/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.ProcessFileLock;
import io.github.crdtmemory.store.DirectoryStore;
import io.github.crdtmemory.store.MemoryStore;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The main class of the child JVMs of {@link SyncProcessesTest}. Modes:
 * <ul>
 *   <li>{@code edit-sync store memoryFile stateDir replica tag rounds}: each round, under the state
 *       directory's lock (as a cooperating MCP server would), adds entity {@code tag-i} and observation
 *       {@code tag-i} on entity {@code shared}, then syncs; prints {@code synced i};</li>
 *   <li>{@code crash-loop store memoryFile stateDir replica tag}: the same, forever, printing
 *       {@code persisted i} once edit i is in the memory file; killed by the test;</li>
 *   <li>{@code hold-lock stateDir millis}: holds the state directory's lock, prints {@code locked};</li>
 *   <li>{@code edit-calls memory stateDir replica tag calls threads}: {@code calls} concurrent
 *       {@link SyncEngine#edit} calls on {@code threads} threads, each creating entity {@code tag-i};
 *       prints {@code done};</li>
 *   <li>{@code sync-loop store memory stateDir replica stopFile}: syncs back to back until
 *       {@code stopFile} exists, then prints {@code synced n} and {@code done}.</li>
 * </ul>
 */
public final class SyncWorker {
    private SyncWorker() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "hold-lock" -> {
                Path state = Path.of(args[1]);
                try (ProcessFileLock lock = ProcessFileLock.acquire(state.resolve(StateDirectory.LOCK_FILE),
                        Duration.ofSeconds(30))) {
                    System.out.println("locked");
                    System.out.flush();
                    Thread.sleep(Long.parseLong(args[2]));
                }
            }
            case "edit-sync", "crash-loop" -> {
                boolean forever = args[0].equals("crash-loop");
                Path memory = Path.of(args[2]);
                Path state = Path.of(args[3]);
                String tag = args[5];
                int rounds = forever ? Integer.MAX_VALUE : Integer.parseInt(args[6]);
                java.nio.file.Files.createDirectories(state);
                try (DirectoryStore store = DirectoryStore.open(Path.of(args[1]), Duration.ofSeconds(60))) {
                    SyncEngine engine = SyncEngine.create(SyncSettings.of(memory, state, ReplicaId.of(args[4]))
                            .withLockTimeout(Duration.ofSeconds(60)).withPublishAttempts(50), store);
                    System.out.println("ready");
                    System.out.flush();
                    for (int i = 0; i < rounds; i++) {
                        String name = tag + "-" + i;
                        try (ProcessFileLock lock = ProcessFileLock.acquire(state.resolve(StateDirectory.LOCK_FILE),
                                Duration.ofSeconds(60))) {
                            Host.write(memory, Host.withObservation(Host.withObservation(Host.read(memory),
                                    name, "worker", "made by " + tag), "shared", "hub", name));
                        }
                        System.out.println("persisted " + i);
                        System.out.flush();
                        engine.sync();
                        System.out.println("synced " + i);
                        System.out.flush();
                    }
                }
            }
            case "edit-calls" -> {
                // args: memory state replica tag calls threads; each call creates one entity, concurrently
                Path memory = Path.of(args[1]);
                Path state = Path.of(args[2]);
                String tag = args[4];
                int calls = Integer.parseInt(args[5]);
                int threads = Integer.parseInt(args[6]);
                try (MemoryStore unused = MemoryStore.create("edit-calls-" + tag)) {
                    SyncEngine engine = SyncEngine.create(SyncSettings.of(memory, state, ReplicaId.of(args[3]))
                            .withLockTimeout(Duration.ofSeconds(120)), unused);
                    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
                    java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                    for (int i = 0; i < calls; i++) {
                        String name = tag + "-" + i;
                        done.add(pool.submit(() -> engine.edit(g -> io.github.crdtmemory.live.MemoryTools.createEntities(g,
                                java.util.List.of(io.github.crdtmemory.memory.Entity.of(name, "call", "by " + tag)))
                                .graph())));
                    }
                    for (java.util.concurrent.Future<?> f : done) {
                        f.get();
                    }
                    pool.shutdown();
                    System.out.println("done");
                    System.out.flush();
                }
            }
            case "sync-loop" -> {
                // args: store memory state replica stopFile; syncs back to back until stopFile exists
                Path stop = Path.of(args[5]);
                try (DirectoryStore store = DirectoryStore.open(Path.of(args[1]), Duration.ofSeconds(60))) {
                    SyncEngine engine = SyncEngine.create(SyncSettings.of(Path.of(args[2]), Path.of(args[3]),
                            ReplicaId.of(args[4])).withLockTimeout(Duration.ofSeconds(60)), store);
                    System.out.println("ready");
                    System.out.flush();
                    int n = 0;
                    while (!java.nio.file.Files.exists(stop)) {
                        engine.sync();
                        n++;
                    }
                    System.out.println("synced " + n);
                    System.out.println("done");
                    System.out.flush();
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
