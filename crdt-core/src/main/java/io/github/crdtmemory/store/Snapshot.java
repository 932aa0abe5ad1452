/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ReplicaStore#read()} returns: the latest published state of every replica in the store,
 * each with its revision, and the replicas the read had to skip ({@link #quarantined()}). Immutable;
 * replicas are in id order.
 */
public final class Snapshot {
    private static final Snapshot EMPTY = new Snapshot(new TreeMap<>(), new TreeMap<>());

    private final Map<ReplicaId, PublishedState> replicas;
    private final Map<ReplicaId, Quarantine> quarantined;

    private Snapshot(SortedMap<ReplicaId, PublishedState> replicas, SortedMap<ReplicaId, Quarantine> quarantined) {
        this.replicas = Collections.unmodifiableMap(replicas);
        this.quarantined = Collections.unmodifiableMap(quarantined);
    }

    /**
     * Returns the snapshot of a store that holds nothing.
     *
     * @return the empty snapshot
     */
    public static Snapshot empty() {
        return EMPTY;
    }

    /**
     * Returns a snapshot of these states.
     *
     * @param states one entry per replica
     * @return the snapshot
     * @throws IllegalArgumentException if two entries name the same replica
     * @throws NullPointerException if an entry is null
     */
    public static Snapshot of(Collection<PublishedState> states) {
        return of(states, List.of());
    }

    /**
     * Returns a snapshot of these states, which skipped the {@code quarantined} replicas.
     *
     * @param states one entry per readable replica
     * @param quarantined one entry per replica the read skipped
     * @return the snapshot
     * @throws IllegalArgumentException if two entries name the same replica
     * @throws NullPointerException if an entry is null
     */
    public static Snapshot of(Collection<PublishedState> states, Collection<Quarantine> quarantined) {
        TreeMap<ReplicaId, PublishedState> map = new TreeMap<>();
        for (PublishedState s : states) {
            if (map.put(s.replica(), s) != null) {
                throw new IllegalArgumentException("two states for replica " + s.replica());
            }
        }
        TreeMap<ReplicaId, Quarantine> skipped = new TreeMap<>();
        for (Quarantine q : quarantined) {
            if (map.containsKey(q.replica()) || skipped.put(q.replica(), q) != null) {
                throw new IllegalArgumentException("replica " + q.replica() + " is listed twice");
            }
        }
        return map.isEmpty() && skipped.isEmpty() ? EMPTY : new Snapshot(map, skipped);
    }

    /**
     * Returns the replicas the read skipped because their ref, objects or state could not be read, or
     * their state is over the store's size limit; in id order. None of them is in {@link #states()}.
     *
     * @return the quarantined replicas, usually none
     */
    public List<Quarantine> quarantined() {
        return List.copyOf(quarantined.values());
    }

    /**
     * Returns every replica's published state, in replica id order.
     *
     * @return the states
     */
    public List<PublishedState> states() {
        return List.copyOf(replicas.values());
    }

    /**
     * Returns the replicas that have published, in id order.
     *
     * @return the replica ids
     */
    public List<ReplicaId> replicas() {
        return List.copyOf(replicas.keySet());
    }

    /**
     * Returns one replica's published state.
     *
     * @param replica the replica
     * @return its state and revision, or empty if it has published nothing
     */
    public Optional<PublishedState> get(ReplicaId replica) {
        return Optional.ofNullable(replicas.get(replica));
    }

    /**
     * Returns the revision to expect when publishing for {@code replica}.
     *
     * A quarantined replica's revision is the one its quarantine names, so that the replica can publish
     * a good state over its unreadable one.
     *
     * @param replica the replica
     * @return its revision, or {@link Revision#NONE} if it has published nothing
     */
    public Revision revision(ReplicaId replica) {
        PublishedState s = replicas.get(replica);
        if (s == null) {
            Quarantine q = quarantined.get(replica);
            return q == null ? Revision.NONE : q.revision();
        }
        return s.revision();
    }

    /**
     * Returns the join of every replica's state.
     *
     * @return the merged state
     */
    public MemoryState joined() {
        List<MemoryState> all = new ArrayList<>(replicas.size());
        replicas.values().forEach(s -> all.add(s.state()));
        return MemoryState.joinAll(all);
    }

    /**
     * Returns the number of replicas read (quarantined ones are not counted).
     *
     * @return the count
     */
    public int size() {
        return replicas.size();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Snapshot s && replicas.equals(s.replicas) && quarantined.equals(s.quarantined);
    }

    @Override
    public int hashCode() {
        return replicas.hashCode() * 31 + quarantined.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("Snapshot[");
        replicas.values().forEach(s -> out.append(s.replica()).append('@').append(s.revision())
                .append('(').append(s.state().size()).append(" atoms) "));
        quarantined.values().forEach(q -> out.append(q.replica()).append("(quarantined) "));
        return out.toString().trim() + "]";
    }
}
