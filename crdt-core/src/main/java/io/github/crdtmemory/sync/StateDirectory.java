/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.internal.ProcessFileLock;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.store.CorruptStateException;
import io.github.crdtmemory.store.LocalStateException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync state directory of one memory file ({@code 0700}), and the files of its checkpoint (the
 * bytes are {@link CheckpointCodec}'s):
 * <pre>
 *   sync.lock    the lock file (fcntl lock, see ProcessFileLock); held for a whole sync or edit
 *   checkpoint   the snapshot: own state, base, clock and pending write-back at some point (0600)
 *   journal      the changes since that snapshot, appended one record per save (0600)
 *   last-success the time and kind of the last cycle that completed: {@code <ISO instant> <mode>\n}
 *   copies/      earlier contents of the memory file, one kept before each write-back (0700, files 0600),
 *                named {@code <yyyyMMdd'T'HHmmss.SSS'Z'>-<first 12 hex of SHA-256>.jsonl}
 * </pre>
 * A save appends one record to the journal and forces it to disk ({@code fdatasync}); it rewrites the
 * snapshot instead (atomically: a synced temporary file renamed over it, then a fresh journal the same
 * way) when no record can express the change, when the journal would pass a quarter of the snapshot's
 * size (and {@value #MIN_JOURNAL_BYTES} bytes), and on the first save after a version 1 checkpoint
 * (migration). The snapshot names a random epoch; a journal of another epoch (a crash between the two
 * renames) holds nothing the snapshot lacks and is ignored. A record that does not check out is
 * refused if a valid one follows it, else it is a torn tail (a crash while appending, unacknowledged)
 * and is dropped, then overwritten by the next append.
 *
 * <p>What the files hold is kept in memory with their identity (file key, size, modification time):
 * while that is unchanged (this process wrote them last), {@link #load} reads nothing; records another
 * process appended are read and applied alone. Not thread-safe beyond its own methods: the caller holds
 * the lock for anything that saves.
 */
final class StateDirectory {
    static final String LOCK_FILE = "sync.lock";
    static final String CHECKPOINT_FILE = "checkpoint";
    static final String JOURNAL_FILE = "journal";
    static final String LAST_SUCCESS_FILE = "last-success";
    static final String COPIES_DIR = "copies";
    /** The journal may always grow to this size before the snapshot is rewritten. */
    static final int MIN_JOURNAL_BYTES = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
    private static final java.time.format.DateTimeFormatter COPY_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private final Path dir;
    private final ReplicaId replica;
    private final StepHook hook;
    private final int minJournalBytes;
    private @Nullable Known known; // what the files hold, as last read or written; null: read them
    // the last state digested: one cycle reports the same state's checksum up to twice
    private @Nullable MemoryState shaState;
    private @Nullable String stateSha256;

    /**
     * What the files hold.
     *
     * @param checkpoint the checkpoint they hold
     * @param epoch the snapshot's epoch (null: version 1, not appendable)
     * @param snapshot the snapshot file's identity
     * @param journal the journal file's identity, or null when it must be created before an append
     * @param journalEnd where the next record goes
     * @param snapshotSize the snapshot's size
     * @param last the last write, for {@link #holds}
     */
    private record Known(Checkpoint checkpoint, @Nullable String epoch, FileId snapshot, @Nullable FileId journal,
                         int journalEnd, long snapshotSize, Write last) {
    }

    /**
     * How a saved state grew: it is {@code from.join(added)}, which the caller guarantees by building it
     * so. When {@code from} is the state the files hold, the record carries {@code added} without
     * comparing the two states.
     *
     * @param from the state it grew from
     * @param added what was joined into it
     */
    record Growth(MemoryState from, MemoryState added) {
    }

    /** A write of {@code length} bytes at {@code offset} of {@code file} whose SHA-256 is {@code sha256}. */
    private record Write(@Nullable Path file, long offset, long length, String sha256) {
        static final Write NONE = new Write(null, 0, 0, "");
    }

    StateDirectory(Path dir, ReplicaId replica) {
        this(dir, replica, StepHook.NONE, MIN_JOURNAL_BYTES);
    }

    StateDirectory(Path dir, ReplicaId replica, StepHook hook, int minJournalBytes) {
        this.dir = dir.toAbsolutePath().normalize();
        this.replica = replica;
        this.hook = hook;
        this.minJournalBytes = minJournalBytes;
    }

    Path path() {
        return dir;
    }

    /** Creates the directory if needed and takes its lock. */
    ProcessFileLock lock(Duration timeout) {
        try {
            PrivateFiles.createDirectories(dir);
            return ProcessFileLock.acquire(dir.resolve(LOCK_FILE), timeout);
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.LOCK, dir.resolve(LOCK_FILE), replica,
                    "cannot lock the sync state directory: " + e, e);
        }
    }

    /**
     * Reads the checkpoint (the snapshot and its journal), or empty on a first run. Reads nothing when
     * the files are as this object last saw them, and only the new records when another process
     * appended.
     *
     * @throws CorruptStateException if the snapshot or a journal record does not check out
     */
    synchronized Optional<Checkpoint> load() {
        Path snap = dir.resolve(CHECKPOINT_FILE);
        Path jr = dir.resolve(JOURNAL_FILE);
        try {
            FileId s = FileId.of(snap);
            if (s == null) {
                known = null;
                return Optional.empty();
            }
            FileId j = FileId.of(jr);
            Known k = known;
            if (k != null && s.same(k.snapshot())) {
                if (j == null ? k.journal() == null : j.same(k.journal())) {
                    return Optional.of(k.checkpoint());
                }
                if (k.journal() != null && j != null && j.sameFile(k.journal()) && j.size() > k.journal().size()) {
                    Optional<Checkpoint> appended = appended(k, jr, j);
                    if (appended.isPresent()) {
                        return appended;
                    }
                }
            }
            known = null;
            Known fresh = read(snap, s, jr, j);
            known = fresh;
            return Optional.of(fresh.checkpoint());
        } catch (IOException e) {
            known = null;
            throw new LocalStateException(LocalStateException.Part.STATE, dir, replica,
                    "cannot read the checkpoint in " + dir + ": " + e, e);
        } catch (CheckpointCodec.Malformed e) {
            known = null;
            throw new CorruptStateException(dir.toString(), replica, snap + ": " + e.getMessage(), e);
        }
    }

    /** Applies the records another process appended to a journal this object knows; empty if it cannot. */
    private Optional<Checkpoint> appended(Known k, Path jr, FileId j) throws IOException {
        byte[] bytes = Files.readAllBytes(jr);
        if (bytes.length < k.journalEnd()
                || !CheckpointCodec.journalEpoch(bytes, replica.value()).map(e -> e.equals(k.epoch())).orElse(false)) {
            return Optional.empty();
        }
        CheckpointCodec.Replay r = CheckpointCodec.replay(k.checkpoint(), bytes, k.journalEnd(), dir.resolve(JOURNAL_FILE)
                .toString());
        torn(r);
        known = new Known(r.checkpoint(), k.epoch(), k.snapshot(), j, r.validEnd(), k.snapshotSize(),
                Write.NONE);
        return Optional.of(r.checkpoint());
    }

    /** Reads the snapshot and, for version 2, the journal of its epoch. */
    private Known read(Path snap, FileId s, Path jr, @Nullable FileId j) throws IOException {
        CheckpointCodec.Snapshot d = CheckpointCodec.readSnapshot(snap, snap.toString());
        if (!replica.value().equals(d.owner())) {
            throw new LocalStateException(LocalStateException.Part.STATE, dir, replica,
                    "this sync state directory belongs to replica "
                    + d.owner() + ", not " + replica + "; use one state directory per replica and memory file", null);
        }
        remember(d.checkpoint().state(), d.stateSha256());
        Checkpoint cp = d.checkpoint();
        FileId journal = null;
        int end = 0;
        if (d.epoch() != null && j != null) {
            byte[] jb = Files.readAllBytes(jr);
            if (CheckpointCodec.journalEpoch(jb, replica.value()).map(d.epoch()::equals).orElse(false)) {
                CheckpointCodec.Replay r = CheckpointCodec.replay(cp, jb, CheckpointCodec.recordsStart(jb), jr.toString());
                torn(r);
                cp = r.checkpoint();
                journal = j;
                end = r.validEnd();
            }
        }
        return new Known(cp, d.epoch(), s, journal, end, d.size(), Write.NONE);
    }

    /**
     * The checkpoint last loaded, with {@code graph} as its base when the two are equal (the file as
     * read after a cycle that left it as its base): one graph held instead of two equal ones. The caller
     * loaded first.
     */
    synchronized Checkpoint shareBase(MemoryGraph graph) {
        Known k = known;
        if (k == null) {
            throw new IllegalStateException("load first");
        }
        Checkpoint c = k.checkpoint();
        if (c.base() != graph && c.base().equals(graph)) {
            c = new Checkpoint(c.clock(), c.state(), graph, c.pending());
            known = new Known(c, k.epoch(), k.snapshot(), k.journal(), k.journalEnd(), k.snapshotSize(), k.last());
        }
        return c;
    }

    private void torn(CheckpointCodec.Replay r) {
        if (r.tornBytes() > 0) {
            log.warn("{}: dropped a torn tail of {} bytes after {} records (a crash while appending; that save was"
                    + " never acknowledged)", dir.resolve(JOURNAL_FILE), r.tornBytes(), r.records());
        }
    }

    /**
     * Keeps {@code content} (the memory file before a write-back) as a copy, then deletes the oldest
     * copies beyond {@code keep}. Content equal to the newest copy is not kept twice.
     *
     * @return the copy's path
     */
    Path keepCopy(byte[] content, Instant at, int keep) {
        Path copies = dir.resolve(COPIES_DIR);
        String sha = PrivateFiles.sha256(content).substring(0, 12);
        try {
            PrivateFiles.createDirectories(copies);
            java.util.List<Path> existing = copies(copies);
            if (!existing.isEmpty() && existing.get(existing.size() - 1).getFileName().toString()
                    .endsWith("-" + sha + ".jsonl")) {
                return existing.get(existing.size() - 1);
            }
            Path copy = copies.resolve(COPY_TIME.format(at) + "-" + sha + ".jsonl");
            PrivateFiles.replace(copy, content);
            existing = copies(copies);
            for (int i = 0; i < existing.size() - keep; i++) {
                java.nio.file.Files.deleteIfExists(existing.get(i));
            }
            return copy;
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.STATE, dir, replica,
                    "cannot keep a copy of the memory file in "
                    + copies + ": " + e, e);
        }
    }

    /** The kept copies, oldest first (their names sort by time). */
    static java.util.List<Path> copies(Path copies) throws IOException {
        if (!java.nio.file.Files.isDirectory(copies)) {
            return java.util.List.of();
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(copies)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    /** Records that a cycle of this kind completed at this time (atomically, 0600). */
    void recordSuccess(Instant at, String mode) {
        Path file = dir.resolve(LAST_SUCCESS_FILE);
        try {
            PrivateFiles.replace(file, (at + " " + mode + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.STATE, dir, replica,
                    "cannot write " + file + ": " + e, e);
        }
    }

    /**
     * The identities of the checkpoint's snapshot and journal ({@code ""} for a missing journal), or
     * empty when there is no snapshot or the platform gives no file keys.
     */
    Optional<String[]> checkpointIdentity() {
        try {
            FileId s = FileId.of(dir.resolve(CHECKPOINT_FILE));
            FileId j = FileId.of(dir.resolve(JOURNAL_FILE));
            Optional<String> sd = s == null ? Optional.empty() : s.describe();
            Optional<String> jd = j == null ? Optional.of("") : j.describe();
            return sd.isEmpty() || jd.isEmpty() ? Optional.empty() : Optional.of(new String[] {sd.get(), jd.get()});
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.STATE, dir, replica,
                    "cannot read the checkpoint in " + dir + ": " + e, e);
        }
    }

    /** The record of where the last sync left everything ({@link Settled}), if there is a readable one. */
    Optional<Settled> settled() {
        try {
            return PrivateFiles.readIfExists(dir.resolve(Settled.FILE)).flatMap(Settled::decode);
        } catch (IOException e) {
            return Optional.empty(); // only costs the early stop
        }
    }

    /** Records where a completed sync left everything (atomically, 0600); a failure only costs the early stop. */
    void settle(Settled settled) {
        try {
            PrivateFiles.replace(dir.resolve(Settled.FILE), settled.encode());
        } catch (IOException e) {
            log.warn("cannot write {}: {}; the next sync runs in full", dir.resolve(Settled.FILE), e.toString());
        }
    }

    /** Deletes the record of {@link #settle}, if any: the sync that completed now left nothing to skip. */
    void unsettle() {
        try {
            Files.deleteIfExists(dir.resolve(Settled.FILE));
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.STATE, dir.resolve(Settled.FILE), replica,
                    "cannot delete it: " + e, e);
        }
    }

    /** When the last cycle completed, if one did and the record is readable. */
    Optional<Instant> lastSuccess() {
        try {
            return PrivateFiles.readIfExists(dir.resolve(LAST_SUCCESS_FILE))
                    .map(b -> new String(b, StandardCharsets.UTF_8).strip().split(" ", 2)[0])
                    .map(Instant::parse);
        } catch (IOException | java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The SHA-256 of the canonical encoding of {@code state}, reused while an equal state is asked for
     * again (comparing is far cheaper than encoding; equal states have equal encodings). The encoding
     * goes into the digest as it is made, never held.
     */
    synchronized String sha256(MemoryState state) {
        String known = stateSha256;
        if (known == null || (state != shaState && !state.equals(shaState))) {
            java.security.MessageDigest sha = PrivateFiles.sha256Digest();
            try {
                StateCodec.encode(state, new CheckpointCodec.DigestSink(sha));
            } catch (IOException e) {
                throw new IllegalStateException("digesting cannot fail", e);
            }
            known = java.util.HexFormat.of().formatHex(sha.digest());
            remember(state, known);
        }
        return known;
    }

    private synchronized void remember(MemoryState state, String sha256) {
        shaState = state;
        stateSha256 = sha256;
    }

    /**
     * Whether the checkpoint's files hold exactly the bytes of the write whose SHA-256 {@link #save}
     * returned (the appended record, or the snapshot); true when that save had nothing to write.
     */
    synchronized boolean holds(String writtenSha256) {
        Write w = known == null ? null : known.last();
        if (w == null || !w.sha256().equals(writtenSha256)) {
            return false;
        }
        if (w.file() == null) {
            return true;
        }
        try (FileChannel ch = FileChannel.open(w.file(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            java.security.MessageDigest sha = PrivateFiles.sha256Digest();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(w.length(), 1 << 16));
            for (long at = w.offset(), end = w.offset() + w.length(); at < end; ) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - at));
                int n = ch.read(buf, at);
                if (n < 0) {
                    return false;
                }
                sha.update(buf.array(), 0, n);
                at += n;
            }
            return java.util.HexFormat.of().formatHex(sha.digest()).equals(w.sha256());
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.STATE, dir, replica,
                    "cannot read " + w.file() + ": " + e, e);
        }
    }

    /**
     * Saves {@code c} durably: appends the record that changes what the files hold into it and forces
     * it to disk, or rewrites the snapshot (see the class description). Writes nothing when {@code c}
     * is what the files hold. The caller holds the lock and loaded first.
     *
     * @return the SHA-256 of what was written, for {@link #holds}
     */
    synchronized String save(Checkpoint c) {
        return save(c, null);
    }

    /** As {@link #save(Checkpoint)}, for a state that grew as {@code growth} says (null: unknown). */
    synchronized String save(Checkpoint c, @Nullable Growth growth) {
        Known k = known;
        try {
            if (k != null && k.epoch() != null && k.snapshot().same(FileId.of(dir.resolve(CHECKPOINT_FILE)))) {
                if (same(c, k.checkpoint())) {
                    return k.last().sha256();
                }
                MemoryState added = growth != null && growth.from() == k.checkpoint().state() ? growth.added() : null;
                Optional<byte[]> record = CheckpointCodec.record(k.checkpoint(), c, added);
                if (record.isPresent() && k.journalEnd() + record.get().length
                        <= Math.max(minJournalBytes, k.snapshotSize() / 4)) {
                    return append(k, c, record.get(), !landed(c, k.checkpoint()));
                }
            }
            return writeSnapshot(c);
        } catch (IOException e) {
            known = null;
            throw new LocalStateException(LocalStateException.Part.STATE, dir, replica,
                    "cannot write the checkpoint in " + dir + ": " + e, e);
        } catch (RuntimeException | Error e) {
            known = null; // a failure (or a crash injected by a test) leaves the files to be read again
            throw e;
        }
    }

    private static boolean same(Checkpoint c, Checkpoint k) {
        return c.state() == k.state() && c.base() == k.base() && c.pending() == k.pending()
                && c.clock().equals(k.clock());
    }

    /** Whether {@code c} is {@code disk} with its pending write-back landed and nothing else new. */
    private static boolean landed(Checkpoint c, Checkpoint disk) {
        return disk.pending() != null && c.pending() == null && c.state() == disk.state()
                && c.clock().equals(disk.clock()) && c.base() == disk.pending().view();
    }

    /**
     * Appends {@code record} at the journal's end (over a torn tail) and truncates after it; forces it to
     * disk if {@code force}. A record that only says the pending write-back landed is not forced: other
     * processes see it at once, and losing it in a power cut loses nothing (the pending write-back is
     * recognised in the memory file, as after a crash just after the rename); the next forced append
     * forces it too.
     */
    private String append(Known k, Checkpoint c, byte[] record, boolean force) throws IOException {
        Path jr = dir.resolve(JOURNAL_FILE);
        int at = k.journalEnd();
        if (k.journal() == null) {
            byte[] header = CheckpointCodec.journalHeader(replica.value(), Objects.requireNonNull(k.epoch(), "epoch"));
            PrivateFiles.replace(jr, header);
            at = header.length;
        }
        try (FileChannel ch = FileChannel.open(jr, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(record);
            while (buf.hasRemaining()) {
                ch.write(buf, at + buf.position());
            }
            hook.at(StepHook.Step.JOURNAL_WRITTEN);
            ch.truncate((long) at + record.length);
            if (force) {
                ch.force(false);
            }
        }
        Write w = new Write(jr, at, record.length, PrivateFiles.sha256(record));
        known = new Known(c, k.epoch(), k.snapshot(), FileId.of(jr), at + record.length, k.snapshotSize(), w);
        return w.sha256();
    }

    /** Rewrites the snapshot under a new epoch, then starts its journal; both atomically and durably. */
    private String writeSnapshot(Checkpoint c) throws IOException {
        known = null;
        Path snap = dir.resolve(CHECKPOINT_FILE);
        Path jr = dir.resolve(JOURNAL_FILE);
        String epoch = UUID.randomUUID().toString();
        CheckpointCodec.SnapshotWriter snapshot = CheckpointCodec.snapshot(replica.value(), epoch, c);
        java.security.MessageDigest sha = PrivateFiles.sha256Digest();
        PrivateFiles.replace(snap, out -> {
            CheckpointCodec.DigestSink written = new CheckpointCodec.DigestSink(sha, out);
            snapshot.writeTo(written);
            if (written.count != snapshot.length()) { // the second encoding differs from the first: a bug
                throw new IllegalStateException("the checkpoint's sections encoded to " + written.count
                        + " bytes, not the " + snapshot.length() + " its header says");
            }
        }, PrivateFiles.FILE_MODE, () -> hook.at(StepHook.Step.SNAPSHOT_WRITTEN));
        remember(c.state(), snapshot.stateSha256());
        hook.at(StepHook.Step.SNAPSHOT_RENAMED);
        byte[] header = CheckpointCodec.journalHeader(replica.value(), epoch);
        PrivateFiles.replace(jr, header);
        Write w = new Write(snap, 0, snapshot.length(), java.util.HexFormat.of().formatHex(sha.digest()));
        known = new Known(c, epoch, Objects.requireNonNull(FileId.of(snap), "just written"), FileId.of(jr), header.length, snapshot.length(), w);
        return w.sha256();
    }
}
