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
 */
public final class LockTimeoutException extends StoreException {
    private static final long serialVersionUID = 1L;

    private final String lockFile;
    private final Duration timeout;

    /**
     * Creates the exception.
     *
     * @param lockFile the lock file
     * @param timeout the time waited
     * @param detail who holds it, as far as is known
     */
    public LockTimeoutException(Path lockFile, Duration timeout, String detail) {
        super(Objects.requireNonNull(lockFile, "lockFile").toString(), null,
                "lock not acquired within " + timeout.toMillis() + " ms (" + detail + ")", null);
        this.lockFile = lockFile.toString();
        this.timeout = timeout;
    }

    /**
     * Returns the lock file that was busy.
     *
     * @return its path
     */
    public Path lockFile() {
        return Path.of(lockFile);
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
