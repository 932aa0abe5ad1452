/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings a {@link StoreProvider} receives when opening a store from a URI. Immutable.
 *
 * @param cacheDir where a store may keep local working copies (the git store's clone); created
 *     {@code 0700} by the store when needed
 * @param timeout the bound on each external or blocking operation (a git call, a lock wait)
 * @param maxStateBytes the largest replica state a read loads; a larger one is quarantined (see
 *     {@link Snapshot#quarantined()}), so one huge state cannot exhaust the memory of every reader
 */
public record StoreOptions(Path cacheDir, Duration timeout, long maxStateBytes) {
    /** The default bound on each operation: 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The default {@link #maxStateBytes()}: 64 MiB. */
    public static final long DEFAULT_MAX_STATE_BYTES = 64L << 20;

    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if {@code timeout} or {@code maxStateBytes} is not positive
     */
    public StoreOptions {
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxStateBytes < 1) {
            throw new IllegalArgumentException("maxStateBytes must be positive: " + maxStateBytes);
        }
    }

    /**
     * Returns options with the default {@link #maxStateBytes()}.
     *
     * @param cacheDir the cache directory
     * @param timeout the bound on each operation
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public StoreOptions(Path cacheDir, Duration timeout) {
        this(cacheDir, timeout, DEFAULT_MAX_STATE_BYTES);
    }

    /**
     * Returns options with {@code cacheDir} and the default timeout.
     *
     * @param cacheDir the cache directory
     * @return the options
     */
    public static StoreOptions of(Path cacheDir) {
        return new StoreOptions(cacheDir, DEFAULT_TIMEOUT);
    }

    /**
     * Returns a copy with another timeout.
     *
     * @param newTimeout the bound on each operation
     * @return the options
     */
    public StoreOptions withTimeout(Duration newTimeout) {
        return new StoreOptions(cacheDir, newTimeout, maxStateBytes);
    }

    /**
     * Returns a copy with another state size limit.
     *
     * @param limit the largest state a read loads, in bytes
     * @return the options
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    public StoreOptions withMaxStateBytes(long limit) {
        return new StoreOptions(cacheDir, timeout, limit);
    }
}
