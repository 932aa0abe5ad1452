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
 */
public final class DirectoryStore implements ReplicaStore {
    private static final Logger log = LoggerFactory.getLogger(DirectoryStore.class);
    private static final String SUFFIX = ".state";

    private final Path dir;
    private final Path replicas;
    private final Path lockFile;
    private final Duration lockTimeout;
    private final String description;
    private volatile boolean closed;

    private DirectoryStore(Path dir, Duration lockTimeout) {
        this.dir = dir;
        this.replicas = dir.resolve("replicas");
        this.lockFile = dir.resolve("store.lock");
        this.lockTimeout = lockTimeout;
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
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        Path abs = dir.toAbsolutePath().normalize();
        DirectoryStore store = new DirectoryStore(abs, lockTimeout);
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
        try (DirectoryStream<Path> files = Files.newDirectoryStream(replicas, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String id = name.substring(0, name.length() - SUFFIX.length());
                if (!ReplicaId.isValid(id)) {
                    log.warn("ignoring {}: not a replica state file", file);
                    continue;
                }
                ReplicaId replica = ReplicaId.of(id);
                Optional<byte[]> bytes = PrivateFiles.readIfExists(file);
                if (bytes.isPresent()) {
                    states.add(new PublishedState(replica, revisionOf(bytes.get()), decode(replica, file, bytes.get())));
                }
            }
        } catch (IOException e) {
            throw new StoreAccessException(description, null, "cannot read: " + e, e);
        }
        return Snapshot.of(states);
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

    private MemoryState decode(ReplicaId replica, Path file, byte[] bytes) {
        try {
            return StateCodec.decode(bytes, file.toString());
        } catch (MemoryFormatException e) {
            throw new CorruptStateException(description, replica, "unreadable state of replica " + replica
                    + ": " + e.getMessage(), e);
        }
    }

    private static Revision revisionOf(byte[] bytes) {
        return Revision.of(PrivateFiles.sha256(bytes));
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
