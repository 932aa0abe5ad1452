/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.ReplicaId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link SyncEngine} syncs and how patiently. Immutable; the {@code with...} methods return
 * copies. Create one with {@link #of(Path, Path, ReplicaId)}.
 *
 * <p>Compatibility: this is a final class rather than a record so that settings can be added without
 * breaking callers. New settings are only ever added (with a default and a {@code with...} method);
 * existing accessors and {@code with...} methods keep their names and meaning.
 *
 * <p>The settings, with their accessors:
 * <ul>
 * <li>{@link #memoryFile()}: the MCP server's memory file (JSONL); it may not exist yet
 * <li>{@link #stateDir()}: the sync state directory of this memory file and replica (created
 *     {@code 0700}); never share one between two memory files
 * <li>{@link #replica()}: the replica this machine writes as
 * <li>{@link #lockTimeout()}: the longest wait for the state directory's lock (default 30 s)
 * <li>{@link #publishAttempts()}: how many times a publication is tried when other writers win the
 *     compare-and-swap (default 8), with jittered exponential backoff between tries
 * <li>{@link #maxClockSkew()}: how far ahead of local time a remote stamp may be before it is reported
 *     as a clock anomaly (default 5 minutes); such stamps are still merged
 * <li>{@link #physicalClock()}: physical time in milliseconds since the epoch, read by the hybrid clock
 * <li>{@link #keptCopies()}: how many earlier contents of the memory file are kept in the state
 *     directory, one before each write-back (default 20; 0 keeps none of those; content another writer
 *     wrote in place just before a write-back replaced it is kept whatever this says)
 * <li>{@link #massDeletionAllowed()}: whether a cycle may stamp a mass deletion read from the memory
 *     file (default false: such a cycle stops with {@link MassDeletionException}, see there)
 * </ul>
 */
public final class SyncSettings {
    /** Default {@link #lockTimeout()}: 30 seconds. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link #publishAttempts()}: 8. */
    public static final int DEFAULT_PUBLISH_ATTEMPTS = 8;
    /** Default {@link #keptCopies()}: 20. */
    public static final int DEFAULT_KEPT_COPIES = 20;
    /** Default {@link #maxClockSkew()}: 5 minutes. */
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private final Path memoryFile;
    private final Path stateDir;
    private final ReplicaId replica;
    private final Duration lockTimeout;
    private final int publishAttempts;
    private final Duration maxClockSkew;
    private final LongSupplier physicalClock;
    private final int keptCopies;
    private final boolean massDeletionAllowed;

    private SyncSettings(Values v) {
        this.memoryFile = Objects.requireNonNull(v.memoryFile, "memoryFile");
        this.stateDir = Objects.requireNonNull(v.stateDir, "stateDir");
        this.replica = Objects.requireNonNull(v.replica, "replica");
        this.lockTimeout = Objects.requireNonNull(v.lockTimeout, "lockTimeout");
        this.maxClockSkew = Objects.requireNonNull(v.maxClockSkew, "maxClockSkew");
        this.physicalClock = Objects.requireNonNull(v.physicalClock, "physicalClock");
        if (lockTimeout.isNegative() || maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        if (v.keptCopies < 0) {
            throw new IllegalArgumentException("keptCopies must not be negative: " + v.keptCopies);
        }
        if (v.publishAttempts < 1) {
            throw new IllegalArgumentException("publishAttempts must be at least 1: " + v.publishAttempts);
        }
        this.publishAttempts = v.publishAttempts;
        this.keptCopies = v.keptCopies;
        this.massDeletionAllowed = v.massDeletionAllowed;
    }

    /**
     * Returns settings with the defaults and the system clock.
     *
     * @param memoryFile the memory file
     * @param stateDir its sync state directory
     * @param replica the local replica
     * @return the settings
     * @throws NullPointerException if an argument is null
     */
    public static SyncSettings of(Path memoryFile, Path stateDir, ReplicaId replica) {
        Values v = new Values();
        v.memoryFile = memoryFile;
        v.stateDir = stateDir;
        v.replica = replica;
        return new SyncSettings(v);
    }

    /**
     * Returns the memory file.
     *
     * @return the MCP server's memory file; it may not exist yet
     */
    public Path memoryFile() {
        return memoryFile;
    }

    /**
     * Returns the sync state directory.
     *
     * @return the state directory of this memory file and replica
     */
    public Path stateDir() {
        return stateDir;
    }

    /**
     * Returns the local replica.
     *
     * @return the replica this machine writes as
     */
    public ReplicaId replica() {
        return replica;
    }

    /**
     * Returns the longest wait for the state directory's lock.
     *
     * @return the lock timeout, not negative
     */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    /**
     * Returns how many times a publication is tried.
     *
     * @return at least 1
     */
    public int publishAttempts() {
        return publishAttempts;
    }

    /**
     * Returns how far ahead of local time a remote stamp may be before it is reported.
     *
     * @return the skew threshold, not negative
     */
    public Duration maxClockSkew() {
        return maxClockSkew;
    }

    /**
     * Returns the physical clock the hybrid clock reads.
     *
     * @return milliseconds since the epoch
     */
    public LongSupplier physicalClock() {
        return physicalClock;
    }

    /**
     * Returns how many earlier contents of the memory file are kept.
     *
     * @return at least 0
     */
    public int keptCopies() {
        return keptCopies;
    }

    /**
     * Returns whether a cycle may stamp a mass deletion read from the memory file.
     *
     * @return true if it may
     */
    public boolean massDeletionAllowed() {
        return massDeletionAllowed;
    }

    /**
     * Returns a copy with another lock timeout.
     *
     * @param timeout the longest wait for the state directory's lock
     * @return the settings
     */
    public SyncSettings withLockTimeout(Duration timeout) {
        return with(v -> v.lockTimeout = timeout);
    }

    /**
     * Returns a copy with another bound on publication attempts.
     *
     * @param attempts at least 1
     * @return the settings
     */
    public SyncSettings withPublishAttempts(int attempts) {
        return with(v -> v.publishAttempts = attempts);
    }

    /**
     * Returns a copy with another clock-skew threshold.
     *
     * @param skew how far ahead a remote stamp may be before it is reported
     * @return the settings
     */
    public SyncSettings withMaxClockSkew(Duration skew) {
        return with(v -> v.maxClockSkew = skew);
    }

    /**
     * Returns a copy reading physical time from {@code clock}, for tests and simulations.
     *
     * @param clock milliseconds since the epoch
     * @return the settings
     */
    public SyncSettings withPhysicalClock(LongSupplier clock) {
        return with(v -> v.physicalClock = clock);
    }

    /**
     * Returns a copy keeping another number of earlier memory-file contents.
     *
     * @param copies at least 0
     * @return the settings
     */
    public SyncSettings withKeptCopies(int copies) {
        return with(v -> v.keptCopies = copies);
    }

    /**
     * Returns a copy that lets (or, with false, stops) a cycle stamping a mass deletion read from the
     * memory file: for the run that really means it, after {@link MassDeletionException}.
     *
     * @param allowed whether a mass deletion is stamped
     * @return the settings
     */
    public SyncSettings withMassDeletionAllowed(boolean allowed) {
        return with(v -> v.massDeletionAllowed = allowed);
    }

    /**
     * The conventional sync state directory of a memory file and replica under a root, shared by the
     * {@code memory-backup} command and the MCP server so that both take turns on one state:
     * {@code <root>/files/<replica>-<first 16 hex of SHA-256 of the file's absolute path>}.
     *
     * @param root the state root (by default {@code ~/.local/state/memory-backup})
     * @param replica the replica
     * @param memoryFile the memory file
     * @return the directory
     */
    public static Path stateDirOf(Path root, ReplicaId replica, Path memoryFile) {
        String path = memoryFile.toAbsolutePath().normalize().toString();
        String key = io.github.crdtmemory.internal.PrivateFiles.sha256(
                path.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
        return root.resolve("files").resolve(replica.value() + "-" + key);
    }

    private SyncSettings with(Consumer<Values> change) {
        Values v = new Values();
        v.memoryFile = memoryFile;
        v.stateDir = stateDir;
        v.replica = replica;
        v.lockTimeout = lockTimeout;
        v.publishAttempts = publishAttempts;
        v.maxClockSkew = maxClockSkew;
        v.physicalClock = physicalClock;
        v.keptCopies = keptCopies;
        v.massDeletionAllowed = massDeletionAllowed;
        change.accept(v);
        return new SyncSettings(v);
    }

    private List<Object> components() {
        return Arrays.asList(memoryFile, stateDir, replica, lockTimeout, publishAttempts, maxClockSkew, physicalClock,
                keptCopies, massDeletionAllowed);
    }

    /**
     * Settings are equal when every setting is (the physical clock by identity).
     *
     * @param o the other object
     * @return whether it holds the same settings
     */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof SyncSettings other && components().equals(other.components());
    }

    @Override
    public int hashCode() {
        return components().hashCode();
    }

    @Override
    public String toString() {
        return "SyncSettings[memoryFile=" + memoryFile + ", stateDir=" + stateDir + ", replica=" + replica
                + ", lockTimeout=" + lockTimeout + ", publishAttempts=" + publishAttempts + ", maxClockSkew="
                + maxClockSkew + ", keptCopies=" + keptCopies + ", massDeletionAllowed=" + massDeletionAllowed + "]";
    }

    /** The settings while a copy is made; the constructor validates them. */
    private static final class Values {
        private @Nullable Path memoryFile;
        private @Nullable Path stateDir;
        private @Nullable ReplicaId replica;
        private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
        private int publishAttempts = DEFAULT_PUBLISH_ATTEMPTS;
        private Duration maxClockSkew = DEFAULT_MAX_CLOCK_SKEW;
        private LongSupplier physicalClock = System::currentTimeMillis;
        private int keptCopies = DEFAULT_KEPT_COPIES;
        private boolean massDeletionAllowed;
    }
}
