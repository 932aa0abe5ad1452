/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.internal.ProcessFileLock;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.ConcurrentUpdateException;
import io.github.crdtmemory.store.LockTimeoutException;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.LocalStateException;
import io.github.crdtmemory.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Syncs one MCP memory file with a {@link ReplicaStore}: turns the file's edits into stamped atoms,
 * merges every replica's state, publishes its own, and writes the merged graph back. Each
 * {@link #sync()} runs these steps under the state directory's lock (waiting at most
 * {@link SyncSettings#lockTimeout()}):
 * <ol>
 *   <li><b>read and reconcile</b>: read and validate the memory file (bad input throws
 *       {@link MemoryFormatException} before anything is written) with the checkpoint, recognise a
 *       write-back that landed unrecorded, and refuse a mass deletion ({@link MassDeletionException});</li>
 *   <li><b>stamp</b>: diff the file against the base (the graph it last agreed with; three-way after an
 *       unrecorded write-back), stamp the edits with the persisted hybrid logical clock, and persist the
 *       own state and the new base atomically, before any store step;</li>
 *   <li><b>merge, verify, publish</b>: read the store, join, verify (every input below the join,
 *       nothing invented, counts), persist and read back (a failed check throws
 *       {@link VerificationException} before anything is published), then publish by compare-and-swap,
 *       re-reading and re-joining after a lost race, with jittered exponential backoff, at most
 *       {@link SyncSettings#publishAttempts()} times;</li>
 *   <li><b>write back</b>: write the new content to a temporary file and sync it, then replace the
 *       memory file only if it still holds what was read, then update the base: the view written, or
 *       the file as read when the write was skipped;</li>
 *   <li><b>report</b>: return a {@link SyncReport}.</li>
 * </ol>
 * {@code docs/architecture.md} maps each step to the method that does it. No step infers a deletion
 * from an absence the file never saw, so a remote addition not yet written into the file never comes
 * back as a local delete.
 *
 * <p>Thread-safe: concurrent calls (in this or other processes) on the same state directory run one
 * at a time.
 *
 * <p>A missing memory file: for {@link #sync()} and {@link #backup()} it is an empty memory, so on a
 * state directory that never saw entities in it (a new machine whose MCP server has not written it
 * yet) nothing is deleted and the sync creates it with the merged view ({@code 0600}); where the last
 * cycle saw entities it empties the memory, which {@link MassDeletionException} refuses unless mass
 * deletion is allowed. For {@link #restore()} and {@link #edit} it counts as unchanged since the last
 * cycle and is created by the write-back (removing the file and restoring undoes a mass deletion).
 */
public final class SyncEngine {
    private final SyncSettings settings;
    private final ReplicaStore store;
    private final StateDirectory dir;
    private final MemoryFileAccess file;
    private final Cycle.Parts parts;

    private SyncEngine(SyncSettings settings, ReplicaStore store, Runnable beforeWriteBackRename,
                       Runnable beforeReadingAgain, StepHook hook, int journalBytes) {
        this.settings = settings;
        this.store = store;
        this.dir = new StateDirectory(settings.stateDir(), settings.replica(), hook, journalBytes);
        this.file = new MemoryFileAccess(settings.memoryFile(), hook, beforeWriteBackRename);
        this.parts = new Cycle.Parts(settings, store, dir, file, hook, beforeReadingAgain);
    }

    /**
     * Returns an engine for these settings and store. Nothing is read or created until {@link #sync()}.
     *
     * @param settings what to sync
     * @param store where replicas meet; the caller keeps ownership and closes it
     * @return the engine
     */
    public static SyncEngine create(SyncSettings settings, ReplicaStore store) {
        return new SyncEngine(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(store, "store"),
                () -> { }, () -> { }, StepHook.NONE, StateDirectory.MIN_JOURNAL_BYTES);
    }

    /** An engine whose write-back runs {@code beforeRename} between the temporary file and the rename (tests). */
    static SyncEngine withFault(SyncSettings settings, ReplicaStore store, Runnable beforeRename) {
        return new SyncEngine(settings, store, beforeRename, () -> { }, StepHook.NONE, StateDirectory.MIN_JOURNAL_BYTES);
    }

    /**
     * An engine that runs {@code beforeReadingAgain} each time it pauses to read a seemingly mass-deleted
     * file again (tests: the other writer finishes during the pause).
     */
    static SyncEngine withPause(SyncSettings settings, ReplicaStore store, Runnable beforeReadingAgain) {
        return new SyncEngine(settings, store, () -> { }, beforeReadingAgain, StepHook.NONE, StateDirectory.MIN_JOURNAL_BYTES);
    }

    /** An engine that calls {@code hook} at every step boundary of its cycles (fault-injection tests). */
    static SyncEngine withHook(SyncSettings settings, ReplicaStore store, StepHook hook) {
        return withHook(settings, store, hook, StateDirectory.MIN_JOURNAL_BYTES);
    }

    /**
     * An engine that calls {@code hook} at every step boundary and rewrites the checkpoint's snapshot
     * once the journal passes {@code journalBytes} (or a quarter of the snapshot): tests of the rewrite.
     */
    static SyncEngine withHook(SyncSettings settings, ReplicaStore store, StepHook hook, int journalBytes) {
        return new SyncEngine(settings, store, () -> { }, () -> { }, Objects.requireNonNull(hook, "hook"),
                journalBytes);
    }

    /**
     * Returns the settings.
     *
     * @return the settings
     */
    public SyncSettings settings() {
        return settings;
    }

    /**
     * Runs one sync cycle: local edits are stamped, every replica's state is merged, the own state is
     * published and the merged view is written back.
     *
     * @return what it did
     * @throws MemoryFormatException if the memory file is not a valid memory file; nothing was written
     * @throws MassDeletionException if the memory file's edits delete most of the memory and
     *     {@link SyncSettings#massDeletionAllowed()} is false; nothing was written
     * @throws LockTimeoutException if another sync held the state directory longer than the timeout
     * @throws ConcurrentUpdateException if every publication attempt lost a race; the edits are safe in
     *     the state directory and the next sync publishes them
     * @throws VerificationException if the join failed verification; nothing was published
     * @throws StoreException if the store fails
     * @throws LocalStateException if the state directory or the memory file fails
     */
    public SyncReport sync() {
        return run(Cycle.Mode.SYNC);
    }

    /**
     * Runs the cycle without the write-back: local edits are stamped, merged and published, and the
     * memory file is left as it is ({@link SyncReport.WriteBack#NOT_REQUESTED}). The file's content
     * stays the base, so remote additions not yet in it are never taken for local deletions later.
     *
     * @return what it did
     * @throws MemoryFormatException if the memory file is not a valid memory file; nothing was written
     * @throws MassDeletionException if the memory file's edits delete most of the memory and
     *     {@link SyncSettings#massDeletionAllowed()} is false; nothing was written
     * @throws LockTimeoutException if another sync held the state directory longer than the timeout
     * @throws ConcurrentUpdateException if every publication attempt lost a race
     * @throws VerificationException if the join failed verification; nothing was published
     * @throws StoreException if the store fails
     * @throws LocalStateException if the state directory or the memory file fails
     */
    public SyncReport backup() {
        return run(Cycle.Mode.BACKUP);
    }

    /**
     * Runs the cycle without the publication: local edits in the memory file are stamped and kept in
     * the state directory (never dropped), every replica's state is merged, and the merged view is
     * written into the memory file, which is created if missing
     * ({@link SyncReport.Publication#NOT_REQUESTED}). Nothing is written to the store.
     *
     * @return what it did
     * @throws MemoryFormatException if the memory file is not a valid memory file; nothing was written
     * @throws MassDeletionException if the memory file's edits delete most of the memory and
     *     {@link SyncSettings#massDeletionAllowed()} is false; nothing was written
     * @throws LockTimeoutException if another sync held the state directory longer than the timeout
     * @throws VerificationException if the join failed verification; the memory file is unchanged
     * @throws StoreException if the store fails
     * @throws LocalStateException if the state directory or the memory file fails
     */
    public SyncReport restore() {
        return run(Cycle.Mode.RESTORE);
    }

    /**
     * Describes the local state without changing anything and without waiting for a running sync:
     * the last successful cycle, the counts of the own state, the edits in the memory file not yet
     * stamped, and the atoms not yet published. Reads the store once.
     *
     * @return the status
     * @throws MemoryFormatException if the memory file is not a valid memory file
     * @throws StoreException if the store cannot be read
     * @throws LocalStateException if the state directory cannot be read
     */
    public SyncStatus status() {
        return new Cycle(parts).status();
    }

    /**
     * Applies {@code change} to the memory file as one serialized step, for processes that edit the file
     * themselves (an MCP server on this library, say): under the state directory's lock, the file's
     * edits since the last step are stamped first (as a sync would), then {@code change} is applied to
     * the merged view, its difference is stamped, the state is persisted and the file is rewritten.
     * Processes that share one memory file and state directory take turns, so none loses another's
     * write. Nothing is published: the next {@link #sync()} does that. No copy is kept (edits are small
     * and many; history lives in the state and the store). {@code change} runs exactly once: if a writer
     * that does not take the lock replaces the file in between, its edits are merged with the already
     * stamped change and the write is tried again.
     *
     * <p>The check of {@link #sync()} applies to the file's own edits since the last step, which only
     * another writer can have made: if they would delete most of the memory (an emptied file, or one
     * caught while a truncating writer was mid-write) the file is read again a few times, then the step
     * is refused with {@link MassDeletionException} (unless {@link SyncSettings#massDeletionAllowed()})
     * before {@code change} runs. {@code change} itself is never checked: the caller is the file's
     * writer, and a tool call that deletes everything means it.
     *
     * @param change from the current graph to the next
     * @return the graph now in the file
     * @throws MemoryFormatException if the memory file does not parse; nothing was written
     * @throws MassDeletionException if another writer's edits to the file would delete most of the
     *     memory and {@link SyncSettings#massDeletionAllowed()} is false; the file was not written (when
     *     the other writer struck between this step's read and its write, the change is already stamped
     *     in the state and reaches the file once the deletion is kept or undone)
     * @throws LockTimeoutException if another process held the lock longer than the timeout
     * @throws LocalStateException if the memory file or the state directory fails, or the file kept changing
     *     under a writer that does not take the lock
     * @throws RuntimeException whatever {@code change} throws; nothing was written then
     */
    public MemoryGraph edit(UnaryOperator<MemoryGraph> change) {
        Objects.requireNonNull(change, "change");
        Cycle cycle = new Cycle(parts);
        return locked(() -> cycle.edit(change));
    }

    /**
     * Returns the graph the memory file holds now, for readers such as an MCP server's read calls:
     * without the lock and without touching the state directory. A missing file is the empty memory.
     *
     * @return the file's graph
     * @throws MemoryFormatException if the memory file does not parse
     * @throws LocalStateException if the memory file cannot be read
     */
    public MemoryGraph read() {
        return file.graph(settings.replica());
    }

    /**
     * Replaces the memory file with {@code graph}, under the state directory's lock, after keeping the
     * current content as a copy (when it exists and {@link SyncSettings#keptCopies()} is positive). The
     * file keeps its permissions (a new one is {@code 0600}). Nothing is stamped or published: the next
     * cycle sees the difference as local edits and stamps them afresh, so a restore travels as a forward
     * edit, never as a rewrite of history.
     *
     * @param graph the content to write
     * @return the kept copy, if one was kept
     * @throws LockTimeoutException if another sync held the state directory longer than the timeout
     * @throws LocalStateException if the memory file or the state directory fails
     */
    public Optional<Path> writeMemoryFile(MemoryGraph graph) {
        Objects.requireNonNull(graph, "graph");
        Cycle cycle = new Cycle(parts);
        return locked(() -> cycle.overwrite(graph));
    }

    private SyncReport run(Cycle.Mode mode) {
        Cycle cycle = new Cycle(parts); // before the lock: waiting for it is the report's "lock" phase
        return locked(() -> cycle.cycle(mode));
    }

    /** Runs {@code step} holding the state directory's lock: the one place the lock is taken and released. */
    private <T> T locked(Supplier<T> step) {
        try (ProcessFileLock lock = dir.lock(settings.lockTimeout())) {
            return step.get();
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.LOCK, dir.path().resolve(StateDirectory.LOCK_FILE),
                    settings.replica(), "cannot release the lock: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "SyncEngine[" + settings.replica() + ", " + file.path() + " <-> " + store.description() + "]";
    }
}
