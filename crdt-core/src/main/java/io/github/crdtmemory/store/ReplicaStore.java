/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryState;

/**
 * Where replicas publish their states and read each other's: one state per replica, each replaced
 * only by compare-and-swap. This is the storage SPI; implement it to keep states somewhere new, and
 * run the {@code StoreContract} suite from the {@code crdt-core} test-jar against it
 * (see {@code docs/storage-spi.md}).
 *
 * <p>The contract every implementation keeps:
 * <ul>
 *   <li><b>Thread-safe.</b> One instance may be used by many threads; several instances (and
 *       processes) may open the same underlying store at once.</li>
 *   <li><b>Atomic publication.</b> {@link #publish} replaces one replica's state all at once: a reader
 *       sees the old state or the new one, never a mix, and a crash leaves one of the two.</li>
 *   <li><b>Compare-and-swap.</b> {@code publish} succeeds only if the replica's current revision is
 *       the expected one ({@link Revision#NONE} if it has published nothing); otherwise it throws
 *       {@link ConcurrentUpdateException} and writes nothing. A lost race is never a silent
 *       overwrite.</li>
 *   <li><b>Consistent snapshots.</b> In a {@link Snapshot}, each replica's revision belongs to the
 *       state returned with it; publishing with that revision succeeds exactly when nobody published
 *       that replica since.</li>
 *   <li><b>Faithful.</b> {@link #read} returns every published state equal (by
 *       {@link MemoryState#equals}) to what was published.</li>
 * </ul>
 *
 * <p>Failures are {@link StoreException}s; a store that waits on a local lock file (the directory store)
 * throws {@link LockTimeoutException}, a {@link LocalStateException}, when the wait outlasts its
 * timeout. Whoever opens a store closes it; after {@link #close()},
 * other methods throw {@link IllegalStateException}.
 */
public interface ReplicaStore extends AutoCloseable {

    /**
     * Returns where this store keeps its states, for messages and reports. Never holds credentials.
     *
     * @return the redacted location, such as {@code file:/var/backups/memory}
     */
    String description();

    /**
     * Reads the latest published state of every replica. A replica whose ref, objects or state cannot
     * be read, or whose state is over the store's size limit, is skipped and listed in
     * {@link Snapshot#quarantined()}; one bad replica never fails the whole read.
     *
     * @return the snapshot
     * @throws CorruptStateException if the store itself (not one replica's state) is damaged
     * @throws StoreException if the store cannot be read
     */
    Snapshot read();

    /**
     * Replaces {@code replica}'s state with {@code state} if its revision is still {@code expected}.
     *
     * @param replica the publishing replica
     * @param state its new state (callers publish a join that includes the state they replace)
     * @param expected the revision read before, or {@link Revision#NONE} for a first publication
     * @return the new revision
     * @throws ConcurrentUpdateException if the replica's revision is not {@code expected}
     * @throws StoreException if the store cannot be written; the previous state is then intact
     * @throws LockTimeoutException if the store's local lock stayed busy past its timeout
     * @throws NullPointerException if an argument is null
     */
    Revision publish(ReplicaId replica, MemoryState state, Revision expected);

    /**
     * Returns the revision of every replica that has published, quarantined ones included (with the
     * revision their quarantine names): what {@link #read()} would pair with their states, without
     * reading the states where the store can. A sync compares them with the revisions it last merged
     * to stop early when nothing changed, so a store should answer this cheaply; the default reads
     * everything.
     *
     * @return replica to revision, in replica id order
     * @throws StoreException if the store cannot be read
     */
    default java.util.SortedMap<ReplicaId, Revision> revisions() {
        Snapshot s = read();
        java.util.SortedMap<ReplicaId, Revision> out = new java.util.TreeMap<>();
        s.states().forEach(p -> out.put(p.replica(), p.revision()));
        s.quarantined().forEach(q -> out.put(q.replica(), q.revision()));
        return out;
    }

    /** Releases what the store holds (processes, files, caches). Idempotent. */
    @Override
    void close();

    /**
     * The history of publications, where this store keeps one. The git store does (every publication
     * is a commit); the in-memory and directory stores keep only each replica's latest state and
     * return empty.
     *
     * @return the history, or empty when this store keeps none
     */
    default java.util.Optional<StoreHistory> history() {
        return java.util.Optional.empty();
    }
}
