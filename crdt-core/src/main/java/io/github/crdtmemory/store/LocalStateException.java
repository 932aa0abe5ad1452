/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.CrdtException;
import io.github.crdtmemory.core.ReplicaId;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A local file of this machine could not be read, written or locked: the memory file, the sync state
 * directory (or a live memory's state file), a lock file, or the replica-id file. Unchecked. It is not a
 * {@link StoreException}: the store is fine, and {@link #path()} says which local file failed, and
 * {@link #part()} what it is. Fix the cause (permissions, disk space, a second writer) and retry;
 * nothing was half-written.
 *
 * <p>The one subtype is {@link LockTimeoutException} (part {@link Part#LOCK}): someone else is working
 * there, so back off and retry. {@link #path()} never holds a credential (it is a local path).
 */
public sealed class LocalStateException extends CrdtException permits LockTimeoutException {
    private static final long serialVersionUID = 1L;

    /** Which local file failed. Values are only ever added. */
    public enum Part {
        /** The MCP server's memory file (JSONL) or its directory. */
        MEMORY_FILE,
        /** The sync state directory (checkpoint, journal, kept copies), or a live memory's state file. */
        STATE,
        /** A lock file: a sync state directory's, a directory store's, or another process-wide lock. */
        LOCK,
        /** The file holding this machine's default replica id. */
        REPLICA_ID
    }

    private final Part part;
    private final String path;
    private final @Nullable String replica;

    /**
     * Creates the exception. The message is {@code path + ": " + message}.
     *
     * @param part which local file failed
     * @param path its path
     * @param replica the replica concerned, or null when the failure is not about one replica
     * @param message what failed, without the path (it is prefixed)
     * @param cause the underlying failure, or null
     * @throws NullPointerException if {@code part} or {@code path} is null
     */
    public LocalStateException(Part part, Path path, @Nullable ReplicaId replica, String message,
            @Nullable Throwable cause) {
        super(Objects.requireNonNull(path, "path") + ": " + message, cause);
        this.part = Objects.requireNonNull(part, "part");
        this.path = path.toString();
        this.replica = replica == null ? null : replica.value();
    }

    /**
     * Returns which local file failed.
     *
     * @return the part
     */
    public Part part() {
        return part;
    }

    /**
     * Returns the path of the local file or directory that failed.
     *
     * @return the path
     */
    public Path path() {
        return Path.of(path);
    }

    /**
     * Returns the replica the failure concerns, if it concerns one.
     *
     * @return the replica, or empty
     */
    public Optional<ReplicaId> replica() {
        return Optional.ofNullable(replica).map(ReplicaId::of);
    }
}
