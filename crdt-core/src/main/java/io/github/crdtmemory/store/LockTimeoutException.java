/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A lock on a local lock file (a directory store's, or a sync state directory's) was not acquired
 * within its timeout: another thread or process is working there. Nothing was changed. Retry later.
 * Its {@link #part()} is {@link LocalStateException.Part#LOCK} and {@link #path()} the lock file.
 */
public final class LockTimeoutException extends LocalStateException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    /**
     * Creates the exception.
     *
     * @param lockFile the lock file
     * @param timeout the time waited
     * @param detail who holds it, as far as is known
     */
    public LockTimeoutException(Path lockFile, Duration timeout, String detail) {
        super(Part.LOCK, Objects.requireNonNull(lockFile, "lockFile"), null,
                "lock not acquired within " + timeout.toMillis() + " ms (" + detail + ")", null);
        this.timeout = timeout;
    }

    /**
     * Returns the lock file that was busy.
     *
     * @return its path
     */
    public Path lockFile() {
        return path();
    }

    /**
     * Returns how long the caller waited.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
    }
}
