package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.internal.ProcessFileLock;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.AtomKey.EntityKey;
import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import io.github.crdtmemory.memory.AtomKey.RelationKey;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFile;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.store.ConcurrentUpdateException;
import io.github.crdtmemory.store.LockTimeoutException;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.Snapshot;
import io.github.crdtmemory.store.StoreAccessException;
import io.github.crdtmemory.store.StoreException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syncs one MCP memory file with a {@link ReplicaStore}: turns the file's edits into stamped atoms,
 * merges every replica's state, publishes its own, and writes the merged graph back. Each
 * {@link #sync()} runs the cycle of DESIGN.md section 6 under the state directory's lock:
 * <ol>
 *   <li>lock the state directory (waiting at most {@link SyncSettings#lockTimeout()});</li>
 *   <li>read and validate the memory file: bad input throws {@link MemoryFormatException} before
 *       anything is written;</li>
 *   <li>diff the file against the base (the graph it last agreed with), stamp the edits with the
 *       persisted hybrid logical clock, and persist the own state and the new base atomically, before
 *       any store step;</li>
 *   <li>read the store, join, verify (every input below the join, nothing invented, counts), persist
 *       and read back; a failed check throws {@link VerificationException} before anything is
 *       published;</li>
 *   <li>publish by compare-and-swap, re-reading and re-joining after a lost race, with jittered
 *       exponential backoff, at most {@link SyncSettings#publishAttempts()} times;</li>
 *   <li>write the merged view to the memory file only if it still holds what was read, then update the
 *       base: the view written, or the file as read when the write was skipped;</li>
 *   <li>return a {@link SyncReport}.</li>
 * </ol>
 * No step infers a deletion from an absence the file never saw, so a remote addition not yet written
 * into the file never comes back as a local delete.
 *
 * <p>Thread-safe: concurrent calls (in this or other processes) on the same state directory run one
 * at a time. A missing memory file is treated as unchanged since the last sync and is created by the
 * write-back.
 */
public final class SyncEngine {
    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
    private static final long BACKOFF_BASE_MILLIS = 20;
    private static final long BACKOFF_CAP_MILLIS = 1000;
    private static final int MASS_DELETION_READINGS = 5;
    private static final long MASS_DELETION_PAUSE_MILLIS = 20;

    private final SyncSettings settings;
    private final ReplicaStore store;
    private final StateDirectory dir;
    private final MemoryFileAccess file;
    private final Runnable beforeReadingAgain;
    private final StepHook hook;

    private SyncEngine(SyncSettings settings, ReplicaStore store, Runnable beforeWriteBackRename,
                       Runnable beforeReadingAgain, StepHook hook) {
        this.settings = settings;
        this.store = store;
        this.dir = new StateDirectory(settings.stateDir(), settings.replica());
        this.file = new MemoryFileAccess(settings.memoryFile(), () -> {
            hook.at(StepHook.Step.COMPARED);
            beforeWriteBackRename.run();
        });
        this.beforeReadingAgain = beforeReadingAgain;
        this.hook = hook;
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
                () -> { }, () -> { }, StepHook.NONE);
    }

    /** An engine whose write-back runs {@code beforeRename} between the temporary file and the rename (tests). */
    static SyncEngine withFault(SyncSettings settings, ReplicaStore store, Runnable beforeRename) {
        return new SyncEngine(settings, store, beforeRename, () -> { }, StepHook.NONE);
    }

    /**
     * An engine that runs {@code beforeReadingAgain} each time it pauses to read a seemingly mass-deleted
     * file again (tests: the other writer finishes during the pause).
     */
    static SyncEngine withPause(SyncSettings settings, ReplicaStore store, Runnable beforeReadingAgain) {
        return new SyncEngine(settings, store, () -> { }, beforeReadingAgain, StepHook.NONE);
    }

    /** An engine that calls {@code hook} at every step boundary of its cycles (fault-injection tests). */
    static SyncEngine withHook(SyncSettings settings, ReplicaStore store, StepHook hook) {
        return new SyncEngine(settings, store, () -> { }, () -> { }, Objects.requireNonNull(hook, "hook"));
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
     * @throws StoreException if the store, the state directory or the memory file fails
     */
    public SyncReport sync() {
        return run(Mode.SYNC);
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
     * @throws StoreException if the store, the state directory or the memory file fails
     */
    public SyncReport backup() {
        return run(Mode.BACKUP);
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
     * @throws StoreException if the store, the state directory or the memory file fails
     */
    public SyncReport restore() {
        return run(Mode.RESTORE);
    }

    /**
     * Describes the local state without changing anything and without waiting for a running sync:
     * the last successful cycle, the counts of the own state, the edits in the memory file not yet
     * stamped, and the atoms not yet published. Reads the store once.
     *
     * @return the status
     * @throws MemoryFormatException if the memory file is not a valid memory file
     * @throws StoreException if the store or the state directory cannot be read
     */
    public SyncStatus status() {
        Optional<byte[]> bytes = readMemoryFile();
        Optional<Checkpoint> loaded = dir.load();
        Checkpoint cp = loaded.orElseGet(Checkpoint::initial);
        MemoryGraph base = cp.base();
        int edits = 0;
        boolean massDeletion = false;
        if (bytes.isPresent()) {
            MemoryFile parsed = MemoryFileCodec.parse(bytes.get(), file.path().toString());
            Optional<byte[]> pending = cp.pendingBytes();
            if (pending.isPresent() && Arrays.equals(pending.get(), bytes.get())) {
                base = parsed.graph();
            }
            Clock scratch = Clock.hybrid(settings.replica(), settings.physicalClock(), cp.clock());
            edits = cp.state().diff(base, parsed.graph(), scratch).size();
            massDeletion = !settings.massDeletionAllowed() && massDeletion(base, parsed.graph()).isPresent();
        }
        Snapshot snapshot = store.read();
        MemoryState published = snapshot.get(settings.replica()).map(PublishedState::state)
                .orElse(MemoryState.empty());
        int[] unpublished = {0};
        cp.state().atoms().forEach((k, r) -> {
            if (!published.atoms().get(k).map(r::equals).orElse(false)) {
                unpublished[0]++;
            }
        });
        return new SyncStatus(settings.replica(), file.path().toString(), bytes.isPresent(), dir.path().toString(),
                store.description(), dir.lastSuccess(), cp.state().counts(), edits, unpublished[0],
                snapshot.size(), massDeletion, snapshot.quarantined());
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
     * @throws StoreException if the memory file or the state directory fails, or the file kept changing
     *     under a writer that does not take the lock
     * @throws RuntimeException whatever {@code change} throws; nothing was written then
     */
    public MemoryGraph edit(java.util.function.UnaryOperator<MemoryGraph> change) {
        Objects.requireNonNull(change, "change");
        try (ProcessFileLock lock = dir.lock(settings.lockTimeout())) {
            MemoryState stamped = null; // the change, as stamped registers, once it has run
            for (int attempt = 1; ; attempt++) {
                Look look = look();
                hook.at(StepHook.Step.READ);
                Optional<byte[]> before = look.bytes();
                MemoryFile parsed = look.parsed();
                Checkpoint cp = look.checkpoint();
                MemoryGraph base = look.base();
                MemoryGraph current = look.current();
                // a retry joins the change it stamped before instead of trusting the checkpoint to hold it
                // (joining is idempotent, so this costs nothing when it does)
                MemoryState known = stamped == null ? cp.state() : cp.state().join(stamped);
                Timestamp start = known.maxStamp().map(Stamp::timestamp).filter(t -> t.compareTo(cp.clock()) > 0)
                        .orElse(cp.clock());
                Clock clock = Clock.hybrid(settings.replica(), settings.physicalClock(), start);
                MemoryState local = known.join(known.diff(base, current, clock));
                if (stamped == null) {
                    // once only: applying the change again would see its own effect (a create would
                    // report nothing new)
                    MemoryGraph view = local.view();
                    stamped = local.diff(view, change.apply(view), clock);
                    local = local.join(stamped);
                }
                MemoryGraph written = local.view();
                byte[] out = MemoryFileCodec.write(written, parsed != null && parsed.trailingNewline());
                if (before.isPresent() && Arrays.equals(out, before.get())) {
                    dir.save(new Checkpoint(clock.current(), local, current, null));
                    hook.at(StepHook.Step.STAMPED);
                    hook.at(StepHook.Step.DONE);
                    return written;
                }
                dir.save(new Checkpoint(clock.current(), local, current, out));
                hook.at(StepHook.Step.STAMPED);
                hook.at(StepHook.Step.PENDING_SAVED);
                if (replaceMemoryFile(before, out)) {
                    hook.at(StepHook.Step.RENAMED);
                    dir.save(new Checkpoint(clock.current(), local, written, null));
                    hook.at(StepHook.Step.DONE);
                    return written;
                }
                if (attempt >= settings.publishAttempts()) {
                    throw new StoreAccessException(file.path().toString(), settings.replica(), "the memory file kept "
                            + "changing under a writer that does not take " + dir.path().resolve(StateDirectory.LOCK_FILE)
                            + "; gave up after " + attempt + " attempts", null);
                }
            }
        } catch (IOException e) {
            throw new StoreAccessException(dir.path().toString(), settings.replica(), "cannot release the lock: " + e, e);
        }
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
     * @throws StoreException if the memory file or the state directory fails
     */
    public Optional<java.nio.file.Path> writeMemoryFile(MemoryGraph graph) {
        Objects.requireNonNull(graph, "graph");
        try (ProcessFileLock lock = dir.lock(settings.lockTimeout())) {
            Optional<byte[]> before = readMemoryFile();
            Optional<java.nio.file.Path> copy = Optional.empty();
            if (before.isPresent() && settings.keptCopies() > 0) {
                copy = Optional.of(dir.keepCopy(before.get(), java.time.Instant.ofEpochMilli(
                        settings.physicalClock().getAsLong()), settings.keptCopies()));
            }
            byte[] out = MemoryFileCodec.write(graph, before.map(b -> b.length > 0 && b[b.length - 1] == '\n')
                    .orElse(true));
            if (!replaceMemoryFile(before, out)) {
                throw new StoreAccessException(file.path().toString(), settings.replica(),
                        "the memory file changed while it was being replaced; nothing was written, try again", null);
            }
            return copy;
        } catch (IOException e) {
            throw new StoreAccessException(dir.path().toString(), settings.replica(), "cannot release the lock: " + e, e);
        }
    }

    private SyncReport run(Mode mode) {
        Phases phases = new Phases();
        try (ProcessFileLock lock = dir.lock(settings.lockTimeout())) {
            phases.end("lock");
            SyncReport report = locked(phases, mode);
            dir.recordSuccess(java.time.Instant.ofEpochMilli(settings.physicalClock().getAsLong()),
                    mode.name().toLowerCase(java.util.Locale.ROOT));
            return report;
        } catch (IOException e) {
            throw new StoreAccessException(dir.path().toString(), settings.replica(), "cannot release the lock: " + e, e);
        }
    }

    /** Which steps of the cycle run. */
    private enum Mode {
        SYNC(true, true), BACKUP(true, false), RESTORE(false, true);

        final boolean publish;
        final boolean writeBack;

        Mode(boolean publish, boolean writeBack) {
            this.publish = publish;
            this.writeBack = writeBack;
        }
    }

    private SyncReport locked(Phases phases, Mode mode) {
        String source = file.path().toString();
        Look look = look();
        hook.at(StepHook.Step.READ);
        phases.end("read");
        Optional<byte[]> before = look.bytes();
        MemoryFile parsed = look.parsed();
        boolean firstRun = look.firstRun();
        Checkpoint cp = look.checkpoint();
        Optional<byte[]> pending = cp.pendingBytes();
        MemoryGraph base = look.base();
        MemoryGraph current = look.current();
        MemoryState own = cp.state();
        String stateBefore = PrivateFiles.sha256(dir.encode(own));
        Timestamp start = own.maxStamp().map(Stamp::timestamp).filter(t -> t.compareTo(cp.clock()) > 0)
                .orElse(cp.clock());
        Clock clock = Clock.hybrid(settings.replica(), settings.physicalClock(), start);

        MemoryState ops = own.diff(base, current, clock);
        List<AtomKey> added = new ArrayList<>();
        List<AtomKey> changed = new ArrayList<>();
        List<AtomKey> deleted = new ArrayList<>();
        ops.atoms().forEach((k, r) -> (r.isTombstone() ? deleted : shows(base, k) ? changed : added).add(k));
        MemoryState local = own.join(ops);
        if (firstRun || !ops.atoms().isEmpty() || !current.equals(cp.base()) || pending.isPresent()) {
            dir.save(new Checkpoint(clock.current(), local, current, null));
        }
        hook.at(StepHook.Step.STAMPED);
        phases.end("diff");

        List<SyncReport.Conflict> conflicts = List.of();
        List<SyncReport.ClockAnomaly> anomalies = List.of();
        SyncReport.Publication publication;
        Snapshot snapshot;
        String stateAfter;
        int attempts = 0;
        while (true) {
            snapshot = store.read();
            phases.end("storeRead");
            List<MemoryState> inputs = new ArrayList<>();
            List<String> names = new ArrayList<>();
            inputs.add(local);
            names.add("the local state of " + settings.replica());
            for (PublishedState p : snapshot.states()) {
                inputs.add(p.state());
                names.add("replica " + p.replica() + " at revision " + p.revision());
            }
            MemoryState merged = MemoryState.joinAll(inputs);
            anomalies = anomalies(snapshot);
            merged.maxStamp().ifPresent(s -> clock.observe(s.timestamp()));
            Verifier.verify(names, inputs, merged);
            conflicts = conflicts(ops, own, snapshot, merged);
            phases.end("join");
            stateAfter = persistVerified(clock, merged, current);
            local = merged;
            hook.at(StepHook.Step.MERGED);
            phases.end("persist");
            if (!mode.publish) {
                publication = SyncReport.Publication.NOT_REQUESTED;
                break;
            }
            PublishedState published = snapshot.get(settings.replica()).orElse(null);
            if (published != null && published.state().equals(merged)) {
                publication = SyncReport.Publication.ALREADY_CURRENT;
                break;
            }
            attempts++;
            try {
                store.publish(settings.replica(), merged, snapshot.revision(settings.replica()));
                publication = SyncReport.Publication.PUBLISHED;
                phases.end("publish");
                break;
            } catch (ConcurrentUpdateException e) {
                phases.end("publish");
                if (attempts >= settings.publishAttempts()) {
                    throw e;
                }
                log.debug("publication {} of {} lost a race, retrying: {}", attempts, settings.replica(), e.getMessage());
                backoff(attempts, e);
            }
        }

        hook.at(StepHook.Step.PUBLISHED);
        MemoryGraph view = local.view();
        SyncReport.WriteBack writeBack;
        String keptCopy = "";
        MemoryGraph newBase = current;
        Optional<byte[]> after = before;
        if (!mode.writeBack) {
            writeBack = SyncReport.WriteBack.NOT_REQUESTED;
        } else if (parsed != null && parsed.format() != MemoryFile.Format.JSONL) {
            writeBack = SyncReport.WriteBack.SKIPPED_LEGACY_FORMAT;
        } else {
            byte[] out = MemoryFileCodec.write(view, parsed != null && parsed.trailingNewline());
            if (before.isPresent() && Arrays.equals(out, before.get())) {
                writeBack = SyncReport.WriteBack.UNCHANGED;
            } else {
                if (before.isPresent() && settings.keptCopies() > 0) {
                    keptCopy = dir.keepCopy(before.get(), java.time.Instant.ofEpochMilli(
                            settings.physicalClock().getAsLong()), settings.keptCopies()).toString();
                }
                dir.save(new Checkpoint(clock.current(), local, current, out));
                hook.at(StepHook.Step.PENDING_SAVED);
                if (replaceMemoryFile(before, out)) {
                    hook.at(StepHook.Step.RENAMED);
                    writeBack = SyncReport.WriteBack.WRITTEN;
                    newBase = view;
                    after = Optional.of(out);
                } else {
                    writeBack = SyncReport.WriteBack.SKIPPED_FILE_CHANGED;
                    after = readMemoryFile();
                    log.info("{} changed during the sync; not written back, its edits are merged next time", source);
                }
                dir.save(new Checkpoint(clock.current(), local, newBase, null));
            }
        }
        hook.at(StepHook.Step.DONE);
        phases.end("writeBack");
        List<String> warnings = new ArrayList<>(parsed == null ? List.of() : parsed.warnings());
        if (parsed == null) {
            warnings.add(source + " did not exist; treated as unchanged since the last sync");
        }
        return new SyncReport(settings.replica(), source, store.description(), local.counts(), added, changed,
                deleted, snapshot.size(), conflicts, anomalies, publication, attempts, writeBack,
                new SyncReport.Checksums(before.map(PrivateFiles::sha256).orElse(""),
                        after.map(PrivateFiles::sha256).orElse(""), stateBefore, stateAfter),
                phases.done(), warnings, keptCopy, snapshot.quarantined());
    }

    /**
     * Persists the merged state with the base and checks the file reads back byte for byte; returns the
     * state's SHA-256. (The codecs' round trip is proven by their own tests, so the bytes are checked
     * here, not decoded again: that halves the cost of this step.)
     */
    private String persistVerified(Clock clock, MemoryState merged, MemoryGraph base) {
        String written = dir.save(new Checkpoint(clock.current(), merged, base, null));
        if (!dir.holds(written)) {
            throw new VerificationException("the checkpoint read back from " + dir.path()
                    + " differs from the one written (SHA-256 " + written + ")");
        }
        return PrivateFiles.sha256(dir.encode(merged));
    }

    private List<SyncReport.ClockAnomaly> anomalies(Snapshot snapshot) {
        List<SyncReport.ClockAnomaly> out = new ArrayList<>();
        long now = settings.physicalClock().getAsLong();
        for (PublishedState p : snapshot.states()) {
            p.state().maxStamp().ifPresent(s -> {
                long ahead = s.wallMillis() - now;
                if (ahead > settings.maxClockSkew().toMillis()) {
                    log.warn("replica {} holds a stamp {} ms ahead of local time; merged anyway", p.replica(), ahead);
                    out.add(new SyncReport.ClockAnomaly(p.replica(), s, now, Duration.ofMillis(ahead)));
                }
            });
        }
        return out;
    }

    /**
     * Local edits of this run that met a remote register for the same atom which differs from the
     * edit and which the local state had not seen: two writes neither of which saw the other.
     */
    private static List<SyncReport.Conflict> conflicts(MemoryState ops, MemoryState seen, Snapshot snapshot,
                                                       MemoryState merged) {
        List<SyncReport.Conflict> out = new ArrayList<>();
        ops.atoms().forEach((k, edit) -> {
            Register known = seen.atoms().get(k).orElse(null);
            Register rival = null;
            for (PublishedState p : snapshot.states()) {
                Register r = p.state().atoms().get(k).orElse(null);
                if (r == null || r.equals(edit) || (known != null && r.compareTo(known) <= 0)) {
                    continue;
                }
                if (r.stamp().replica().equals(edit.stamp().replica()) && r.compareTo(edit) < 0) {
                    continue; // an older write of this replica's own, published by another of its hosts
                }
                rival = rival == null ? r : Register.max(rival, r);
            }
            if (rival != null) {
                Register kept = merged.atoms().get(k).orElseThrow();
                boolean localWon = kept.equals(edit);
                out.add(new SyncReport.Conflict(k, kept.stamp(), localWon ? rival.stamp() : edit.stamp(), localWon));
            }
        });
        return out;
    }

    private static boolean shows(MemoryGraph graph, AtomKey key) {
        if (key instanceof EntityKey e) {
            return graph.entity(e.name()).isPresent();
        }
        if (key instanceof ObservationKey o) {
            return graph.entity(o.entity()).map(Entity::observations).map(l -> l.contains(o.text())).orElse(false);
        }
        return graph.relations().contains(((RelationKey) key).relation());
    }

    private Optional<byte[]> readMemoryFile() {
        try {
            return file.read();
        } catch (IOException e) {
            throw new StoreAccessException(file.path().toString(), settings.replica(),
                    "cannot read the memory file: " + e, e);
        }
    }

    /**
     * The memory file and the checkpoint, read together under the lock.
     *
     * @param bytes the file, or empty when it does not exist
     * @param parsed the file parsed, or null when it does not exist
     * @param checkpoint the checkpoint, or the initial one on a first run
     * @param firstRun whether there was no checkpoint
     * @param base the graph the file last agreed with
     * @param current the graph the file holds (the base when it does not exist)
     */
    private record Look(Optional<byte[]> bytes, MemoryFile parsed, Checkpoint checkpoint, boolean firstRun,
                        MemoryGraph base, MemoryGraph current) {
    }

    /**
     * Reads the memory file and the checkpoint. Unless mass deletion is allowed, a file whose edits
     * would delete most of the memory is read again a few times, {@value #MASS_DELETION_PAUSE_MILLIS} ms
     * apart, before it is refused: a writer that truncates and then writes (MCP servers up to 2026.7.4)
     * may have been caught in the middle.
     *
     * @throws MassDeletionException if every reading deleted most of the memory
     * @throws MemoryFormatException if the file does not parse
     */
    private Look look() {
        for (int reading = 1; ; reading++) {
            Optional<byte[]> bytes = readMemoryFile();
            MemoryFile parsed = bytes.isPresent() ? MemoryFileCodec.parse(bytes.get(), file.path().toString()) : null;
            Optional<Checkpoint> loaded = dir.load();
            Checkpoint cp = loaded.orElseGet(Checkpoint::initial);
            MemoryGraph base = cp.base();
            Optional<byte[]> pending = cp.pendingBytes();
            if (pending.isPresent() && bytes.isPresent() && Arrays.equals(pending.get(), bytes.get())) {
                base = parsed.graph(); // the last write-back landed before the checkpoint recorded it
            }
            MemoryGraph current = parsed == null ? base : parsed.graph();
            Optional<MassDeletionException> refused = settings.massDeletionAllowed() || current.equals(base)
                    ? Optional.empty() : massDeletion(base, current);
            if (refused.isEmpty()) {
                return new Look(bytes, parsed, cp, loaded.isEmpty(), base, current);
            }
            if (reading >= MASS_DELETION_READINGS) {
                throw refused.get();
            }
            log.debug("{} looks mass-deleted; reading it again in case a writer was mid-write", file.path());
            beforeReadingAgain.run();
            try {
                TimeUnit.MILLISECONDS.sleep(MASS_DELETION_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw refused.get();
            }
        }
    }

    /**
     * The refusal due when {@code current} lacks most of {@code base}'s entities, or most of its
     * relations between entities {@code current} keeps (see {@link MassDeletionException}).
     */
    private Optional<MassDeletionException> massDeletion(MemoryGraph base, MemoryGraph current) {
        Set<String> names = new HashSet<>();
        current.entities().forEach(e -> names.add(e.name()));
        Set<Relation> relations = new HashSet<>(current.relations());
        int entitiesDeleted = 0;
        for (Entity e : base.entities()) {
            entitiesDeleted += names.contains(e.name()) ? 0 : 1;
        }
        int relationsDropped = 0;
        for (Relation r : base.relations()) {
            boolean dropped = !relations.contains(r) && names.contains(r.from()) && names.contains(r.to());
            relationsDropped += dropped ? 1 : 0;
        }
        int entitiesBefore = base.entities().size();
        int relationsBefore = base.relations().size();
        boolean trips = entitiesDeleted >= MassDeletionException.MIN_DELETED && 2L * entitiesDeleted > entitiesBefore
                || relationsDropped >= MassDeletionException.MIN_DELETED && 2L * relationsDropped > relationsBefore;
        return trips ? Optional.of(new MassDeletionException(file.path().toString(), entitiesDeleted, entitiesBefore,
                relationsDropped, relationsBefore)) : Optional.empty();
    }

    private boolean replaceMemoryFile(Optional<byte[]> expected, byte[] next) {
        try {
            return file.replaceIfUnchanged(expected, next);
        } catch (IOException e) {
            throw new StoreAccessException(file.path().toString(), settings.replica(),
                    "cannot write the memory file: " + e, e);
        }
    }

    private static void backoff(int attempt, ConcurrentUpdateException lost) {
        long cap = Math.min(BACKOFF_CAP_MILLIS, BACKOFF_BASE_MILLIS << Math.min(attempt, 10));
        try {
            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lost.addSuppressed(e);
            throw lost;
        }
    }

    /** Wall time per phase, accumulated in the order phases first ran. */
    private static final class Phases {
        private final Map<String, Duration> spent = new LinkedHashMap<>();
        private final long start = System.nanoTime();
        private long mark = start;

        void end(String phase) {
            long now = System.nanoTime();
            spent.merge(phase, Duration.ofNanos(now - mark), Duration::plus);
            mark = now;
        }

        Map<String, Duration> done() {
            spent.put("total", Duration.ofNanos(System.nanoTime() - start));
            return spent;
        }
    }

    @Override
    public String toString() {
        return "SyncEngine[" + settings.replica() + ", " + file.path() + " <-> " + store.description() + "]";
    }
}
