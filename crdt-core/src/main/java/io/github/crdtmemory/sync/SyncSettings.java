/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.ReplicaId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What a {@link SyncEngine} syncs and how patiently. Immutable; the {@code with...} methods return
 * copies.
 *
 * @param memoryFile the MCP server's memory file (JSONL); it may not exist yet
 * @param stateDir the sync state directory of this memory file and replica (created {@code 0700});
 *     never share one between two memory files
 * @param replica the replica this machine writes as
 * @param lockTimeout the longest wait for the state directory's lock (default 30 s)
 * @param publishAttempts how many times a publication is tried when other writers win the
 *     compare-and-swap (default 8), with jittered exponential backoff between tries
 * @param maxClockSkew how far ahead of local time a remote stamp may be before it is reported as a
 *     clock anomaly (default 5 minutes); such stamps are still merged
 * @param physicalClock physical time in milliseconds since the epoch, read by the hybrid clock
 * @param keptCopies how many earlier contents of the memory file are kept in the state directory, one
 *     before each write-back (default 20; 0 keeps none of those; content another writer wrote in place
 *     just before a write-back replaced it is kept whatever this says)
 * @param massDeletionAllowed whether a cycle may stamp a mass deletion read from the memory file
 *     (default false: such a cycle stops with {@link MassDeletionException}, see there)
 */
public record SyncSettings(Path memoryFile, Path stateDir, ReplicaId replica, Duration lockTimeout,
                           int publishAttempts, Duration maxClockSkew, LongSupplier physicalClock,
                           int keptCopies, boolean massDeletionAllowed) {
    /** Default {@link #lockTimeout()}: 30 seconds. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link #publishAttempts()}: 8. */
    public static final int DEFAULT_PUBLISH_ATTEMPTS = 8;
    /** Default {@link #keptCopies()}: 20. */
    public static final int DEFAULT_KEPT_COPIES = 20;
    /** Default {@link #maxClockSkew()}: 5 minutes. */
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if a duration is negative, {@code publishAttempts < 1} or
     *     {@code keptCopies < 0}
     */
    public SyncSettings {
        Objects.requireNonNull(memoryFile, "memoryFile");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        Objects.requireNonNull(physicalClock, "physicalClock");
        if (lockTimeout.isNegative() || maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        if (keptCopies < 0) {
            throw new IllegalArgumentException("keptCopies must not be negative: " + keptCopies);
        }
        if (publishAttempts < 1) {
            throw new IllegalArgumentException("publishAttempts must be at least 1: " + publishAttempts);
        }
    }

    /**
     * Returns settings with the defaults and the system clock.
     *
     * @param memoryFile the memory file
     * @param stateDir its sync state directory
     * @param replica the local replica
     * @return the settings
     */
    public static SyncSettings of(Path memoryFile, Path stateDir, ReplicaId replica) {
        return new SyncSettings(memoryFile, stateDir, replica, DEFAULT_LOCK_TIMEOUT, DEFAULT_PUBLISH_ATTEMPTS,
                DEFAULT_MAX_CLOCK_SKEW, System::currentTimeMillis, DEFAULT_KEPT_COPIES, false);
    }

    /**
     * Returns a copy with another lock timeout.
     *
     * @param timeout the longest wait for the state directory's lock
     * @return the settings
     */
    public SyncSettings withLockTimeout(Duration timeout) {
        return new SyncSettings(memoryFile, stateDir, replica, timeout, publishAttempts, maxClockSkew, physicalClock,
                keptCopies, massDeletionAllowed);
    }

    /**
     * Returns a copy with another bound on publication attempts.
     *
     * @param attempts at least 1
     * @return the settings
     */
    public SyncSettings withPublishAttempts(int attempts) {
        return new SyncSettings(memoryFile, stateDir, replica, lockTimeout, attempts, maxClockSkew, physicalClock,
                keptCopies, massDeletionAllowed);
    }

    /**
     * Returns a copy with another clock-skew threshold.
     *
     * @param skew how far ahead a remote stamp may be before it is reported
     * @return the settings
     */
    public SyncSettings withMaxClockSkew(Duration skew) {
        return new SyncSettings(memoryFile, stateDir, replica, lockTimeout, publishAttempts, skew, physicalClock,
                keptCopies, massDeletionAllowed);
    }

    /**
     * Returns a copy reading physical time from {@code clock}, for tests and simulations.
     *
     * @param clock milliseconds since the epoch
     * @return the settings
     */
    public SyncSettings withPhysicalClock(LongSupplier clock) {
        return new SyncSettings(memoryFile, stateDir, replica, lockTimeout, publishAttempts, maxClockSkew, clock,
                keptCopies, massDeletionAllowed);
    }

    /**
     * Returns a copy keeping another number of earlier memory-file contents.
     *
     * @param copies at least 0
     * @return the settings
     */
    public SyncSettings withKeptCopies(int copies) {
        return new SyncSettings(memoryFile, stateDir, replica, lockTimeout, publishAttempts, maxClockSkew, physicalClock,
                copies, massDeletionAllowed);
    }

    /**
     * Returns a copy that lets (or, with false, stops) a cycle stamping a mass deletion read from the
     * memory file: for the run that really means it, after {@link MassDeletionException}.
     *
     * @param allowed whether a mass deletion is stamped
     * @return the settings
     */
    public SyncSettings withMassDeletionAllowed(boolean allowed) {
        return new SyncSettings(memoryFile, stateDir, replica, lockTimeout, publishAttempts, maxClockSkew, physicalClock,
                keptCopies, allowed);
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
}
