/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.internal.Publisher;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.AtomKey.EntityKey;
import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import io.github.crdtmemory.memory.AtomKey.RelationKey;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFile;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.Snapshot;
import io.github.crdtmemory.store.LocalStateException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the sync engine, as explicit steps over the run's own state: {@link #read() read and
 * reconcile}, {@link #stamp() stamp}, {@link #mergeVerifyPublish merge, verify and publish},
 * {@link #writeBack write back}, {@link #report() report}. {@link #cycle} runs them for {@code sync},
 * {@code backup} and {@code restore}; {@link #edit} runs the first two and its own write; {@link #status}
 * reads without the lock. The caller holds the state directory's lock (except for {@code status}).
 * One object per run, one thread; the step hook is called at every boundary ({@link StepHook.Step}).
 */
final class Cycle {
    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
    private static final int MASS_DELETION_READINGS = 5;
    private static final long MASS_DELETION_PAUSE_MILLIS = 20;
    /** How old a temporary file of the memory file's must be before a write-back sweeps it away. */
    private static final Duration TEMP_FILE_AGE = Duration.ofHours(1);

    /** Which steps of the cycle run, and what a missing memory file is. */
    enum Mode {
        SYNC(true, true, true), BACKUP(true, false, true), RESTORE(false, true, false);

        final boolean publish;
        final boolean writeBack;
        /** A missing file is the empty memory (else: unchanged since the last cycle), see {@link Reading#of}. */
        final boolean missingIsEmpty;

        Mode(boolean publish, boolean writeBack, boolean missingIsEmpty) {
            this.publish = publish;
            this.writeBack = writeBack;
            this.missingIsEmpty = missingIsEmpty;
        }
    }

    /**
     * What an engine gives each of its runs.
     *
     * @param settings the engine's settings
     * @param store where replicas meet
     * @param dir the state directory
     * @param file the memory file
     * @param hook called at every step boundary
     * @param beforeReadingAgain run before a seemingly mass-deleted file is read again (tests)
     */
    record Parts(SyncSettings settings, ReplicaStore store, StateDirectory dir, MemoryFileAccess file, StepHook hook,
                 Runnable beforeReadingAgain) {
    }

    private final Parts parts;
    private final SyncSettings settings;
    private final StateDirectory dir;
    private final MemoryFileAccess file;
    private final StepHook hook;
    private final Phases phases = new Phases();
    private final List<String> writeBackNotes = new ArrayList<>();
    private final List<AtomKey> added = new ArrayList<>();
    private final List<AtomKey> changed = new ArrayList<>();
    private final List<AtomKey> deleted = new ArrayList<>();

    private boolean missingIsEmpty; // see Mode.missingIsEmpty; false for edit, true for status
    private Reading reading;
    private Clock clock;
    private MemoryState own = MemoryState.empty(); // the state before this run's edits
    private MemoryState ops = MemoryState.empty(); // this run's edits, stamped
    private MemoryState local = MemoryState.empty(); // own joined with ops, then the merged state
    private String stateBefore = "";
    private String stateAfter = "";
    private Snapshot snapshot; // the store as the round reads it; replaced by what the report needs after step 3
    private List<SyncReport.Conflict> conflicts = List.of();
    private List<SyncReport.ClockAnomaly> anomalies = List.of();
    private SyncReport.Publication publication = SyncReport.Publication.NOT_REQUESTED;
    private int attempts;
    private SyncReport.WriteBack writeBack = SyncReport.WriteBack.NOT_REQUESTED;
    private String keptCopy = "";
    private Optional<byte[]> after = Optional.empty();
    private @Nullable Revision ownRevision; // what this run's publication returned

    /** A run; its clock for phase timings starts now (so waiting for the lock counts as {@code lock}). */
    @SuppressWarnings("NullAway.Init") // reading, clock and snapshot are set by read() before any step uses them
    Cycle(Parts parts) {
        this.parts = parts;
        this.settings = parts.settings();
        this.dir = parts.dir();
        this.file = parts.file();
        this.hook = parts.hook();
    }

    /** {@code sync}, {@code backup}, {@code restore}: every step in order, then the success record. */
    SyncReport cycle(Mode mode) {
        phases.end("lock");
        if (mode == Mode.SYNC) {
            Optional<SyncReport> quiet = quiet();
            if (quiet.isPresent()) {
                dir.recordSuccess(now(), mode.name().toLowerCase(Locale.ROOT));
                return quiet.get();
            }
        }
        missingIsEmpty = mode.missingIsEmpty;
        read();
        phases.end("read");
        stamp();
        phases.end("diff");
        mergeVerifyPublish(mode.publish);
        hook.at(StepHook.Step.PUBLISHED);
        writeBack(mode.writeBack);
        SyncReport report = report();
        if (mode == Mode.SYNC) {
            settle(report);
        }
        dir.recordSuccess(now(), mode.name().toLowerCase(Locale.ROOT));
        return report;
    }

    // ---- step 0: stop early when nothing changed since the last sync ------------------------------

    /**
     * The report of a sync with nothing to do, without decoding anything, when the last sync left a
     * {@link Settled} record that still holds: the checkpoint's files, the memory file's bytes and every
     * replica's revision are what it recorded. Otherwise the cycle runs in full (and a failed one changes
     * no file, the record included).
     */
    private Optional<SyncReport> quiet() {
        Optional<Settled> settled = dir.settled();
        if (settled.isEmpty()) {
            return Optional.empty();
        }
        Settled s = settled.get();
        if (!stillSettled(s)) {
            return Optional.empty(); // the record stays: it is checked in full every time, and never holds again
        }
        file.sweep(now().minus(TEMP_FILE_AGE));
        log.debug("{}: nothing changed since the last sync", path());
        return Optional.of(SyncReport.builder(settings.replica()).memoryFile(path()).store(parts.store().description())
                .counts(s.counts()).replicasRead(s.replicasRead()).publication(SyncReport.Publication.ALREADY_CURRENT)
                .publishAttempts(0).writeBack(SyncReport.WriteBack.UNCHANGED)
                .checksums(new SyncReport.Checksums(s.memorySha256(), s.memorySha256(), s.stateSha256(),
                        s.stateSha256()))
                .timings(phases.done()).build());
    }

    /** Whether everything is as {@code s} recorded; cheapest checks first. */
    private boolean stillSettled(Settled s) {
        if (!s.replica().equals(settings.replica()) || !path().equals(s.memoryFile())
                || !parts.store().description().equals(s.store())) {
            return false;
        }
        Optional<String[]> cp = dir.checkpointIdentity();
        if (cp.isEmpty() || !cp.get()[0].equals(s.checkpoint()) || !cp.get()[1].equals(s.journal())) {
            return false;
        }
        Optional<MemoryFileAccess.Digest> digest;
        try {
            digest = file.digest();
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.MEMORY_FILE, file.path(), settings.replica(),
                    "cannot read the memory file: " + e, e);
        }
        phases.end("read");
        if (digest.isEmpty() || digest.get().size() != s.memorySize()
                || !digest.get().sha256().equals(s.memorySha256())) {
            return false;
        }
        boolean same = parts.store().revisions().equals(s.revisions());
        phases.end("storeRead");
        return same;
    }

    /**
     * Records where this sync left everything ({@link Settled}), when a sync right after it would have
     * nothing to do: the file written or unchanged, no warning, no quarantined replica, no clock anomaly;
     * otherwise deletes an older record (it could not hold anyway: belt and braces).
     */
    private void settle(SyncReport report) {
        if (after.isEmpty() || !report.warnings().isEmpty() || !report.quarantined().isEmpty()
                || !anomalies.isEmpty() || (writeBack != SyncReport.WriteBack.WRITTEN
                        && writeBack != SyncReport.WriteBack.UNCHANGED)) {
            dir.unsettle();
            return;
        }
        Optional<String[]> cp = dir.checkpointIdentity();
        if (cp.isEmpty()) {
            dir.unsettle();
            return;
        }
        SortedMap<ReplicaId, Revision> revisions =
                new TreeMap<>();
        snapshot.states().forEach(p -> revisions.put(p.replica(), p.revision()));
        if (ownRevision != null) {
            revisions.put(settings.replica(), ownRevision);
        }
        dir.settle(new Settled(settings.replica(), path(), report.checksums().memoryFileAfter(), after.get().length,
                cp.get()[0], cp.get()[1], report.store(), revisions, local.counts(), stateAfter, snapshot.size()));
    }

    // ---- step 1: read and reconcile ---------------------------------------------------------------

    /**
     * Reads the memory file and the checkpoint ({@link Reading#of}). Unless mass deletion is allowed, a
     * file whose edits would delete most of the memory is read again a few times,
     * {@value #MASS_DELETION_PAUSE_MILLIS} ms apart, before it is refused: a writer that truncates and
     * then writes (MCP servers up to 2026.7.4) may have been caught in the middle.
     *
     * @throws MassDeletionException if every reading deleted most of the memory
     */
    private void read() {
        for (int readings = 1; ; readings++) {
            reading = Reading.of(readContent(), dir, missingIsEmpty, this::stillPending);
            Optional<MassDeletionException> refused = settings.massDeletionAllowed() ? Optional.empty()
                    : reading.refusal(path());
            if (refused.isEmpty()) {
                hook.at(StepHook.Step.READ);
                return;
            }
            if (readings >= MASS_DELETION_READINGS) {
                throw refused.get();
            }
            log.debug("{} looks mass-deleted; reading it again in case a writer was mid-write", path());
            parts.beforeReadingAgain().run();
            try {
                TimeUnit.MILLISECONDS.sleep(MASS_DELETION_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw refused.get();
            }
        }
    }

    // ---- step 2: stamp ----------------------------------------------------------------------------

    /**
     * Stamps the file's edits against the base, joins them into the own state and saves the checkpoint
     * (own state, base := the file as read) before any store step.
     */
    private void stamp() {
        Checkpoint cp = reading.checkpoint();
        own = cp.state();
        stateBefore = dir.sha256(own);
        startClock(own);
        ops = reading.edits(own, clock, this::scratchClock);
        MemoryGraph base = reading.base();
        ops.atoms().forEach((k, r) -> (r.isTombstone() ? deleted : shows(base, k) ? changed : added).add(k));
        local = own.join(ops);
        if (reading.firstRun() || !ops.atoms().isEmpty() || !reading.current().equals(cp.base())
                || cp.pending() != null) {
            dir.save(new Checkpoint(clock.current(), local, reading.current(), null));
            discard(cp.pending()); // no checkpoint names its temporary file any more
        }
        reading = reading.stamped();
        hook.at(StepHook.Step.STAMPED);
    }

    /** Starts the clock past the checkpoint's time and every stamp of {@code known}. */
    private void startClock(MemoryState known) {
        Timestamp saved = reading.checkpoint().clock();
        Timestamp start = known.maxStamp().map(Stamp::timestamp).filter(t -> t.compareTo(saved) > 0).orElse(saved);
        clock = Clock.hybrid(settings.replica(), settings.physicalClock(), start);
    }

    /** A clock from {@code start} whose ticks are thrown away (a diff only counted or compared). */
    private Clock scratchClock(Timestamp start) {
        return Clock.hybrid(settings.replica(), settings.physicalClock(), start);
    }

    // ---- step 3: merge, verify, publish -----------------------------------------------------------

    /**
     * Reads the store, joins, verifies, persists and (if asked) publishes by compare-and-swap; a lost
     * race runs the round again ({@link Publisher}: jittered backoff, at most
     * {@link SyncSettings#publishAttempts()} rounds).
     */
    private void mergeVerifyPublish(boolean publish) {
        Publisher.withRounds(settings.publishAttempts()).publish(settings.replica(), () -> {
            round(publish);
            return publication;
        });
        snapshot = withoutStates(snapshot);
    }

    /**
     * {@code read} without the decoded states (each as large as the merged one): what the report and
     * the {@link Settled} record need of it, every replica's revision and the quarantined ones.
     */
    private static Snapshot withoutStates(Snapshot read) {
        List<PublishedState> light = new ArrayList<>(read.size());
        read.states().forEach(p -> light.add(new PublishedState(p.replica(), p.revision(), MemoryState.empty())));
        return Snapshot.of(light, read.quarantined());
    }

    /** One round of step 3; throws {@link io.github.crdtmemory.store.ConcurrentUpdateException} on a lost race. */
    private void round(boolean publish) {
        ownRevision = null;
        snapshot = parts.store().read();
        phases.end("storeRead");
        MemoryState merged = mergeVerified();
        phases.end("join");
        stateAfter = persistVerified(merged);
        local = merged;
        hook.at(StepHook.Step.MERGED);
        phases.end("persist");
        if (!publish) {
            publication = SyncReport.Publication.NOT_REQUESTED;
            return;
        }
        PublishedState published = snapshot.get(settings.replica()).orElse(null);
        if (published != null && published.state().equals(merged)) {
            publication = SyncReport.Publication.ALREADY_CURRENT;
            return;
        }
        attempts++;
        try {
            ownRevision = parts.store().publish(settings.replica(), merged, snapshot.revision(settings.replica()));
            publication = SyncReport.Publication.PUBLISHED;
        } finally {
            phases.end("publish");
        }
    }

    /** Joins the local state with every replica's, observes the result's clock and verifies the join. */
    private MemoryState mergeVerified() {
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
        conflicts = conflicts(merged);
        return merged;
    }

    /**
     * Persists the merged state with the base and checks the file reads back byte for byte; returns the
     * state's SHA-256. (The codecs' round trip is proven by their own tests, so the bytes are checked
     * here, not decoded again: that halves the cost of this step.)
     */
    private String persistVerified(MemoryState merged) {
        String written = dir.save(new Checkpoint(clock.current(), merged, reading.current(), null));
        if (!dir.holds(written)) {
            throw new VerificationException("the checkpoint read back from " + dir.path()
                    + " differs from the one written (SHA-256 " + written + ")");
        }
        return dir.sha256(merged);
    }

    private List<SyncReport.ClockAnomaly> anomalies(Snapshot read) {
        List<SyncReport.ClockAnomaly> out = new ArrayList<>();
        long now = settings.physicalClock().getAsLong();
        for (PublishedState p : read.states()) {
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
    private List<SyncReport.Conflict> conflicts(MemoryState merged) {
        List<SyncReport.Conflict> out = new ArrayList<>();
        ops.atoms().forEach((k, edit) -> {
            Register known = own.atoms().get(k).orElse(null);
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

    // ---- step 4: write back -----------------------------------------------------------------------

    /**
     * Writes the merged view to the memory file if requested, it is in JSONL and it differs: keeps a
     * copy of the file, records the pending write-back, replaces the file only if it still holds what
     * was read, then saves the new base (the view written, or the file as read when skipped).
     */
    private void writeBack(boolean requested) {
        after = reading.bytes();
        if (!requested) {
            writeBack = SyncReport.WriteBack.NOT_REQUESTED;
        } else if (reading.legacy()) {
            writeBack = SyncReport.WriteBack.SKIPPED_LEGACY_FORMAT;
        } else {
            MemoryGraph view = local.view();
            Optional<byte[]> before = reading.bytes();
            if (before.isPresent() && MemoryFileAccess.encodesTo(view, reading.trailingNewline(), before.get())) {
                writeBack = SyncReport.WriteBack.UNCHANGED; // found without holding a second encoding
            } else {
                byte[] out = file.encode(view, reading.trailingNewline());
                if (before.isPresent() && settings.keptCopies() > 0) {
                    keptCopy = dir.keepCopy(before.get(), now(), settings.keptCopies()).toString();
                }
                MemoryGraph newBase = reading.current();
                String[] recorded = {null};
                if (replace(reading.bytes(), out, view, temp -> {
                    dir.save(new Checkpoint(clock.current(), local, reading.current(),
                            Checkpoint.Pending.of(view, reading.trailingNewline(), out).withFile(temp)));
                    recorded[0] = temp;
                    hook.at(StepHook.Step.PENDING_SAVED);
                })) {
                    hook.at(StepHook.Step.RENAMED);
                    writeBack = SyncReport.WriteBack.WRITTEN;
                    newBase = view;
                    after = Optional.of(out);
                } else {
                    writeBack = SyncReport.WriteBack.SKIPPED_FILE_CHANGED;
                    after = readMemoryFile();
                    log.info("{} changed during the sync; not written back, its edits are merged next time", path());
                }
                dir.save(new Checkpoint(clock.current(), local, newBase, null));
                discard(recorded[0]); // not renamed (else it is gone): no checkpoint records it now
            }
        }
        discard(reading.checkpoint().pending()); // an earlier run's, no longer recorded either
        file.sweep(now().minus(TEMP_FILE_AGE)); // older ones that a crash left before any record
        hook.at(StepHook.Step.DONE);
        phases.end("writeBack");
    }

    /**
     * Replaces the memory file if it still holds {@code expected}; keeps a copy of anything the rename
     * displaced that differs from it (a writer that rewrote the file in place just before the rename),
     * whatever {@link SyncSettings#keptCopies()} says, and notes it for the report. {@code savePending}
     * runs once the new content is on disk in a temporary file, before the comparison, with that file's
     * key: it records the pending write-back, so that the next start can tell whether the rename landed
     * (the memory file is then that file) even when another writer has since rewritten it in place.
     */
    private boolean replace(Optional<byte[]> expected, byte[] out, MemoryGraph view,
                            @Nullable Consumer<String> savePending) {
        try {
            MemoryFile asWritten = new MemoryFile(view, MemoryFile.Format.JSONL,
                    out.length > 0 && out[out.length - 1] == '\n', List.of());
            MemoryFileAccess.Replacement r = file.replaceIfUnchanged(expected, out, asWritten, savePending);
            r.displaced().ifPresent(lost -> {
                Path copy = dir.keepCopy(lost, now(), Math.max(1, settings.keptCopies()));
                log.warn("{} was rewritten by another writer just before the write-back replaced it; its content is"
                        + " kept in {}", path(), copy);
                writeBackNotes.add(path() + " was rewritten by another writer just before the write-back replaced"
                        + " it; that content is kept in " + copy);
            });
            return r.written();
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.MEMORY_FILE, file.path(), settings.replica(),
                    "cannot write the memory file: " + e, e);
        }
    }

    // ---- step 5: report ---------------------------------------------------------------------------

    private SyncReport report() {
        List<String> warnings = new ArrayList<>(reading.parsed() == null ? List.of() : reading.parsed().warnings());
        if (reading.parsed() == null) {
            warnings.add(path() + (missingIsEmpty ? " did not exist; treated as an empty memory" : " did not exist;"
                    + " treated as unchanged since the last sync") + (after.isPresent() ? ", and created" : ""));
        }
        warnings.addAll(writeBackNotes);
        return SyncReport.builder(settings.replica()).memoryFile(path()).store(parts.store().description())
                .counts(local.counts()).added(added).changed(changed).deleted(deleted).replicasRead(snapshot.size())
                .conflicts(conflicts).clockAnomalies(anomalies).publication(publication).publishAttempts(attempts)
                .writeBack(writeBack)
                .checksums(new SyncReport.Checksums(reading.bytes().map(PrivateFiles::sha256).orElse(""),
                        after.map(PrivateFiles::sha256).orElse(""), stateBefore, stateAfter))
                .timings(phases.done()).warnings(warnings).keptCopy(keptCopy).quarantined(snapshot.quarantined())
                .build();
    }

    // ---- edit: steps 1 and 2, the change, its own write -------------------------------------------

    /** See {@link SyncEngine#edit}. */
    MemoryGraph edit(UnaryOperator<MemoryGraph> change) {
        MemoryState stamped = null; // the change, as stamped registers, once it has run
        for (int attempt = 1; ; attempt++) {
            read();
            // a retry joins the change it stamped before instead of trusting the checkpoint to hold it
            // (joining is idempotent, so this costs nothing when it does)
            MemoryState saved = reading.checkpoint().state();
            MemoryState known = stamped == null ? saved : saved.join(stamped);
            startClock(known);
            MemoryState edits = reading.edits(known, clock, this::scratchClock);
            local = known.join(edits);
            if (stamped == null) {
                // once only: applying the change again would see its own effect (a create would report
                // nothing new)
                MemoryGraph view = local.view();
                stamped = local.diff(view, change.apply(view), clock);
                local = local.join(stamped);
            }
            // local is saved ⊔ edits ⊔ stamped on every attempt: the checkpoint's record is just those
            StateDirectory.Growth growth = new StateDirectory.Growth(saved, edits.join(stamped));
            MemoryGraph written = local.view();
            if (writeEdit(written, growth)) {
                return written;
            }
            if (attempt >= settings.publishAttempts()) {
                throw new LocalStateException(LocalStateException.Part.MEMORY_FILE, file.path(), settings.replica(),
                        "the memory file kept changing under a "
                        + "writer that does not take " + dir.path().resolve(StateDirectory.LOCK_FILE)
                        + "; gave up after " + attempt + " attempts", null);
            }
        }
    }

    /** The edit's write: the stamped state and the pending write-back in one save, then the file. */
    private boolean writeEdit(MemoryGraph written, StateDirectory.Growth growth) {
        byte[] out = file.encode(written, reading.trailingNewline());
        Optional<byte[]> before = reading.bytes();
        if (before.isPresent() && Arrays.equals(out, before.get())) {
            dir.save(new Checkpoint(clock.current(), local, reading.current(), null), growth);
            discard(reading.checkpoint().pending());
            hook.at(StepHook.Step.STAMPED);
            hook.at(StepHook.Step.DONE);
            return true;
        }
        String[] recorded = {null};
        if (!replace(reading.bytes(), out, written, temp -> {
            dir.save(new Checkpoint(clock.current(), local, reading.current(),
                    Checkpoint.Pending.of(written, reading.trailingNewline(), out).withFile(temp)), growth);
            recorded[0] = temp;
            discard(reading.checkpoint().pending()); // a retry's or a crashed run's, replaced by this one
            hook.at(StepHook.Step.STAMPED);
            hook.at(StepHook.Step.PENDING_SAVED);
        })) {
            // not renamed, and this process knows it: nothing is pending, the change stays stamped
            dir.save(new Checkpoint(clock.current(), local, reading.current(), null));
            discard(recorded[0]);
            return false;
        }
        hook.at(StepHook.Step.RENAMED);
        dir.save(new Checkpoint(clock.current(), local, written, null));
        hook.at(StepHook.Step.DONE);
        return true;
    }

    // ---- status and overwrite -------------------------------------------------------------------

    /** See {@link SyncEngine#status}: one reading, no lock, no retry, nothing written. */
    SyncStatus status() {
        reading = Reading.of(readContent(), dir, true, this::stillPending);
        Checkpoint cp = reading.checkpoint();
        int edits = reading.edits(cp.state(), scratchClock(cp.clock()), this::scratchClock).size();
        boolean massDeletion = !settings.massDeletionAllowed() && reading.refusal(path()).isPresent();
        snapshot = parts.store().read();
        MemoryState published = snapshot.get(settings.replica()).map(PublishedState::state)
                .orElse(MemoryState.empty());
        int[] unpublished = {0};
        cp.state().atoms().forEach((k, r) -> {
            if (!published.atoms().get(k).map(r::equals).orElse(false)) {
                unpublished[0]++;
            }
        });
        return SyncStatus.builder(settings.replica()).memoryFile(path()).memoryFileExists(reading.bytes().isPresent())
                .stateDir(dir.path().toString()).store(parts.store().description()).lastSync(dir.lastSuccess())
                .counts(cp.state().counts()).localEdits(edits).unpublishedAtoms(unpublished[0])
                .replicasInStore(snapshot.size()).massDeletion(massDeletion).quarantined(snapshot.quarantined())
                .build();
    }

    /** See {@link SyncEngine#writeMemoryFile}. */
    Optional<Path> overwrite(MemoryGraph graph) {
        Optional<byte[]> before = readMemoryFile();
        Optional<Path> copy = Optional.empty();
        if (before.isPresent() && settings.keptCopies() > 0) {
            copy = Optional.of(dir.keepCopy(before.get(), now(), settings.keptCopies()));
        }
        byte[] out = file.encode(graph, before.map(b -> b.length > 0 && b[b.length - 1] == '\n')
                .orElse(true));
        if (!replace(before, out, graph, null)) { // nothing stamped: the next cycle diffs it
            throw new LocalStateException(LocalStateException.Part.MEMORY_FILE, file.path(), settings.replica(),
                    "the memory file changed while it was being replaced; nothing was written, try again", null);
        }
        return copy;
    }

    // ---- shared ---------------------------------------------------------------------------------

    /** The memory file parsed (not read again while this process's last reading or writing stands). */
    private Optional<MemoryFileAccess.Content> readContent() {
        try {
            return file.content();
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.MEMORY_FILE, file.path(), settings.replica(),
                    "cannot read the memory file: " + e, e);
        }
    }

    /** Whether the temporary file {@code name} of a recorded write-back was never renamed. */
    private boolean stillPending(String name) {
        try {
            return file.stillPending(name);
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.MEMORY_FILE, file.path(), settings.replica(),
                    "cannot read the memory file's directory: " + e, e);
        }
    }

    /** Deletes the temporary file of {@code pending} (a name) if it is still there; a failure is only logged. */
    private void discard(Checkpoint.@Nullable Pending pending) {
        discard(pending == null ? null : pending.file());
    }

    private void discard(@Nullable String temp) {
        if (temp == null) {
            return;
        }
        try {
            file.discard(temp);
        } catch (IOException e) {
            log.warn("cannot delete {}'s leftover temporary file {}: {}", path(), temp, e.toString());
        }
    }

    private Optional<byte[]> readMemoryFile() {
        try {
            return file.read();
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.MEMORY_FILE, file.path(), settings.replica(),
                    "cannot read the memory file: " + e, e);
        }
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

    private Instant now() {
        return Instant.ofEpochMilli(settings.physicalClock().getAsLong());
    }

    private String path() {
        return file.path().toString();
    }
}
