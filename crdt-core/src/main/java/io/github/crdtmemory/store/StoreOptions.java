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
 */
public record StoreOptions(Path cacheDir, Duration timeout) {
    /** The default bound on each operation: 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public StoreOptions {
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
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
        return new StoreOptions(cacheDir, newTimeout);
    }
}
