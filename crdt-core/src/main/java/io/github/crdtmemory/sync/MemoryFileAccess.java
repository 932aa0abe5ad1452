/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.MemoryFile;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryFileWriter;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.LocalStateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the memory file and replaces it only if its content is what was read (compare-and-swap on
 * content). A symbolic link is resolved first, so the link stays and its target is replaced, as the
 * MCP server itself does. The replacement keeps the file's permissions; a new file is {@code 0600}.
 *
 * <p>The replacement writes and syncs the new content to a temporary file first, then compares, then
 * renames, so the slow part (the fsync) is over before the comparison, and a writer that does not
 * take our lock can only be missed between the comparison and the rename. The file's inode is held
 * by a second hard link across that window, so a writer that rewrites the file in place there is
 * not lost either: what the rename displaced is returned when it differs from what was read. A
 * writer that replaces the file by its own rename inside the window (measured in microseconds, see
 * docs/architecture.md) is the one case left.
 *
 * <p>The content last read or written is kept, parsed, with the file's identity ({@link FileId}) taken
 * before the read or the rename: while the identity is unchanged the file is neither read nor parsed
 * again. A write that finds the file changed forgets it. Thread-safe.
 */
final class MemoryFileAccess {
    private static final Logger log = LoggerFactory.getLogger(MemoryFileAccess.class);
    private final Path file;
    private final StepHook hook;
    private final Runnable beforeRename;
    private volatile @Nullable Seen seen; // the content last read or written, and the file's identity then
    private final MemoryFileWriter writer = MemoryFileWriter.create();

    /**
     * The memory file's content.
     *
     * @param bytes the bytes
     * @param parsed the bytes parsed
     */
    record Content(byte[] bytes, MemoryFile parsed) {
    }

    private record Seen(FileId id, Content content) {
    }

    MemoryFileAccess(Path file, StepHook hook, Runnable beforeRename) {
        this.file = file.toAbsolutePath().normalize();
        this.hook = hook;
        this.beforeRename = beforeRename;
    }

    Path path() {
        return file;
    }

    /**
     * What a replacement did.
     *
     * @param written whether the file now holds the new content
     * @param displaced the content the rename replaced, when it differs from what was expected (a
     *     writer rewrote the file in place after the comparison); empty otherwise
     */
    record Replacement(boolean written, Optional<byte[]> displaced) {
        static final Replacement NOT_WRITTEN = new Replacement(false, Optional.empty());
    }

    /**
     * Deletes the temporary file {@code name} of an earlier replacement that did not rename it, once no
     * checkpoint records it as pending any more. Only a regular file of this memory file's temporary
     * names, in its directory, is deleted; anything else is left alone.
     */
    void discard(String name) throws IOException {
        Path target = target();
        String prefix = "." + target.getFileName() + ".";
        if (name.indexOf('/') >= 0 || !name.startsWith(prefix) || !name.endsWith(PrivateFiles.TEMP_SUFFIX)) {
            return;
        }
        Path temp = target.resolveSibling(name);
        if (Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Deletes this memory file's temporary files (its {@code .<name>.<random>.tmp} siblings: write-backs'
     * new content and the hard links held across a comparison) last modified before {@code cutoff}: what
     * a crash left before any checkpoint recorded it. The caller holds the lock and no checkpoint names
     * any of them. Regular files only, never through a link; a failure is only logged.
     */
    void sweep(Instant cutoff) {
        try {
            Path target = target();
            String prefix = "." + target.getFileName() + ".";
            try (Stream<Path> siblings = Files.list(target.getParent())) {
                for (Path p : (Iterable<Path>) siblings::iterator) {
                    String n = p.getFileName().toString();
                    if (n.startsWith(prefix) && n.endsWith(PrivateFiles.TEMP_SUFFIX)
                            && n.substring(prefix.length(), n.length() - PrivateFiles.TEMP_SUFFIX.length())
                                    .matches("[0-9a-z]{1,13}")
                            && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                            && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(p);
                        log.info("deleted {}, a temporary copy of the memory file a crash left behind", p);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            log.warn("cannot sweep the temporary files next to {}: {}", file, e.toString());
        }
    }

    /**
     * Whether the temporary file {@code name} of a recorded write-back is still there and is not the
     * memory file: then its rename never happened (a rename moves the name away atomically; a new memory
     * file is made by a hard link to it, so both names are one inode until the temporary one is deleted;
     * and a temporary file recorded as pending is only deleted once no checkpoint records it, or once it
     * is linked).
     */
    boolean stillPending(String name) throws IOException {
        if (name.indexOf('/') >= 0) {
            return false;
        }
        Path target = target();
        Path temp = target.resolveSibling(name);
        if (!Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        return !Files.exists(target, LinkOption.NOFOLLOW_LINKS) || !Files.isSameFile(temp, target);
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
     * The file's SHA-256 (lower-case hex) and size, read in chunks (never held whole), or empty when it
     * does not exist.
     */
    Optional<Digest> digest() throws IOException {
        Path target = target();
        if (Files.isDirectory(target)) {
            throw new IOException(file + " is a directory, not a memory file");
        }
        try (java.io.InputStream in = Files.newInputStream(target, LinkOption.NOFOLLOW_LINKS)) {
            java.security.MessageDigest sha = PrivateFiles.sha256Digest();
            byte[] buf = new byte[1 << 16];
            long size = 0;
            for (int n; (n = in.read(buf)) > 0; size += n) {
                sha.update(buf, 0, n);
            }
            return Optional.of(new Digest(java.util.HexFormat.of().formatHex(sha.digest()), size));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * A file's content as a digest.
     *
     * @param sha256 its SHA-256, lower-case hex
     * @param size its length in bytes
     */
    record Digest(String sha256, long size) {
    }

    /**
     * The bytes of {@code graph} as the memory file's content ({@link MemoryFileCodec#write}), encoding
     * only the lines that differ from the last graph encoded here.
     */
    byte[] encode(MemoryGraph graph, boolean trailingNewline) {
        return writer.write(graph, trailingNewline);
    }

    /**
     * Whether {@code graph} encodes ({@link MemoryFileCodec#write}) to exactly {@code bytes}: compared as
     * the encoding is made, which is never held (nor kept as lines, unlike {@link #encode}).
     */
    static boolean encodesTo(MemoryGraph graph, boolean trailingNewline, byte[] bytes) {
        Comparing sink = new Comparing(bytes);
        try {
            MemoryFileCodec.write(graph, trailingNewline, sink);
        } catch (IOException e) {
            return false; // the first byte that differs stops the encoding
        }
        return sink.at == bytes.length;
    }

    /** A sink that checks what is written against expected bytes and fails at the first difference. */
    private static final class Comparing extends java.io.OutputStream {
        private final byte[] expected;
        private int at;

        Comparing(byte[] expected) {
            this.expected = expected;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (at + len > expected.length || !Arrays.equals(b, off, off + len, expected, at, at + len)) {
                throw new IOException("differs");
            }
            at += len;
        }
    }

    /** The file's graph (empty when it does not exist); see {@link SyncEngine#read}. */
    MemoryGraph graph(ReplicaId replica) {
        try {
            return content().map(c -> c.parsed().graph()).orElse(MemoryGraph.empty());
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.MEMORY_FILE, file, replica,
                    "cannot read the memory file: " + e, e);
        }
    }

    /**
     * The file's content parsed, or empty when it does not exist; without reading it when its identity
     * is the one last seen.
     *
     * @throws io.github.crdtmemory.memory.MemoryFormatException if it does not parse
     */
    Optional<Content> content() throws IOException {
        Path target = target();
        if (Files.isDirectory(target)) {
            throw new IOException(file + " is a directory, not a memory file");
        }
        FileId id = FileId.of(target); // before the read: a write after it changes the identity
        Seen s = seen;
        if (id != null && s != null && id.same(s.id())) {
            return Optional.of(s.content());
        }
        Optional<byte[]> bytes = PrivateFiles.readIfExists(target);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        Content c = new Content(bytes.get(), MemoryFileCodec.parse(bytes.get(), file.toString()));
        if (id != null) {
            seen = new Seen(id, c);
        }
        return Optional.of(c);
    }

    /**
     * Replaces the file with {@code next} if it still holds {@code expected} (empty: does not exist):
     * writes and syncs a temporary file ({@link StepHook.Step#TEMP_WRITTEN}), hands its name to
     * {@code beforeCompare} (which records the pending write-back), compares the file with
     * {@code expected} ({@link StepHook.Step#COMPARED}), renames. Writes nothing if the file changed.
     * Once {@code beforeCompare} has run, a temporary file that is not renamed is left in place (it
     * tells the next run the rename never happened): the caller {@link #discard}s it once its
     * checkpoint no longer records it. Without {@code beforeCompare} (null) it is always deleted.
     * When {@code asWritten} (the new content parsed) is given, a successful replacement keeps it as the
     * file's content until the file changes.
     */
    Replacement replaceIfUnchanged(Optional<byte[]> expected, byte[] next, @Nullable MemoryFile asWritten,
                                   @Nullable Consumer<String> beforeCompare) throws IOException {
        seen = null; // whatever happens, the file is read again unless this write succeeds
        Path target = target();
        Set<PosixFilePermission> mode;
        if (expected.isPresent()) {
            try {
                mode = PrivateFiles.permissions(target);
            } catch (NoSuchFileException e) {
                return Replacement.NOT_WRITTEN;
            }
        } else {
            PrivateFiles.createDirectories(PrivateFiles.parentOf(target));
            mode = PrivateFiles.FILE_MODE;
        }
        Path temp = PrivateFiles.writeTemp(target, next, mode);
        Path aside = null;
        FileId written = FileId.of(temp); // a rename keeps inode, size and time
        boolean recorded = false;
        try {
            hook.at(StepHook.Step.TEMP_WRITTEN);
            if (beforeCompare != null) {
                recorded = true; // from here it may be recorded: keep it, whatever happens
                beforeCompare.accept(temp.getFileName().toString());
            }
            if (expected.isPresent()) {
                aside = linkAside(target);
                if (aside == null && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    return Replacement.NOT_WRITTEN;
                }
            }
            if (!holds(aside != null ? aside : target, expected)) {
                return Replacement.NOT_WRITTEN;
            }
            hook.at(StepHook.Step.COMPARED);
            beforeRename.run();
            if (!rename(temp, target, aside, expected.isEmpty())) {
                return Replacement.NOT_WRITTEN;
            }
            PrivateFiles.forceDirectory(PrivateFiles.parentOf(target));
            Optional<byte[]> displaced = aside == null || holds(aside, expected) ? Optional.empty()
                    : Optional.of(Files.readAllBytes(aside)); // rewritten in place after the comparison: rare
            if (asWritten != null && written != null && written.key() != null) {
                seen = new Seen(written, new Content(next, asWritten));
            }
            return new Replacement(true, displaced);
        } finally {
            if (!recorded) {
                Files.deleteIfExists(temp);
            }
            if (aside != null) {
                Files.deleteIfExists(aside);
            }
        }
    }

    /**
     * A second hard link to the file's inode, so that what the rename displaces can still be read; null
     * when the file is gone or the file system has no hard links.
     */
    private static @Nullable Path linkAside(Path target) throws IOException {
        Path aside = PrivateFiles.tempFor(target);
        try {
            Files.createLink(aside, target);
            return aside;
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            return null;
        } catch (FileSystemException e) {
            if (e instanceof FileAlreadyExistsException) {
                throw e;
            }
            return null; // EPERM and the like: no hard links here; the comparison reads the file itself
        }
    }

    /**
     * Renames {@code temp} over {@code target} unless the file was replaced since {@code aside} was
     * linked to it, or ({@code absent}: it did not exist) was created meanwhile. Returns whether it did.
     */
    private static boolean rename(Path temp, Path target, @Nullable Path aside, boolean absent) throws IOException {
        try {
            if (aside != null) {
                if (!Files.isSameFile(aside, target)) {
                    return false; // another writer renamed its own file over it after the comparison
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else if (absent) {
                createExclusively(temp, target);
                Files.deleteIfExists(temp); // linked: the memory file is that inode now
            } else {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (NoSuchFileException e) {
            return false; // deleted after the comparison
        } catch (FileAlreadyExistsException e) {
            return false; // created after the comparison
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target.getParent() + " cannot rename atomically", e);
        }
    }

    /** Makes {@code temp} the new {@code target} only if no file is there: a hard link fails if one is. */
    private static void createExclusively(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
        } catch (UnsupportedOperationException e) {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileSystemException e) {
            if (e instanceof FileAlreadyExistsException) {
                throw e;
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * Whether {@code file} holds exactly {@code expected} (empty: does not exist), compared in chunks as
     * it is read: the file is never held whole a second time.
     */
    private static boolean holds(Path file, Optional<byte[]> expected) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            if (expected.isEmpty()) {
                return false;
            }
            byte[] want = expected.get();
            byte[] buf = new byte[1 << 16];
            int at = 0;
            for (int n; (n = in.read(buf)) > 0; at += n) {
                if (at + n > want.length || !Arrays.equals(buf, 0, n, want, at, at + n)) {
                    return false;
                }
            }
            return at == want.length;
        } catch (NoSuchFileException e) {
            return expected.isEmpty();
        }
    }

    private Path target() throws IOException {
        if (Files.isSymbolicLink(file)) {
            try {
                return file.toRealPath();
            } catch (NoSuchFileException e) {
                return PrivateFiles.parentOf(file).resolve(Files.readSymbolicLink(file)).normalize(); // dangling link
            }
        }
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? file.toRealPath() : file;
    }
}
