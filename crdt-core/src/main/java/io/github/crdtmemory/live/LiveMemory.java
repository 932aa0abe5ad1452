/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.live;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.internal.Publisher;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.store.ConcurrentUpdateException;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.Snapshot;
import io.github.crdtmemory.store.LocalStateException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory of one replica, live in this process: the MCP memory tools applied directly as stamped
 * atoms, with the semantics and return values of {@code @modelcontextprotocol/server-memory} 2026.8.31
 * (where that server keeps duplicates within one call, this keeps one, as its main branch does).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Thread-safe: writes are serialized by one lock and none is lost; reads ({@link #readGraph()},
 *       {@link #snapshot()}, the search tools) take no lock and see the latest completed write.</li>
 *   <li>Durable: a write method returns after its change is on disk: appended to a journal beside the
 *       state file ({@code <state>.journal}, {@code 0600}, each record length-prefixed and checksummed)
 *       and forced, so a write costs its own size, not the memory's. Concurrent writers share one
 *       append and one force (group commit). The journal is folded into the state file (temporary file,
 *       fsync, atomic rename) when it outgrows it, after a sync, and on {@link #open}; a torn last
 *       record (a crash mid-append) is ignored, and replaying a record twice is harmless (a join).</li>
 *   <li>A tool call's cost does not grow with a full recomputation of the graph: the graph after a
 *       tool call is the tool's own result (the diff's contract: the joined state's view has its
 *       content), and is recomputed from the state only after a sync.</li>
 *   <li>Every change is a set of stamped registers from this replica's hybrid logical clock, so the
 *       state merges with other replicas through any {@link ReplicaStore} ({@link #sync}).</li>
 *   <li>Listeners run after a change is durable, on the writing thread, outside the write lock; a
 *       listener that throws is logged and does not undo the change.</li>
 * </ul>
 */
public final class LiveMemory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveMemory.class);
    private static final Publisher PUBLISHER = Publisher.withRounds(8);

    private final Path stateFile;
    private final ReplicaId replica;
    private final Clock clock;
    private final ReentrantLock writes = new ReentrantLock();
    private final Object disk = new Object();
    private final List<Consumer<MemoryChange>> listeners = new CopyOnWriteArrayList<>();
    private final List<ScheduledExecutorService> schedules = new CopyOnWriteArrayList<>();
    private final Journal journal;
    private volatile MemoryState state;
    private volatile MemoryGraph view;
    private volatile long version;
    private long persisted; // guarded by disk
    private volatile boolean closed;

    private LiveMemory(Path stateFile, ReplicaId replica, MemoryState state, java.util.function.LongSupplier time)
            throws IOException {
        this.stateFile = stateFile;
        this.replica = replica;
        this.state = state;
        this.view = state.view();
        this.journal = new Journal(stateFile);
        Timestamp start = state.maxStamp().map(Stamp::timestamp).orElse(Timestamp.ZERO);
        this.clock = Clock.hybrid(replica, time, start);
    }

    /**
     * Opens the memory kept in {@code stateFile} (a replica state file; created on the first write).
     *
     * @param stateFile where the state is persisted
     * @param replica the replica this memory writes as
     * @return the memory
     * @throws LocalStateException if the file exists and cannot be read or parsed
     */
    public static LiveMemory open(Path stateFile, ReplicaId replica) {
        return open(stateFile, replica, System::currentTimeMillis);
    }

    /**
     * As {@link #open(Path, ReplicaId)} with a given physical clock (for tests and simulations).
     *
     * @param stateFile where the state is persisted
     * @param replica the replica this memory writes as
     * @param physicalMillis milliseconds since the epoch
     * @return the memory
     */
    public static LiveMemory open(Path stateFile, ReplicaId replica, java.util.function.LongSupplier physicalMillis) {
        Path file = stateFile.toAbsolutePath().normalize();
        Objects.requireNonNull(replica, "replica");
        try {
            Optional<byte[]> bytes = PrivateFiles.readIfExists(file);
            MemoryState state = bytes.isPresent() ? StateCodec.decode(bytes.get(), file.toString()) : MemoryState.empty();
            Optional<MemoryState> logged = Journal.replay(Journal.of(file));
            if (logged.isPresent()) { // fold the journal into the state file, then start a new journal
                state = state.join(logged.get());
                PrivateFiles.createDirectories(PrivateFiles.parentOf(file));
                PrivateFiles.replace(file, StateCodec.encode(state));
                java.nio.file.Files.deleteIfExists(Journal.of(file));
            }
            return new LiveMemory(file, replica, state, physicalMillis);
        } catch (IOException | io.github.crdtmemory.memory.MemoryFormatException e) {
            throw new LocalStateException(LocalStateException.Part.STATE, file, replica,
                    "cannot open the memory: " + e.getMessage(), e);
        }
    }

    /**
     * {@code create_entities}: adds the entities whose name is new; existing names are skipped.
     *
     * @param entities the entities
     * @return the entities created
     */
    public List<Entity> createEntities(List<Entity> entities) {
        return apply("create_entities", g -> MemoryTools.createEntities(g, entities));
    }

    /**
     * {@code create_relations}: adds the relations that do not exist yet.
     *
     * @param relations the relations
     * @return the relations created
     */
    public List<Relation> createRelations(List<Relation> relations) {
        return apply("create_relations", g -> MemoryTools.createRelations(g, relations));
    }

    /**
     * {@code add_observations}: adds to each entity the observations it does not have yet.
     *
     * @param additions per entity, the observations to add
     * @return per entity, the observations added
     * @throws IllegalArgumentException ({@code Entity with name X not found}) if an entity does not
     *     exist; nothing is changed then
     */
    public List<Observations> addObservations(List<Observations> additions) {
        return apply("add_observations", g -> MemoryTools.addObservations(g, additions));
    }

    /**
     * {@code delete_entities}: removes the entities and every relation from or to them; unknown names
     * are ignored.
     *
     * @param names the entity names
     */
    public void deleteEntities(List<String> names) {
        apply("delete_entities", g -> MemoryTools.deleteEntities(g, names));
    }

    /**
     * {@code delete_observations}: removes the observations; a missing entity is ignored.
     *
     * @param deletions per entity, the observations to remove
     */
    public void deleteObservations(List<Observations> deletions) {
        apply("delete_observations", g -> MemoryTools.deleteObservations(g, deletions));
    }

    /**
     * {@code delete_relations}: removes the exact relations given.
     *
     * @param relations the relations
     */
    public void deleteRelations(List<Relation> relations) {
        apply("delete_relations", g -> MemoryTools.deleteRelations(g, relations));
    }

    /**
     * {@code read_graph}: the whole graph. Takes no lock.
     *
     * @return the graph after the latest completed write
     */
    public MemoryGraph readGraph() {
        return view;
    }

    /**
     * {@code search_nodes}: see {@link MemoryTools#searchNodes}. Takes no lock.
     *
     * @param query the text to look for
     * @return the matching part of the graph
     */
    public MemoryGraph searchNodes(String query) {
        return MemoryTools.searchNodes(readGraph(), query);
    }

    /**
     * {@code open_nodes}: see {@link MemoryTools#openNodes}. Takes no lock.
     *
     * @param names the entity names
     * @return that part of the graph
     */
    public MemoryGraph openNodes(List<String> names) {
        return MemoryTools.openNodes(readGraph(), names);
    }

    /**
     * The state after the latest completed write: immutable, so reading it never blocks a writer.
     *
     * @return the state
     */
    public MemoryState snapshot() {
        return state;
    }

    /**
     * How many changes this memory has applied since it was opened.
     *
     * @return the version
     */
    public long version() {
        return version;
    }

    /**
     * Calls {@code listener} after each change is durable.
     *
     * @param listener the listener
     * @return closing it removes the listener
     */
    public AutoCloseable addListener(Consumer<MemoryChange> listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Writes the graph as an MCP memory file (JSONL, as the server writes it), atomically; an existing
     * file keeps its permissions, a new one is {@code 0600}.
     *
     * @param memoryFile the file
     * @throws LocalStateException if it cannot be written
     */
    public void exportTo(Path memoryFile) {
        Path file = memoryFile.toAbsolutePath().normalize();
        try {
            byte[] bytes = MemoryFileCodec.write(readGraph(), false);
            if (java.nio.file.Files.exists(file)) {
                PrivateFiles.replace(file, bytes, PrivateFiles.permissions(file));
            } else {
                PrivateFiles.replace(file, bytes);
            }
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.MEMORY_FILE, file, replica,
                    "cannot export the memory: " + e, e);
        }
    }

    /**
     * Merges every replica's state from {@code store} into this memory and publishes this replica's
     * state by compare-and-swap (re-reading after a lost race, with jittered exponential backoff, up to 8
     * attempts).
     *
     * @param store the store
     * @return the number of replicas the store held
     * @throws ConcurrentUpdateException if every attempt lost a race; the next sync publishes
     * @throws io.github.crdtmemory.store.StoreException if the store fails
     */
    public int sync(ReplicaStore store) {
        return PUBLISHER.publish(replica, () -> {
            Snapshot snapshot = store.read();
            List<MemoryState> remote = new ArrayList<>();
            snapshot.states().forEach(s -> remote.add(s.state()));
            MemoryState incoming = MemoryState.joinAll(remote);
            apply("sync", incoming);
            MemoryState mine = state;
            Optional<PublishedState> published = snapshot.get(replica);
            if (published.isEmpty() || !published.get().state().equals(mine)) {
                store.publish(replica, mine, snapshot.revision(replica));
            }
            return snapshot.size();
        });
    }

    /**
     * Runs {@link #sync} every {@code period} on a daemon thread until the returned handle or this
     * memory is closed. A failed sync is logged and tried again at the next period.
     *
     * @param store the store
     * @param period the time between syncs
     * @return closing it stops the schedule
     */
    public AutoCloseable syncEvery(ReplicaStore store, Duration period) {
        Objects.requireNonNull(store, "store");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-memory-sync-" + replica);
            t.setDaemon(true);
            return t;
        });
        schedules.add(timer);
        java.util.concurrent.ScheduledFuture<?> unused = timer.scheduleWithFixedDelay(() -> { // ends with the timer
            try {
                sync(store);
            } catch (RuntimeException e) {
                log.warn("scheduled sync of {} with {} failed: {}", replica, store.description(), e.getMessage());
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return () -> {
            schedules.remove(timer);
            timer.shutdownNow();
        };
    }

    /**
     * Stops the sync schedules and folds the journal into the state file. Every write has already been
     * persisted when it returned.
     *
     * @throws LocalStateException if the state file cannot be written (the journal keeps the changes)
     */
    @Override
    public void close() {
        closed = true;
        schedules.forEach(ScheduledExecutorService::shutdownNow);
        schedules.clear();
        try {
            if (journal.size() > 0) {
                persist(version + 1, true);
            }
        } finally {
            synchronized (disk) {
                journal.close();
            }
        }
    }

    /** Applies a tool: diffs the graph before and after into stamped registers; returns the tool's result. */
    // Outcome.result() is null only for the tools that return nothing (T is Void), whose callers ignore it;
    // version is volatile for readers and only written under the writes lock
    @SuppressWarnings({"NullAway", "NonAtomicVolatileUpdate"})
    private <T> T apply(String operation, Function<MemoryGraph, MemoryTools.Outcome<T>> tool) {
        MemoryState edits;
        MemoryTools.Outcome<T> outcome;
        long mine;
        writes.lock();
        try {
            checkOpen();
            MemoryState before = state;
            MemoryGraph shown = view;
            outcome = tool.apply(shown);
            edits = before.diff(shown, outcome.graph(), clock);
            if (edits.atoms().isEmpty()) {
                return outcome.result();
            }
            state = before.join(edits);
            view = outcome.graph(); // what state.view() has, without recomputing it (see diff)
            mine = ++version;
            journal.enqueue(mine, edits);
        } finally {
            writes.unlock();
        }
        persist(mine, false);
        notify(new MemoryChange(operation, edits, mine));
        return outcome.result();
    }

    /** Joins states from elsewhere (a sync). */
    @SuppressWarnings("NonAtomicVolatileUpdate") // version is only written under the writes lock
    private void apply(String operation, MemoryState incoming) {
        long mine;
        writes.lock();
        try {
            checkOpen();
            MemoryState merged = state.join(incoming);
            if (merged.equals(state)) {
                return;
            }
            merged.maxStamp().ifPresent(s -> clock.observe(s.timestamp()));
            state = merged;
            view = merged.view();
            mine = ++version;
        } finally {
            writes.unlock();
        }
        persist(mine, true);
        notify(new MemoryChange(operation, incoming, mine));
    }

    /**
     * Group commit: returns once a state at least as new as {@code mine} is on disk. The changes queued
     * since the last force are appended to the journal with one force; the journal is folded into the
     * state file instead when {@code whole} (a sync's merge, which may be large) or when it has grown
     * larger than the state file.
     */
    private void persist(long mine, boolean whole) {
        synchronized (disk) {
            if (persisted >= mine) {
                return;
            }
            try {
                PrivateFiles.createDirectories(PrivateFiles.parentOf(stateFile));
                long now;
                if (whole || journal.size() > Math.max(Journal.MIN_FOLD, journal.stateSize())) {
                    MemoryState current;
                    writes.lock(); // a consistent pair: the state and the version it includes
                    try {
                        current = state;
                        now = version;
                    } finally {
                        writes.unlock();
                    }
                    byte[] bytes = StateCodec.encode(current);
                    PrivateFiles.replace(stateFile, bytes);
                    journal.folded(now, bytes.length);
                } else {
                    now = journal.append();
                }
                persisted = Math.max(persisted, now);
            } catch (IOException e) {
                throw new LocalStateException(LocalStateException.Part.STATE, stateFile, replica,
                        "cannot persist the memory: " + e, e);
            }
        }
    }

    private void notify(MemoryChange change) {
        for (Consumer<MemoryChange> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                log.warn("a listener of {} failed on {}: {}", replica, change.operation(), e.toString());
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the live memory of " + replica + " is closed");
        }
    }

    @Override
    public String toString() {
        return "LiveMemory[" + replica + ", " + stateFile + ", version " + version + "]";
    }
}
