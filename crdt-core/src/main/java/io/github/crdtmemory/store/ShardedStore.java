/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A {@link ReplicaStore} that spreads replicas over several stores, for fleets larger than one store
 * serves well (a git host's limits, say). Each replica has a home shard chosen by a stable hash of its
 * id (the first 8 bytes of SHA-256, modulo the shard count), the same on every machine and JVM;
 * publications go to the home shard and reads read every shard.
 *
 * <p>Changing the shard count moves some replicas to a new home. Nothing is lost: a read joins any
 * copy found outside a replica's home into its entry (with the home revision), so the next publication
 * writes the union home. The stale copy stays where it was until removed by hand. A replica any shard
 * quarantines is quarantined in the whole snapshot (its copies in other shards are skipped too). Thread-safe
 * if the shards are.
 */
public final class ShardedStore implements ReplicaStore {
    /**
     * The revision of a replica found only outside its home shard: publishing with it expects the home
     * shard to hold nothing ({@link Revision#NONE}). No store issues this token.
     */
    private static final Revision NOT_HOME = Revision.of("sharded:not-home");
    private final List<ReplicaStore> shards;
    private final String description;

    private ShardedStore(List<ReplicaStore> shards) {
        this.shards = shards;
        this.description = shards.stream().map(ReplicaStore::description)
                .collect(Collectors.joining(", ", "sharded[", "]"));
    }

    /**
     * Returns a store over these shards, in this order (the order is part of the hash mapping).
     *
     * @param shards at least one store; this store closes them
     * @return the sharded store
     * @throws IllegalArgumentException if {@code shards} is empty
     */
    public static ShardedStore of(List<? extends ReplicaStore> shards) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("a sharded store needs at least one shard");
        }
        shards.forEach(s -> Objects.requireNonNull(s, "shard"));
        return new ShardedStore(List.copyOf(shards));
    }

    /**
     * Returns the index of {@code replica}'s home shard among {@code count} shards.
     *
     * @param replica the replica
     * @param count the number of shards, at least 1
     * @return an index in {@code [0, count)}
     */
    public static int shardOf(ReplicaId replica, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(replica.value().getBytes(StandardCharsets.UTF_8));
            return (int) Math.floorMod(ByteBuffer.wrap(h).getLong(), (long) count);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Snapshot read() {
        Map<ReplicaId, PublishedState> home = new TreeMap<>();
        Map<ReplicaId, List<MemoryState>> strays = new TreeMap<>();
        Map<ReplicaId, Quarantine> quarantined = new TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            Snapshot shard = shards.get(i).read();
            for (PublishedState s : shard.states()) {
                if (shardOf(s.replica(), shards.size()) == i) {
                    home.put(s.replica(), s);
                } else {
                    strays.computeIfAbsent(s.replica(), r -> new ArrayList<>()).add(s.state());
                }
            }
            for (Quarantine q : shard.quarantined()) {
                boolean atHome = shardOf(q.replica(), shards.size()) == i;
                quarantined.merge(q.replica(), atHome ? q : new Quarantine(q.replica(), NOT_HOME, q.reason()),
                        (x, y) -> x.revision().equals(NOT_HOME) ? y : x);
            }
        }
        // a replica skipped in any shard is skipped whole; publishing with its home revision replaces it
        for (Map.Entry<ReplicaId, Quarantine> e : quarantined.entrySet()) {
            ReplicaId r = e.getKey();
            strays.remove(r);
            PublishedState h = home.remove(r);
            Quarantine q = e.getValue();
            if (h != null && q.revision().equals(NOT_HOME)) {
                e.setValue(new Quarantine(r, h.revision(), q.reason()));
            }
        }
        List<PublishedState> out = new ArrayList<>();
        for (Map.Entry<ReplicaId, List<MemoryState>> e : strays.entrySet()) {
            PublishedState h = home.remove(e.getKey());
            List<MemoryState> all = new ArrayList<>(e.getValue());
            if (h != null) {
                all.add(h.state());
            }
            Revision rev = h == null ? NOT_HOME : h.revision();
            out.add(new PublishedState(e.getKey(), rev, MemoryState.joinAll(all)));
        }
        out.addAll(home.values());
        return Snapshot.of(out, quarantined.values());
    }

    @Override
    public Revision publish(ReplicaId replica, MemoryState state, Revision expected) {
        Objects.requireNonNull(replica, "replica");
        ReplicaStore shard = shards.get(shardOf(replica, shards.size()));
        return shard.publish(replica, state, expected.equals(NOT_HOME) ? Revision.NONE : expected);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (ReplicaStore s : shards) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * The history of each replica's home shard, when every shard keeps history; else empty.
     *
     * @return the history, or empty
     */
    @Override
    public java.util.Optional<StoreHistory> history() {
        List<StoreHistory> histories = new java.util.ArrayList<>();
        for (ReplicaStore s : shards) {
            java.util.Optional<StoreHistory> h = s.history();
            if (h.isEmpty()) {
                return java.util.Optional.empty();
            }
            histories.add(h.get());
        }
        return java.util.Optional.of(new StoreHistory() {
            @Override
            public List<HistoryEntry> log(io.github.crdtmemory.core.ReplicaId replica, int limit) {
                return histories.get(shardOf(replica, histories.size())).log(replica, limit);
            }

            @Override
            public PublishedState stateAt(io.github.crdtmemory.core.ReplicaId replica, Revision revision) {
                return histories.get(shardOf(replica, histories.size())).stateAt(replica, revision);
            }
        });
    }

    @Override
    public String toString() {
        return "ShardedStore[" + description + "]";
    }
}
