/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.seal.Keyring;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings a {@link StoreProvider} receives when opening a store from a URI. Immutable; the
 * {@code with...} methods return copies. Create one with {@link #of(Path)}. Options without a
 * {@linkplain #keyring() keyring} open plaintext stores.
 *
 * <p>Compatibility: this is a final class rather than a record so that settings can be added without
 * breaking providers or callers. Settings are only ever added (with a default and a {@code with...}
 * method); existing accessors keep their names and meaning.
 */
public final class StoreOptions {
    /** The default bound on each operation: 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The default {@link #maxStateBytes()}: 64 MiB. */
    public static final long DEFAULT_MAX_STATE_BYTES = 64L << 20;

    private final Path cacheDir;
    private final Duration timeout;
    private final long maxStateBytes;
    private final @Nullable Keyring keyring;

    private StoreOptions(Path cacheDir, Duration timeout, long maxStateBytes, @Nullable Keyring keyring) {
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxStateBytes < 1) {
            throw new IllegalArgumentException("maxStateBytes must be positive: " + maxStateBytes);
        }
        this.maxStateBytes = maxStateBytes;
        this.keyring = keyring;
    }

    /**
     * Returns options with {@code cacheDir}, the default timeout and the default state size limit.
     *
     * @param cacheDir the cache directory
     * @return the options
     * @throws NullPointerException if {@code cacheDir} is null
     */
    public static StoreOptions of(Path cacheDir) {
        return new StoreOptions(cacheDir, DEFAULT_TIMEOUT, DEFAULT_MAX_STATE_BYTES, null);
    }

    /**
     * Returns where a store may keep local working copies (the git store's clone); created {@code 0700}
     * by the store when needed.
     *
     * @return the cache directory
     */
    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * Returns the bound on each external or blocking operation (a git call, a lock wait).
     *
     * @return the timeout, positive
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Returns the largest replica state a read loads; a larger one is quarantined (see
     * {@link Snapshot#quarantined()}), so one huge state cannot exhaust the memory of every reader.
     *
     * @return the limit in bytes, positive
     */
    public long maxStateBytes() {
        return maxStateBytes;
    }

    /**
     * Returns the keys of an end-to-end encrypted store, or null for a plaintext one: a store given keys
     * seals every chunk it writes and refuses plaintext states, and a store given none refuses encrypted
     * ones ({@link io.github.crdtmemory.seal.EncryptionException}; see docs/security.md).
     *
     * @return the keyring, or null
     */
    public @Nullable Keyring keyring() {
        return keyring;
    }

    /**
     * Returns a copy with another timeout.
     *
     * @param newTimeout the bound on each operation
     * @return the options
     * @throws IllegalArgumentException if {@code newTimeout} is not positive
     */
    public StoreOptions withTimeout(Duration newTimeout) {
        return new StoreOptions(cacheDir, newTimeout, maxStateBytes, keyring);
    }

    /**
     * Returns a copy with another state size limit.
     *
     * @param limit the largest state a read loads, in bytes
     * @return the options
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    public StoreOptions withMaxStateBytes(long limit) {
        return new StoreOptions(cacheDir, timeout, limit, keyring);
    }

    /**
     * Returns a copy whose stores encrypt end to end with {@code keys} (null: plaintext).
     *
     * @param keys the keyring, or null
     * @return the options
     */
    public StoreOptions withKeyring(@Nullable Keyring keys) {
        return new StoreOptions(cacheDir, timeout, maxStateBytes, keys);
    }

    /**
     * Options are equal when every setting is.
     *
     * @param o the other object
     * @return whether it holds the same settings
     */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof StoreOptions other && cacheDir.equals(other.cacheDir) && timeout.equals(other.timeout)
                && maxStateBytes == other.maxStateBytes && Objects.equals(keyring, other.keyring);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cacheDir, timeout, maxStateBytes, keyring);
    }

    @Override
    public String toString() {
        // a keyring's string names its key ids only, never key material
        return "StoreOptions[cacheDir=" + cacheDir + ", timeout=" + timeout + ", maxStateBytes=" + maxStateBytes
                + ", keyring=" + (keyring == null ? "none" : keyring) + "]";
    }
}
