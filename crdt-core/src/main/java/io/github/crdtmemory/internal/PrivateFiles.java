/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Durable, atomic, owner-only file writes.
 *
 * <p>{@link #replace} never truncates a file in place: it writes a temp file in the same directory,
 * forces it to disk, renames it over the target atomically and forces the directory, so a reader (or a
 * crash) sees either the old content or the new, never a mix. New files are {@code 0600} and new
 * directories {@code 0700} on POSIX file systems.
 */
public final class PrivateFiles {
    /** Owner read and write: the mode of every file this library creates. */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    /** Owner only: the mode of every directory this library creates. */
    public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    /** Suffix of our temp files; a temp file is named {@code .<target>.<random>.tmp}. */
    public static final String TEMP_SUFFIX = ".tmp";

    private static final SecureRandom RANDOM = new SecureRandom();

    private PrivateFiles() {
    }

    /**
     * Creates {@code dir} and its missing parents, each new one with mode {@code 0700}. Existing
     * directories keep their mode.
     *
     * @param dir the directory
     * @return {@code dir}
     * @throws IOException if it cannot be created or exists as something else
     */
    public static Path createDirectories(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return dir;
        }
        Path parent = abs.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createDirectories(parent);
        }
        try {
            if (isPosix(parent)) {
                Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(DIR_MODE));
                Files.setPosixFilePermissions(abs, DIR_MODE); // the umask may have removed bits
            } else {
                Files.createDirectory(abs);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(abs)) {
                throw e;
            }
        }
        return dir;
    }

    /**
     * Creates {@code file} empty with mode {@code 0600} if it does not exist.
     *
     * @param file the file
     * @throws IOException if it cannot be created
     */
    public static void createFile(Path file) throws IOException {
        try {
            if (isPosix(file.toAbsolutePath().getParent())) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            // kept as it is
        }
    }

    /**
     * Opens {@code file} for writing as one descriptor, creating it empty with mode {@code 0600} if it
     * does not exist; a symbolic link in its place is refused rather than followed. Creation and opening
     * are one {@code open(2)}, so no second descriptor is opened and closed on the file (that would
     * drop the process's {@code fcntl} locks on it).
     *
     * @param file the file; its directory must exist
     * @return the open channel, positioned at the start; the caller closes it
     * @throws IOException if it cannot be created or opened, or is a symbolic link
     */
    public static FileChannel openOrCreate(Path file) throws IOException {
        Set<OpenOption> open = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS);
        try {
            return isPosix(file.toAbsolutePath().getParent())
                    ? FileChannel.open(file, open, PosixFilePermissions.asFileAttribute(FILE_MODE))
                    : FileChannel.open(file, open);
        } catch (IOException e) {
            if (Files.isSymbolicLink(file)) {
                throw new IOException(file + " is a symbolic link; refused in place of a regular file", e);
            }
            throw e;
        }
    }

    /**
     * Replaces {@code target} with {@code bytes} atomically and durably; a new file gets mode
     * {@code 0600}.
     *
     * @param target the file to replace or create
     * @param bytes the new content
     * @throws IOException if writing, syncing or renaming fails; the target is then unchanged
     */
    public static void replace(Path target, byte[] bytes) throws IOException {
        replace(target, bytes, FILE_MODE);
    }

    /**
     * Replaces {@code target} with {@code bytes} atomically and durably, giving the new file the
     * permissions {@code mode} (ignored on file systems without POSIX permissions).
     *
     * @param target the file to replace or create; a symbolic link is not followed (resolve it first)
     * @param bytes the new content
     * @param mode the permissions of the new file
     * @throws IOException if writing, syncing or renaming fails; the target is then unchanged
     */
    public static void replace(Path target, byte[] bytes, Set<PosixFilePermission> mode) throws IOException {
        replace(target, bytes, mode, () -> { });
    }

    /**
     * As {@link #replace(Path, byte[], Set)}, running {@code beforeRename} after the temporary file is
     * written and synced and before it is renamed over the target: the window a crash or a failure
     * can hit. For fault-injection tests; if it throws, the target is unchanged and the temporary file
     * is removed.
     *
     * @param target the file to replace or create
     * @param bytes the new content
     * @param mode the permissions of the new file
     * @param beforeRename run between the write and the rename
     * @throws IOException if writing, syncing or renaming fails; the target is then unchanged
     */
    public static void replace(Path target, byte[] bytes, Set<PosixFilePermission> mode, Runnable beforeRename)
            throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        replace(target, out -> out.write(bytes), mode, beforeRename);
    }

    /** Content written as a stream. */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the content.
         *
         * @param out where it goes (buffered; not to be closed)
         * @throws IOException if writing fails
         */
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    /**
     * As {@link #replace(Path, byte[], Set, Runnable)}, for content written as a stream, so that it is
     * never held whole.
     *
     * @param target the file to replace or create
     * @param content writes the new content
     * @param mode the permissions of the new file
     * @param beforeRename run between the write and the rename
     * @throws IOException if writing, syncing or renaming fails; the target is then unchanged
     */
    public static void replace(Path target, Content content, Set<PosixFilePermission> mode, Runnable beforeRename)
            throws IOException {
        Objects.requireNonNull(beforeRename, "beforeRename");
        Path abs = target.toAbsolutePath();
        Path temp = writeTemp(abs, content, mode);
        try {
            beforeRename.run();
            try {
                Files.move(temp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + abs.getParent() + " cannot rename atomically", e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(parentOf(abs));
    }

    /**
     * Writes {@code bytes} to a new temporary file next to {@code target} (named {@code .<target>.<random>.tmp}),
     * forces it to disk and gives it the permissions {@code mode}: the first half of {@link #replace}, for
     * callers that check something between the write and the rename. The caller renames or deletes it.
     *
     * @param target the file the temporary file is for; its directory must exist
     * @param bytes the content
     * @param mode the permissions of the temporary file
     * @return the temporary file
     * @throws IOException if writing or syncing fails; the temporary file is then removed
     */
    public static Path writeTemp(Path target, byte[] bytes, Set<PosixFilePermission> mode) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        return writeTemp(target, out -> out.write(bytes), mode);
    }

    /**
     * As {@link #writeTemp(Path, byte[], Set)}, for content written as a stream.
     *
     * @param target the file the temporary file is for; its directory must exist
     * @param content writes the content
     * @param mode the permissions of the temporary file
     * @return the temporary file
     * @throws IOException if writing or syncing fails; the temporary file is then removed
     */
    public static Path writeTemp(Path target, Content content, Set<PosixFilePermission> mode) throws IOException {
        Objects.requireNonNull(content, "content");
        Path temp = tempFor(target);
        boolean posix = isPosix(parentOf(temp));
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)}
                : new FileAttribute<?>[0];
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), attrs)) {
                java.io.OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch),
                        1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            if (posix) {
                Files.setPosixFilePermissions(temp, mode); // the umask may have removed bits
            }
            done = true;
            return temp;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * A fresh name for a temporary file next to {@code target}: {@code .<target>.<random>.tmp}. Nothing
     * is created.
     *
     * @param target the file it is for
     * @return the name, absolute
     */
    public static Path tempFor(Path target) {
        Path abs = target.toAbsolutePath();
        return parentOf(abs).resolve("." + abs.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36)
                + TEMP_SUFFIX);
    }

    /**
     * Creates {@code target} holding {@code bytes}, atomically and durably, unless it exists: the bytes
     * go to a temp file in the same directory ({@code 0600}) that is forced to disk, then the temp file
     * is linked to the target's name ({@code link(2)} fails if the name exists, so of several processes
     * racing exactly one creates it, and none replaces it), and the directory is forced. A reader (or a
     * crash) sees no file or the whole content, never a part.
     *
     * @param target the file to create; an existing one is left as it is
     * @param bytes the content
     * @return true if this call created the file, false if it existed
     * @throws IOException if writing, syncing or linking fails
     */
    public static boolean createDurably(Path target, byte[] bytes) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = parentOf(abs);
        Path temp = writeTemp(abs, bytes, FILE_MODE);
        boolean created;
        try {
            try {
                Files.createLink(abs, temp);
                created = true;
            } catch (FileAlreadyExistsException e) {
                created = false;
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(dir);
        return created;
    }

    /**
     * Reads {@code file}, or returns empty if it does not exist.
     *
     * @param file the file
     * @return its bytes, or empty
     * @throws IOException if it exists but cannot be read
     */
    public static Optional<byte[]> readIfExists(Path file) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Returns the permissions of {@code file}, or {@link #FILE_MODE} when the file system has none.
     *
     * @param file an existing file
     * @return its permissions
     * @throws IOException if they cannot be read
     */
    public static Set<PosixFilePermission> permissions(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        return view == null ? FILE_MODE : view.readAttributes().permissions();
    }

    /**
     * Returns the lower-case hex SHA-256 of {@code bytes}.
     *
     * @param bytes the content
     * @return 64 hex digits
     */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Returns the directory a file is in.
     *
     * @param file a file (made absolute first)
     * @return its parent directory
     * @throws IllegalArgumentException if it has none: it is the root
     */
    public static Path parentOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null) {
            throw new IllegalArgumentException("not a file in a directory: " + file);
        }
        return parent;
    }

    /**
     * Returns a fresh SHA-256 digest.
     *
     * @return the digest
     */
    public static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Forces a directory's entries (a rename, a new link) to disk, where the platform allows opening a
     * directory.
     *
     * @param dir the directory
     * @throws IOException if it cannot be forced
     */
    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (System.getProperty("os.name", "").startsWith("Windows")) {
                return; // directories cannot be opened there; NTFS renames are journaled
            }
            throw e;
        }
    }

    private static boolean isPosix(@Nullable Path dir) {
        return dir != null && Files.getFileAttributeView(dir, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS) != null;
    }
}
