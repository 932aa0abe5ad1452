/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.seal;

import io.github.crdtmemory.core.ReplicaId;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a sealed chunk belongs: its replica, the format version of the layout it is part of, and its
 * position in that layout (a file name such as {@code shard-05} or {@code seal}). It is the associated
 * data of the chunk's encryption, so a chunk copied to another replica, position or format does not
 * open. Immutable.
 *
 * @param replica the replica whose state the chunk holds
 * @param formatVersion the store's format version of the layout (positive)
 * @param position the chunk's name in the layout: 1-64 characters of {@code [a-z0-9._-]}
 */
public record ChunkContext(ReplicaId replica, int formatVersion, String position) {
    private static final Pattern POSITION = Pattern.compile("[a-z0-9._-]{1,64}");

    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if the version is not positive or the position is malformed
     */
    public ChunkContext {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(position, "position");
        if (formatVersion < 1) {
            throw new IllegalArgumentException("format version must be positive: " + formatVersion);
        }
        if (!POSITION.matcher(position).matches()) {
            throw new IllegalArgumentException("malformed chunk position: " + position);
        }
    }

    /** The associated data: a fixed label and the three components, NUL-separated (none can hold a NUL). */
    byte[] associatedData() {
        return ("crdt-memory-chunk\0" + formatVersion + "\0" + replica.value() + "\0" + position)
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return replica + "/" + position + " (format " + formatVersion + ")";
    }
}
