package io.github.crdtmemory.sync;

import io.github.crdtmemory.internal.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads the memory file and replaces it only if its content is what was read (compare-and-swap on
 * content). A symbolic link is resolved first, so the link stays and its target is replaced, as the
 * MCP server itself does. The replacement keeps the file's permissions; a new file is {@code 0600}.
 */
final class MemoryFileAccess {
    private final Path file;
    private final Runnable beforeRename;

    MemoryFileAccess(Path file, Runnable beforeRename) {
        this.file = file.toAbsolutePath().normalize();
        this.beforeRename = beforeRename;
    }

    Path path() {
        return file;
    }

    /** Returns the file's bytes, or empty when it does not exist. */
    Optional<byte[]> read() throws IOException {
        Path target = target();
        if (Files.isDirectory(target)) {
            throw new IOException(file + " is a directory, not a memory file");
        }
        return PrivateFiles.readIfExists(target);
    }

    /**
     * Replaces the file with {@code next} if it still holds {@code expected} (empty: does not exist).
     * Returns false, writing nothing, if it changed. The check is made just before the atomic rename;
     * a writer that does not take our lock can still slip into that window of microseconds.
     */
    boolean replaceIfUnchanged(Optional<byte[]> expected, byte[] next) throws IOException {
        Path target = target();
        Optional<byte[]> now = PrivateFiles.readIfExists(target);
        if (now.isPresent() != expected.isPresent()
                || (now.isPresent() && !Arrays.equals(now.get(), expected.get()))) {
            return false;
        }
        if (now.isPresent()) {
            PrivateFiles.replace(target, next, PrivateFiles.permissions(target), beforeRename);
        } else {
            if (target.getParent() != null) {
                PrivateFiles.createDirectories(target.getParent());
            }
            PrivateFiles.replace(target, next, PrivateFiles.FILE_MODE, beforeRename);
        }
        return true;
    }

    private Path target() throws IOException {
        if (Files.isSymbolicLink(file)) {
            try {
                return file.toRealPath();
            } catch (NoSuchFileException e) {
                return file.getParent().resolve(Files.readSymbolicLink(file)).normalize(); // dangling link
            }
        }
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? file.toRealPath() : file;
    }
}
