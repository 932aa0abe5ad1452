/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.internal.ProcessFileLock;
import io.github.crdtmemory.store.LockTimeoutException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The {@code --log-file} target: appended, never truncated, {@code 0600}, rotated when it passes 1 MiB
 * ({@code FILE.1} ... {@code FILE.5}, the oldest dropped). Rotation runs under a lock so that two runs
 * never rotate at once.
 *
 * <p>The file is opened with {@code O_NOFOLLOW}: a symbolic link planted in its place is refused, never
 * followed; an existing file must be a regular file of this user, and is tightened to {@code 0600}. Its
 * directory is created {@code 0700}; an existing one must belong to this user and must not be writable
 * by others (else it is refused); a directory of its own (holding nothing but this log, its rotations
 * and its lock) is tightened to {@code 0700}, one shared with other files keeps its mode.
 */
final class LogFile {
    static final long ROTATE_AT = 1 << 20;
    static final int KEEP = 5;

    private LogFile() {
    }

    /**
     * Opens the log for appending, rotating it first if it is too large.
     *
     * @throws IOException if it cannot be opened, is a symbolic link or not this user's, or its directory
     *     is not this user's or is writable by others
     */
    static PrintStream open(Path file) throws IOException {
        Path log = file.toAbsolutePath().normalize();
        privateDirectory(log);
        if (Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS) && Files.size(log) > ROTATE_AT) {
            try (ProcessFileLock lock = ProcessFileLock.acquire(log.resolveSibling(log.getFileName() + ".lock"),
                    Duration.ofSeconds(10))) {
                if (Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS) && Files.size(log) > ROTATE_AT) {
                    rotate(log);
                }
            } catch (LockTimeoutException e) {
                // another run is rotating; append to whatever is there
            }
        }
        FileChannel channel = openAppend(log);
        return new PrintStream(Channels.newOutputStream(channel), true, StandardCharsets.UTF_8);
    }

    /** One {@code open(2)} with {@code O_APPEND|O_CREAT|O_NOFOLLOW}, mode {@code 0600}; then the checks. */
    private static FileChannel openAppend(Path log) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(log, Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                    StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PrivateFiles.FILE_MODE));
        } catch (IOException e) {
            if (Files.isSymbolicLink(log)) {
                throw new IOException(log + " is a symbolic link; a log file is never opened through one", e);
            }
            throw e;
        }
        try {
            PosixFileAttributes a = Files.readAttributes(log, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new IOException(log + " is not a regular file");
            }
            owned(log, a);
            if (!a.permissions().equals(PrivateFiles.FILE_MODE)) {
                Files.setPosixFilePermissions(log, PrivateFiles.FILE_MODE);
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Creates the log's directory {@code 0700}, or checks an existing one and tightens it if it is the log's own. */
    private static void privateDirectory(Path log) throws IOException {
        Path dir = PrivateFiles.parentOf(log);
        PrivateFiles.createDirectories(dir);
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class);
        owned(dir, a);
        Set<PosixFilePermission> perms = a.permissions();
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("the log directory " + dir + " is writable by other users, who could plant or swap "
                    + "the log; use a directory of your own");
        }
        if (!perms.equals(PrivateFiles.DIR_MODE) && onlyThisLog(dir, log.getFileName().toString())) {
            Files.setPosixFilePermissions(dir, PrivateFiles.DIR_MODE);
        }
    }

    private static boolean onlyThisLog(Path dir, String name) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.allMatch(p -> p.getFileName().toString().startsWith(name));
        }
    }

    private static void owned(Path p, PosixFileAttributes a) throws IOException {
        String user = System.getProperty("user.name");
        if (!a.owner().getName().equals(user)) {
            throw new IOException(p + " is owned by " + a.owner().getName() + ", not " + user);
        }
    }

    private static void rotate(Path log) throws IOException {
        Files.deleteIfExists(numbered(log, KEEP));
        for (int i = KEEP - 1; i >= 1; i--) {
            if (Files.exists(numbered(log, i), LinkOption.NOFOLLOW_LINKS)) {
                Files.move(numbered(log, i), numbered(log, i + 1), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.move(log, numbered(log, 1), StandardCopyOption.ATOMIC_MOVE);
    }

    static Path numbered(Path log, int n) {
        return log.resolveSibling(log.getFileName() + "." + n);
    }
}
