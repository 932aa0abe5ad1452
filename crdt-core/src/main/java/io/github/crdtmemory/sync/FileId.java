/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import org.jspecify.annotations.Nullable;

/**
 * A file's identity as {@code stat} gives it: file key (device and inode), size and modification time.
 * It stays the same while nobody writes the file, and changes with any write: a rename puts another
 * inode there, an append changes the size, a rewrite in place the modification time (fine-grained on
 * Linux since 6.13 once the time was read, as it is here; on older kernels two writes of the same size
 * within one clock tick, a few milliseconds, look the same, which is why every write of the memory file
 * still compares its content before the rename). Immutable.
 *
 * @param key the file key, or null where the platform has none (then nothing is ever the same)
 * @param size the size in bytes
 * @param modified the modification time
 */
record FileId(@Nullable Object key, long size, FileTime modified) {
    /** The identity of {@code file} (not following a symbolic link), or null if it does not exist. */
    static @Nullable FileId of(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new FileId(a.fileKey(), a.size(), a.lastModifiedTime());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Whether {@code other} is the same file as this one, at the same size and time. */
    boolean same(@Nullable FileId other) {
        return other != null && key != null && equals(other);
    }

    /**
     * The identity as text (file key, size, modification time in nanoseconds), to compare across
     * processes; empty where the platform has no file key.
     */
    java.util.Optional<String> describe() {
        return key == null ? java.util.Optional.empty()
                : java.util.Optional.of(key + " " + size + " " + modified.to(java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    /** Whether {@code other} is the same inode (whatever its size and time). */
    boolean sameFile(FileId other) {
        return other != null && key != null && key.equals(other.key);
    }
}
