/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.core.ReplicaId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A git command ran past its timeout; its whole process group (git and its ssh or helper children) was
 * ended with SIGTERM, then SIGKILL after a short grace. Unchecked, like {@link GitOperationError}, whose
 * {@link GitOperationError#kind() kind} is always {@link GitOperationError.Kind#TIMEOUT}. Back off and
 * retry later.
 */
public final class GitTimeoutError extends GitOperationError {
    private static final long serialVersionUID = 1L;

    private final long timeoutMillis;

    /**
     * Creates the error.
     *
     * @param store the store's redacted description
     * @param replica the replica concerned, or null
     * @param command the command as run
     * @param stderr what it wrote to stderr before it was killed
     * @param duration how long it ran, including the kill
     * @param timeout the timeout it exceeded
     * @param workingDirectory where it ran, or null
     */
    public GitTimeoutError(String store, ReplicaId replica, List<String> command, String stderr, Duration duration,
                           Duration timeout, Path workingDirectory) {
        super(store, replica, Kind.TIMEOUT, command, -1, stderr, duration, workingDirectory, null);
        this.timeoutMillis = timeout.toMillis();
    }

    /**
     * Returns the timeout the command exceeded.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return Duration.ofMillis(timeoutMillis);
    }
}
