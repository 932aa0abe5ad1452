/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Everything a sync keeps between runs, changed atomically (see {@link StateDirectory}): the replica's
 * own state, the base (the graph the memory file last agreed with), the clock, and a pending
 * write-back. Immutable.
 *
 * @param clock the hybrid time to resume the clock from
 * @param state the replica's own state, the join of all it has seen
 * @param base the graph the memory file last agreed with
 * @param pending the write-back about to happen, or null; if the file holds exactly its bytes at the
 *     next start, the write-back happened and they become the base
 */
record Checkpoint(Timestamp clock, MemoryState state, MemoryGraph base, @Nullable Pending pending) {
    Checkpoint {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(base, "base");
    }

    static Checkpoint initial() {
        return new Checkpoint(Timestamp.ZERO, MemoryState.empty(), MemoryGraph.empty(), null);
    }

    /** The pending write-back's bytes, if one is pending (encoded again from its view when not in memory). */
    Optional<byte[]> pendingBytes() {
        return Optional.ofNullable(pending).map(p -> p.content().clone());
    }

    /**
     * A write-back about to replace the memory file: the view written and how, identified by the length
     * and CRC-32C of its bytes (the bytes are {@link MemoryFileCodec#write} of the view, so they are
     * kept only while in memory, never persisted in the journal). Immutable.
     *
     * @param view the graph written
     * @param trailingNewline whether the bytes end with a newline
     * @param length the bytes' length
     * @param crc32c the bytes' CRC-32C
     * @param bytes the bytes when known in memory (not part of equality), else null
     * @param file the name of the temporary file (in the memory file's directory) the write-back renames
     *     over the memory file, or null when unknown (older checkpoints): while that file exists the
     *     rename has not happened; once it is gone, the rename landed, whatever another writer did to the
     *     memory file since
     */
    record Pending(MemoryGraph view, boolean trailingNewline, int length, int crc32c, byte @Nullable [] bytes,
                   @Nullable String file) {
        Pending {
            Objects.requireNonNull(view, "view");
        }

        Pending(MemoryGraph view, boolean trailingNewline, int length, int crc32c, byte @Nullable [] bytes) {
            this(view, trailingNewline, length, crc32c, bytes, null);
        }

        /** The write-back of {@code bytes}, the encoding of {@code view}. */
        static Pending of(MemoryGraph view, boolean trailingNewline, byte[] bytes) {
            return new Pending(view, trailingNewline, bytes.length, crc32c(bytes), bytes);
        }

        /** This write-back, to be renamed from the temporary file {@code name}. */
        Pending withFile(@Nullable String name) {
            return new Pending(view, trailingNewline, length, crc32c, bytes, name);
        }

        /** Whether {@code file} holds exactly this write-back's bytes. */
        boolean matches(byte[] file) {
            if (file.length != length) {
                return false;
            }
            if (bytes != null) {
                return Arrays.equals(bytes, file);
            }
            return crc32c(file) == crc32c && Arrays.equals(MemoryFileCodec.write(view, trailingNewline), file);
        }

        /** The bytes written. */
        byte[] content() {
            return bytes != null ? bytes : MemoryFileCodec.write(view, trailingNewline);
        }

        static int crc32c(byte[] bytes) {
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length);
            return (int) crc.getValue();
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Pending p && length == p.length && crc32c == p.crc32c
                    && trailingNewline == p.trailingNewline && view.equals(p.view) && Objects.equals(file, p.file);
        }

        @Override
        public int hashCode() {
            return Objects.hash(view, trailingNewline, length, crc32c, file);
        }

        @Override
        public String toString() {
            return "Pending[" + length + " bytes, crc32c=" + Integer.toHexString(crc32c) + "]";
        }
    }

    @Override
    public String toString() {
        return "Checkpoint[clock=" + clock + ", state=" + state.size() + " atoms, base="
                + base.entities().size() + " entities, pending=" + (pending != null) + "]";
    }
}
