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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private DirectoryStore(Path dir, Duration lockTimeout, long maxStateBytes) {
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
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        if (maxStateBytes < 1) {
            throw new IllegalArgumentException("maxStateBytes must be positive: " + maxStateBytes);
        }
        Path abs = dir.toAbsolutePath().normalize();
        DirectoryStore store = new DirectoryStore(abs, lockTimeout, maxStateBytes);
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
        quarantined.forEach(q -> log.warn("{}: replica {} quarantined: {}", description, q.replica(), q.reason()));
        return Snapshot.of(states, quarantined);
    }

    /** Every replica's revision (the SHA-256 of its state file, hashed in chunks), without decoding a state. */
    @Override
    public java.util.SortedMap<ReplicaId, Revision> revisions() {
        checkOpen();
        java.util.SortedMap<ReplicaId, Revision> out = new java.util.TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(replicas, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String id = name.substring(0, name.length() - SUFFIX.length());
                if (ReplicaId.isValid(id)) {
                    try {
                        out.put(ReplicaId.of(id), streamedRevision(file));
                    } catch (NoSuchFileException e) {
                        // removed meanwhile: not there
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreAccessException(description, null, "cannot read: " + e, e);
        }
        return out;
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
        byte[] bytes = StateCodec.encode(state);
        Path file = replicas.resolve(replica.value() + SUFFIX);
        try (ProcessFileLock lock = ProcessFileLock.acquire(lockFile, lockTimeout)) {
            removeStaleTemps();
            Optional<byte[]> current = PrivateFiles.readIfExists(file);
            Revision actual = current.map(DirectoryStore::revisionOf).orElse(Revision.NONE);
            if (!actual.equals(expected)) {
                throw new ConcurrentUpdateException(description, replica, expected, actual);
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

    /** Decodes one state into {@code states}, or quarantines its replica when it does not decode. */
    private static void read(ReplicaId replica, Path file, byte[] bytes, List<PublishedState> states,
                             List<Quarantine> quarantined) {
        try {
            states.add(new PublishedState(replica, revisionOf(bytes), StateCodec.decode(bytes, file.toString())));
        } catch (MemoryFormatException e) {
            quarantined.add(new Quarantine(replica, revisionOf(bytes), "unreadable state: " + e.getMessage()));
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
