/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.git.GitStore;
import io.github.crdtmemory.git.GitStoreOptions;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.seal.Keyring;
import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.Snapshot;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncReport;
import io.github.crdtmemory.sync.SyncSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * End to end through the real git store on a local bare remote, outside JMH (each sample runs many git
 * processes, so it is timed as wall time over repeated runs):
 * <ul>
 *   <li>warm {@code sync} of a 10K-entity memory file with one edit per run (the clone exists);</li>
 *   <li>N replicas (10 and 40) syncing at once, each with its own clone, after a first round that
 *       cloned: wall time from the start signal to the last finish, and rejected pushes.</li>
 * </ul>
 * The warm sync and the 40 replicas also run end-to-end encrypted (a {@link Keyring}; no unified view,
 * as an encrypted store publishes none), in the same run, to compare with their runs without the
 * unified view.
 * Writes one JSON object to the file named by the first argument; the second is {@code quick} or
 * {@code full}.
 */
public final class SyncHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SyncHarness() {
    }

    /**
     * Runs the measurements.
     *
     * @param args the output file and the profile
     * @throws Exception if a sync fails or the output cannot be written
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        boolean full = args.length > 1 && args[1].equals("full");
        Path root = Files.createTempDirectory("crdt-bench-sync-");
        try {
            ObjectNode r = JSON.createObjectNode();
            r.put("format", "crdt-memory-sync-harness");
            r.put("profile", full ? "full" : "quick");
            String only = args.length > 2 ? args[2] : "all";
            if (!only.equals("burst") && !only.equals("many")) {
                r.set("warmSync", warmSync(root.resolve("warm"), 10_000, full ? 30 : 10, true));
                r.set("warmSyncReplicaRefsOnly", warmSync(root.resolve("warm-refs"), 10_000, full ? 30 : 10, false));
                r.set("warmSyncEncrypted", warmSync(root.resolve("warm-sealed"), 10_000, full ? 30 : 10, false,
                        Keyring.generate()));
            }
            if (only.equals("all") || only.equals("many")) {
                r.set("manyReplicas", manyReplicas(root.resolve("many"), 200, 100));
            }
            if (only.equals("all") || only.equals("burst")) {
                ArrayNode concurrent = r.putArray("concurrentSync");
                for (int n : new int[] {10, 40}) {
                    concurrent.add(concurrent(root.resolve("concurrent-" + n), n, full ? 3 : 1, true));
                }
                // the same 40 without the unified view on main: how much of the time is the race for main
                concurrent.add(concurrent(root.resolve("concurrent-40-replica-refs-only"), 40, full ? 3 : 1, false));
                concurrent.add(concurrent(root.resolve("concurrent-40-encrypted"), 40, full ? 3 : 1, false,
                        Keyring.generate()));
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), r);
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } finally {
            delete(root);
        }
    }

    private static ObjectNode warmSync(Path dir, int entities, int runs, boolean unifiedView) throws IOException {
        return warmSync(dir, entities, runs, unifiedView, null);
    }

    private static ObjectNode warmSync(Path dir, int entities, int runs, boolean unifiedView, @Nullable Keyring keys)
            throws IOException {
        Path remote = dir.resolve("remote.git");
        GitStore.createRemote(remote, Duration.ofSeconds(30));
        Path file = dir.resolve("memory.jsonl");
        MemoryGraph graph = Fixtures.graph(entities, 7);
        Files.write(file, MemoryFileCodec.write(graph, false));
        long[] millis = new long[runs];
        Map<String, Duration> phases = Map.of();
        long cold;
        long growthBefore;
        try (GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), dir.resolve("cache"))
                .withUnifiedView(unifiedView), keys)) {
            SyncEngine engine = SyncEngine.create(SyncSettings.of(file, dir.resolve("state"), ReplicaId.of("bench")),
                    store);
            long t0 = System.nanoTime();
            engine.sync();
            cold = (System.nanoTime() - t0) / 1_000_000;
            engine.sync(); // the first warm sync may still publish (the unified view, a migration)
            growthBefore = size(remote);
            for (int i = 0; i < runs; i++) {
                graph = withObservation(graph, i % entities, "warm edit " + i);
                Files.write(file, MemoryFileCodec.write(graph, false));
                long t = System.nanoTime();
                SyncReport report = engine.sync();
                millis[i] = (System.nanoTime() - t) / 1_000_000;
                if (i == runs / 2) {
                    phases = report.timings();
                }
            }
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("entities", entities);
        r.put("unifiedView", unifiedView);
        r.put("encrypted", keys != null);
        r.put("atoms", entities * 5);
        r.put("runs", runs);
        r.put("coldMillis", cold);
        r.put("remoteGrowthBytesPerSync", (size(remote) - growthBefore) / runs);
        stats(r, millis);
        ObjectNode p = r.putObject("phasesMillisOfAMedianRun");
        phases.forEach((k, v) -> p.put(k, v.toMillis()));
        return r;
    }

    /**
     * {@code replicas} replica refs of {@code entities} entities each on one remote (published by one
     * store, no unified view); then a fresh store reads them all (cold: nothing decoded yet), they are
     * joined, one replica changes one atom and the same store reads again (warm).
     */
    private static ObjectNode manyReplicas(Path dir, int replicas, int entities) throws IOException {
        Path remote = dir.resolve("remote.git");
        GitStore.createRemote(remote, Duration.ofSeconds(30));
        GitStoreOptions options = GitStoreOptions.of(remote.toString(), dir.resolve("writer"))
                .withUnifiedView(false).withTimeout(Duration.ofMinutes(2));
        List<MemoryState> states = new ArrayList<>();
        try (GitStore writer = GitStore.open(options)) {
            for (int i = 0; i < replicas; i++) {
                ReplicaId id = ReplicaId.of("replica-" + i);
                MemoryState s = MemoryState.fromGraph(Fixtures.graph(entities, i),
                        Clock.hybrid(id, System::currentTimeMillis, Timestamp.ZERO));
                states.add(s);
                writer.publish(id, s, Revision.NONE);
            }
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("replicas", replicas);
        r.put("atoms", states.stream().mapToInt(MemoryState::size).sum());
        try (GitStore reader = GitStore.open(GitStoreOptions.of(remote.toString(), dir.resolve("reader"))
                .withUnifiedView(false).withTimeout(Duration.ofMinutes(2)))) {
            reader.read(); // the clone (a first fetch of everything)
            try (GitStore fresh = GitStore.open(GitStoreOptions.of(remote.toString(), dir.resolve("reader"))
                    .withUnifiedView(false).withTimeout(Duration.ofMinutes(2)))) {
                long t0 = System.nanoTime();
                Snapshot all = fresh.read();
                r.put("fullReadMillis", (System.nanoTime() - t0) / 1_000_000);
                List<MemoryState> read = new ArrayList<>();
                all.states().forEach(p -> read.add(p.state()));
                long t1 = System.nanoTime();
                MemoryState joined = MemoryState.joinAll(read);
                r.put("joinMillis", (System.nanoTime() - t1) / 1_000_000);
                r.put("joinedAtoms", joined.size());
                r.put("replicasRead", all.size());
                try (GitStore writer = GitStore.open(options)) {
                    ReplicaId id = ReplicaId.of("replica-0");
                    MemoryState edited = states.get(0).join(MemoryState.fromGraph(MemoryGraph.of(
                            List.of(Entity.of("edited", "t", "one more")), List.of()),
                            Clock.hybrid(id, System::currentTimeMillis, Timestamp.ZERO)));
                    writer.publish(id, edited, all.revision(id));
                }
                long t2 = System.nanoTime();
                fresh.read();
                r.put("warmReadOneChangedMillis", (System.nanoTime() - t2) / 1_000_000);
            }
        }
        return r;
    }

    private static ObjectNode concurrent(Path dir, int replicas, int rounds, boolean unifiedView) throws Exception {
        return concurrent(dir, replicas, rounds, unifiedView, null);
    }

    private static ObjectNode concurrent(Path dir, int replicas, int rounds, boolean unifiedView, @Nullable Keyring keys)
            throws Exception {
        Path remote = dir.resolve("remote.git");
        GitStore.createRemote(remote, Duration.ofSeconds(30));
        List<GitStore> stores = new ArrayList<>();
        List<SyncEngine> engines = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            Path home = dir.resolve("r" + i);
            Path file = home.resolve("memory.jsonl");
            Files.createDirectories(home);
            Files.write(file, MemoryFileCodec.write(Fixtures.graph(20, i), false));
            GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), home.resolve("cache"))
                    .withTimeout(Duration.ofMinutes(2)).withNetworkTimeout(Duration.ofMinutes(2))
                    .withUnifiedView(unifiedView), keys);
            stores.add(store);
            engines.add(SyncEngine.create(SyncSettings.of(file, home.resolve("state"), ReplicaId.of("replica-" + i))
                    .withLockTimeout(Duration.ofMinutes(2)), store));
        }
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        ObjectNode r = JSON.createObjectNode();
        r.put("replicas", replicas);
        r.put("unifiedView", unifiedView);
        r.put("encrypted", keys != null);
        try {
            ArrayNode roundsOut = r.putArray("rounds");
            for (int round = 0; round <= rounds; round++) {
                if (round > 0) {
                    for (int i = 0; i < replicas; i++) {
                        Path file = dir.resolve("r" + i).resolve("memory.jsonl");
                        MemoryGraph g = MemoryFileCodec.parse(Files.readAllBytes(file), file.toString()).graph();
                        Files.write(file, MemoryFileCodec.write(withObservation(g, 0, "round " + round + " by " + i), false));
                    }
                }
                CountDownLatch start = new CountDownLatch(1);
                List<Future<SyncReport>> runs = new ArrayList<>();
                for (SyncEngine e : engines) {
                    runs.add(pool.submit(() -> {
                        start.await();
                        return e.sync();
                    }));
                }
                long t0 = System.nanoTime();
                start.countDown();
                int rejected = 0;
                int unifiedLost = 0;
                java.util.Map<String, List<Long>> phaseMillis = new java.util.TreeMap<>();
                for (Future<SyncReport> f : runs) {
                    rejected += f.get().publishAttempts() - 1;
                    f.get().timings().forEach((k, v) -> phaseMillis.computeIfAbsent(k, x -> new ArrayList<>())
                            .add(v.toMillis()));
                }
                long wall = (System.nanoTime() - t0) / 1_000_000;
                java.util.Map<GitStore.UnifiedStatus, Integer> statuses = new java.util.EnumMap<>(
                        GitStore.UnifiedStatus.class);
                for (GitStore s : stores) {
                    statuses.merge(s.unifiedStatus(), 1, Integer::sum);
                    if (s.unifiedStatus() == GitStore.UnifiedStatus.LOST_RACE) {
                        unifiedLost++;
                    }
                }
                ObjectNode o = roundsOut.addObject();
                o.put("round", round);
                o.put("kind", round == 0 ? "first (clones)" : "warm");
                o.put("wallMillis", wall);
                o.put("rejectedPushes", rejected);
                o.put("unifiedViewLostRaces", unifiedLost);
                ObjectNode phases = o.putObject("phaseMillisMedianAndMax");
                phaseMillis.forEach((k, v) -> {
                    v.sort(null);
                    phases.put(k, v.get(v.size() / 2) + " / " + v.get(v.size() - 1));
                });
                ObjectNode byStatus = o.putObject("unifiedStatuses");
                statuses.forEach((k, v) -> byStatus.put(k.name(), v));
                if (unifiedView) { // how many replicas main's manifest lists at their current commit
                    Snapshot now = stores.get(0).read();
                    String manifest = new String(stores.get(0).readUnified().orElseThrow().manifest(),
                            java.nio.charset.StandardCharsets.UTF_8);
                    o.put("mainListsCurrentStates", now.states().stream()
                            .filter(p -> manifest.contains("\"" + p.revision().token() + "\"")).count());
                }
            }
        } finally {
            pool.shutdownNow();
            stores.forEach(GitStore::close);
        }
        return r;
    }

    private static MemoryGraph withObservation(MemoryGraph g, int index, String text) {
        List<Entity> list = new ArrayList<>(g.entities());
        Entity e = list.get(index);
        List<String> obs = new ArrayList<>(e.observations());
        obs.add(text);
        list.set(index, new Entity(e.name(), e.entityType(), obs));
        return MemoryGraph.of(list, g.relations());
    }

    private static void stats(ObjectNode r, long[] millis) {
        long[] s = millis.clone();
        Arrays.sort(s);
        r.put("minMillis", s[0]);
        r.put("medianMillis", s[s.length / 2]);
        r.put("p90Millis", s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)]);
        r.put("maxMillis", s[s.length - 1]);
    }

    /** Bytes of the files under {@code dir} (a bare remote: its objects and refs). */
    private static long size(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            long total = 0;
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
