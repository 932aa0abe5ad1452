package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@link ReplicaStore#read()} returns: the latest published state of every replica in the store,
 * each with its revision. Immutable; replicas are in id order.
 */
public final class Snapshot {
    private static final Snapshot EMPTY = new Snapshot(new TreeMap<>());

    private final Map<ReplicaId, PublishedState> replicas;

    private Snapshot(TreeMap<ReplicaId, PublishedState> replicas) {
        this.replicas = Collections.unmodifiableMap(replicas);
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
        TreeMap<ReplicaId, PublishedState> map = new TreeMap<>();
        for (PublishedState s : states) {
            if (map.put(s.replica(), s) != null) {
                throw new IllegalArgumentException("two states for replica " + s.replica());
            }
        }
        return map.isEmpty() ? EMPTY : new Snapshot(map);
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
     * @param replica the replica
     * @return its revision, or {@link Revision#NONE} if it has published nothing
     */
    public Revision revision(ReplicaId replica) {
        PublishedState s = replicas.get(replica);
        return s == null ? Revision.NONE : s.revision();
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
     * Returns the number of replicas.
     *
     * @return the count
     */
    public int size() {
        return replicas.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && replicas.equals(s.replicas);
    }

    @Override
    public int hashCode() {
        return replicas.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("Snapshot[");
        replicas.values().forEach(s -> out.append(s.replica()).append('@').append(s.revision())
                .append('(').append(s.state().size()).append(" atoms) "));
        return out.toString().trim() + "]";
    }
}
