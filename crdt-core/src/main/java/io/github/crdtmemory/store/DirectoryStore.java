/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.internal.ProcessFileLock;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.seal.ChunkContext;
import io.github.crdtmemory.seal.ChunkException;
import io.github.crdtmemory.seal.EncryptionException;
import io.github.crdtmemory.seal.Keyring;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ReplicaStore} in a local directory, for one machine or a shared folder. Thread-safe, and
 * safe across processes that open the same directory.
 *
 * <p>Layout: {@code <dir>/replicas/<replica-id>.state} holds each replica's state in
 * {@link StateCodec}'s canonical form, and {@code <dir>/store.lock} is the lock file. A revision is the
 * SHA-256 of the state file, so a snapshot's revision always belongs to the bytes it decoded. A
 * publication takes the lock ({@code fcntl}, see {@code ProcessFileLock}), compares the revision, then
 * replaces the file atomically (temp file, fsync, rename, fsync of the directory) and releases the
 * lock. Reads take no lock: renames are atomic. Files are {@code 0600}, directories {@code 0700}.
 *
 * <p>Because equal content gives an equal revision, a state replaced and then put back looks
 * unchanged; that is harmless here, since the states published over each other are joins that only
 * grow. Temp files left by a killed writer ({@code .*.tmp}) are removed by the next publication, under
 * the lock.
 *
 * <p>A state file that does not decode, or that is larger than the store's limit
 * ({@link StoreOptions#DEFAULT_MAX_STATE_BYTES} unless opened with another), is not read: its replica is
 * {@linkplain Snapshot#quarantined() quarantined} and every other replica is read as usual. Its
 * revision is still the SHA-256 of the file, so the replica itself can publish over it.
 *
 * <p>Opened with a {@link Keyring} (end-to-end encrypted, docs/security.md), each state file is one
 * chunk sealed at position {@code state} ({@link ChunkContext}: replica, format {@value #SEALED_FORMAT},
 * position), so a file copied to another replica's name does not open; an unchanged state is not sealed
 * again (its file stays as it is). A plaintext file is then quarantined, or the store refused when it
 * holds no encrypted file at all; a plaintext store refuses encrypted files. Either refusal is an
 * {@link EncryptionException} and nothing is written.
 */
public final class DirectoryStore implements ReplicaStore {
    private static final Logger log = LoggerFactory.getLogger(DirectoryStore.class);
    private static final String SUFFIX = ".state";

    private final Path dir;
    private final Path replicas;
    private final Path lockFile;
    private final Duration lockTimeout;
    private final long maxStateBytes;
    private final String description;
    private volatile boolean closed;
    /** The format version bound into a sealed state file's associated data. */
    static final int SEALED_FORMAT = 1;
    private static final String PLAINTEXT = "its state file is not encrypted, in a store this key file encrypts";
    private static final String UNKNOWN_KEY = "its state file is sealed with a key this key file does not hold";
    private final @Nullable Keyring keyring; // null: a plaintext store

    private DirectoryStore(Path dir, Duration lockTimeout, long maxStateBytes, @Nullable Keyring keyring) {
        this.keyring = keyring;
        this.dir = dir;
        this.replicas = dir.resolve("replicas");
        this.lockFile = dir.resolve("store.lock");
        this.lockTimeout = lockTimeout;
        this.maxStateBytes = maxStateBytes;
        this.description = "file:" + dir;
    }

    /**
     * Opens the store in {@code dir}, creating the directory ({@code 0700}) if it does not exist.
     *
     * @param dir the store's directory
     * @param lockTimeout the longest wait for another writer's lock
     * @return the store
     * @throws StoreAccessException if the directory cannot be created
     */
    public static DirectoryStore open(Path dir, Duration lockTimeout) {
        return open(dir, lockTimeout, StoreOptions.DEFAULT_MAX_STATE_BYTES);
    }

    /**
     * Opens the store in {@code dir}, creating the directory ({@code 0700}) if it does not exist; a state
     * file larger than {@code maxStateBytes} is quarantined, not read.
     *
     * @param dir the store's directory
     * @param lockTimeout the longest wait for another writer's lock
     * @param maxStateBytes the largest state file read, at least 1
     * @return the store
     * @throws StoreAccessException if the directory cannot be created
     * @throws IllegalArgumentException if {@code maxStateBytes} is not positive
     */
    public static DirectoryStore open(Path dir, Duration lockTimeout, long maxStateBytes) {
        return open(dir, lockTimeout, maxStateBytes, null);
    }

    /**
     * Opens the store in {@code dir} as {@link #open(Path, Duration, long)}, end-to-end encrypted with
     * {@code keyring} (null: plaintext).
     *
     * @param dir the store's directory
     * @param lockTimeout the longest wait for another writer's lock
     * @param maxStateBytes the largest state file read, at least 1
     * @param keyring the keys, or null
     * @return the store
     * @throws StoreAccessException if the directory cannot be created
     * @throws IllegalArgumentException if {@code maxStateBytes} is not positive
     */
    public static DirectoryStore open(Path dir, Duration lockTimeout, long maxStateBytes,
            @Nullable Keyring keyring) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        if (maxStateBytes < 1) {
            throw new IllegalArgumentException("maxStateBytes must be positive: " + maxStateBytes);
        }
        Path abs = dir.toAbsolutePath().normalize();
        DirectoryStore store = new DirectoryStore(abs, lockTimeout, maxStateBytes, keyring);
        try {
            PrivateFiles.createDirectories(store.replicas);
        } catch (IOException e) {
            throw new StoreAccessException(store.description, null, "cannot create the store directory: " + e, e);
        }
        return store;
    }

    /**
     * Returns the store's directory.
     *
     * @return the absolute directory
     */
    public Path directory() {
        return dir;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Snapshot read() {
        checkOpen();
        List<PublishedState> states = new ArrayList<>();
        List<Quarantine> quarantined = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(replicas, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String id = name.substring(0, name.length() - SUFFIX.length());
                if (!ReplicaId.isValid(id)) {
                    log.warn("ignoring {}: not a replica state file", file);
                    continue;
                }
                ReplicaId replica = ReplicaId.of(id);
                Optional<byte[]> bytes = oversized(file) ? Optional.empty() : PrivateFiles.readIfExists(file);
                if (bytes.isPresent() && bytes.get().length <= maxStateBytes) {
                    read(replica, file, bytes.get(), states, quarantined);
                } else if (Files.exists(file)) {
                    quarantined.add(new Quarantine(replica, streamedRevision(file), "its state file is "
                            + Files.size(file) + " bytes, over the limit of " + maxStateBytes + " bytes"));
                }
            }
        } catch (IOException e) {
            throw new StoreAccessException(description, null, "cannot read: " + e, e);
        }
        refuseWrongKeys(states, quarantined);
        quarantined.forEach(q -> log.warn("{}: replica {} quarantined: {}", description, q.replica(), q.reason()));
        return Snapshot.of(states, quarantined);
    }

    /**
     * Every replica's revision (the SHA-256 of its state file, hashed in chunks), without decoding a
     * state; the store's mode and key are checked as {@link #read()} checks them, by the key id each
     * file names ({@link EncryptionException}).
     */
    @Override
    public java.util.SortedMap<ReplicaId, Revision> revisions() {
        checkOpen();
        java.util.SortedMap<ReplicaId, Revision> out = new java.util.TreeMap<>();
        Map<ReplicaId, byte[]> heads = new java.util.TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(replicas, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String id = name.substring(0, name.length() - SUFFIX.length());
                if (ReplicaId.isValid(id)) {
                    try {
                        heads.put(ReplicaId.of(id), head(file));
                        out.put(ReplicaId.of(id), streamedRevision(file));
                    } catch (NoSuchFileException e) {
                        heads.remove(ReplicaId.of(id)); // removed meanwhile: not there
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreAccessException(description, null, "cannot read: " + e, e);
        }
        checkModes(heads);
        return out;
    }

    /** The first bytes of {@code file}: enough for {@link Keyring#keyIdOf}. */
    private static byte[] head(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes(64);
        }
    }

    /**
     * What {@link #revisions()} checks, reading no state, as {@link #read()} refuses it: a sealed file
     * without a keyring is {@code KEY_REQUIRED}; with one, sealed files under none of its keys are
     * {@code WRONG_KEY} and plaintext files alone {@code MODE_MISMATCH} (by the key id each file names).
     */
    private void checkModes(Map<ReplicaId, byte[]> heads) {
        Keyring keys = keyring;
        boolean known = false;
        ReplicaId unknown = null;
        ReplicaId plain = null;
        for (Map.Entry<ReplicaId, byte[]> e : heads.entrySet()) {
            String keyId = Keyring.keyIdOf(e.getValue());
            if (keys == null) {
                if (keyId != null) {
                    throw keyRequired(e.getKey());
                }
            } else if (keyId == null) {
                plain = plain == null ? e.getKey() : plain;
            } else if (keys.keyIds().contains(keyId)) {
                known = true;
            } else {
                unknown = unknown == null ? e.getKey() : unknown;
            }
        }
        if (keys == null || known) {
            return;
        }
        if (unknown != null) {
            throw new EncryptionException(description, unknown, EncryptionException.Kind.WRONG_KEY, "replica "
                    + unknown + ": " + UNKNOWN_KEY + " (it holds " + keys.keyIds() + "): a wrong or outdated key"
                    + " file (nothing was written)");
        }
        if (plain != null) {
            throw new EncryptionException(description, plain, EncryptionException.Kind.MODE_MISMATCH, "the store"
                    + " holds plaintext states and no encrypted one: it is not an encrypted store; use it without a"
                    + " key file, or a new store (nothing was written)");
        }
    }

    private EncryptionException keyRequired(ReplicaId replica) {
        return new EncryptionException(description, replica, EncryptionException.Kind.KEY_REQUIRED, "replica "
                + replica + "'s state is encrypted: give the store's key file (--key-file or"
                + " MEMORY_BACKUP_KEY_FILE); nothing was written");
    }

    private boolean oversized(Path file) throws IOException {
        try {
            return Files.size(file) > maxStateBytes;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public Revision publish(ReplicaId replica, MemoryState state, Revision expected) {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(expected, "expected");
        checkOpen();
        byte[] plain = StateCodec.encode(state);
        byte[] bytes = plain;
        Path file = replicas.resolve(replica.value() + SUFFIX);
        try (ProcessFileLock lock = ProcessFileLock.acquire(lockFile, lockTimeout)) {
            removeStaleTemps();
            Optional<byte[]> current = PrivateFiles.readIfExists(file);
            Revision actual = current.map(DirectoryStore::revisionOf).orElse(Revision.NONE);
            if (!actual.equals(expected)) {
                throw new ConcurrentUpdateException(description, replica, expected, actual);
            }
            if (current.isPresent() && (Keyring.keyIdOf(current.get()) != null) != (keyring != null)) {
                throw new EncryptionException(description, replica, EncryptionException.Kind.MODE_MISMATCH, "replica "
                        + replica + "'s state file is " + (keyring != null ? "plaintext: an encrypted" : "encrypted: a"
                        + " plaintext") + " publication over it is refused; nothing was written");
            }
            Keyring keys = keyring;
            if (keys != null) {
                if (current.isPresent() && unchanged(keys, replica, current.get(), plain)) {
                    return actual;
                }
                bytes = keys.seal(plain, new ChunkContext(replica, SEALED_FORMAT, "state"));
            }
            PrivateFiles.replace(file, bytes);
            Revision next = revisionOf(bytes);
            log.debug("published {} in {} at revision {}", replica, description, next);
            return next;
        } catch (IOException e) {
            throw new StoreAccessException(description, replica, "cannot publish: " + e, e);
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private void removeStaleTemps() throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(replicas, ".*" + PrivateFiles.TEMP_SUFFIX)) {
            for (Path temp : temps) {
                log.warn("removing {}, left by an interrupted publication", temp);
                try {
                    Files.deleteIfExists(temp);
                } catch (NoSuchFileException e) {
                    // already gone
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Whether {@code current} is sealed under the current key and opens to {@code plain}. */
    private static boolean unchanged(Keyring keys, ReplicaId replica, byte[] current, byte[] plain) {
        try {
            return keys.currentKeyId().equals(Keyring.keyIdOf(current)) && java.util.Arrays.equals(plain,
                    keys.open(current, new ChunkContext(replica, SEALED_FORMAT, "state")));
        } catch (ChunkException e) {
            return false;
        }
    }

    /** Decodes one state into {@code states}, or quarantines its replica when it does not decode. */
    private void read(ReplicaId replica, Path file, byte[] bytes, List<PublishedState> states,
                      List<Quarantine> quarantined) {
        boolean sealed = Keyring.keyIdOf(bytes) != null;
        Keyring keys = keyring;
        if (sealed && keys == null) {
            throw keyRequired(replica);
        }
        if (!sealed && keys != null) {
            quarantined.add(new Quarantine(replica, revisionOf(bytes), PLAINTEXT));
            return;
        }
        try {
            byte[] plain = keys != null ? keys.open(bytes, new ChunkContext(replica, SEALED_FORMAT, "state")) : bytes;
            states.add(new PublishedState(replica, revisionOf(bytes), StateCodec.decode(plain, file.toString())));
        } catch (MemoryFormatException e) {
            quarantined.add(new Quarantine(replica, revisionOf(bytes), "unreadable state: " + e.getMessage()));
        } catch (ChunkException e) {
            quarantined.add(new Quarantine(replica, revisionOf(bytes), e.reason() == ChunkException.Reason.UNKNOWN_KEY
                    ? UNKNOWN_KEY + " (" + e.keyId() + "; it holds " + keys.keyIds() + ")"
                    : Objects.toString(e.getMessage(), "the chunk does not open")));
        }
    }

    /**
     * With a keyring and no state read: every encrypted file under an unknown key is a wrong key file,
     * and plaintext files only make a plaintext store. Either is refused as a whole.
     */
    private void refuseWrongKeys(List<PublishedState> states, List<Quarantine> quarantined) {
        if (keyring == null || !states.isEmpty()) {
            return;
        }
        for (Quarantine q : quarantined) {
            if (q.reason().startsWith(UNKNOWN_KEY)) {
                throw new EncryptionException(description, q.replica(), EncryptionException.Kind.WRONG_KEY, "replica "
                        + q.replica() + ": " + q.reason() + ": a wrong or outdated key file (nothing was written)");
            }
        }
        if (!quarantined.isEmpty() && quarantined.stream().allMatch(q -> q.reason().startsWith(PLAINTEXT))) {
            throw new EncryptionException(description, quarantined.get(0).replica(),
                    EncryptionException.Kind.MODE_MISMATCH, "the store holds plaintext states and no encrypted one:"
                    + " it is not an encrypted store; use it without a key file, or a new store (nothing was written)");
        }
    }

    private static Revision revisionOf(byte[] bytes) {
        return Revision.of(PrivateFiles.sha256(bytes));
    }

    /** The revision of a file too large to hold in memory: its SHA-256, read in chunks. */
    private static Revision streamedRevision(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] chunk = new byte[64 * 1024];
            for (int n = in.read(chunk); n > 0; n = in.read(chunk)) {
                sha.update(chunk, 0, n);
            }
            return Revision.of(java.util.HexFormat.of().formatHex(sha.digest()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(description + " is closed");
        }
    }

    @Override
    public String toString() {
        return "DirectoryStore[" + description + "]";
    }
}
