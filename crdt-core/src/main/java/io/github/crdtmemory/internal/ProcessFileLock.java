/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

import io.github.crdtmemory.store.LockTimeoutException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not API. An exclusive lock on a lock file that holds across threads and across processes.
 *
 * <p>Java's {@code FileChannel} locks are POSIX {@code fcntl} record locks on Linux and macOS: they
 * belong to the process, so they do not exclude two threads of one JVM, and closing <em>any</em>
 * channel on the file releases every lock the JVM holds on it. So a lock is taken in two steps: first
 * an in-JVM lock for the file (one per canonical path, shared by every caller in this JVM), then, while
 * holding it, the OS lock through a single channel, polled with {@code tryLock} until a deadline. No
 * second channel on the file is opened while the OS lock is held, so no close can drop it. That
 * includes creating the lock file: it is created by the same {@code open(2)} that yields the locking
 * channel, under the in-JVM lock. (Creating it beforehand, outside that lock, opened and closed a
 * descriptor of its own; a close that landed while another thread of the JVM had just taken the OS
 * lock dropped that lock, and a second process could then enter too. It happened only while the file
 * was new, and cost a write in a two-server test once in about a hundred runs.)
 *
 * <p>The lock is keyed by the lock file's canonical directory and its name; the file itself must not
 * be a symbolic link (it is refused). Deleting the lock file while it is held ends the exclusion for
 * the next taker, as with any {@code fcntl} lock file: leave lock files alone.
 *
 * <p>The table of in-JVM locks is the one piece of static state in this library; it mirrors the JVM's
 * own per-file lock table and must be process-wide for the reason above. Entries are removed when
 * their last user leaves.
 *
 * <p><b>Interop:</b> {@code flock(2)} locks (the {@code flock(1)} command) are a different lock on
 * Linux and do not exclude this one; cooperate through {@code fcntl} locks ({@code lockf}, Python's
 * {@code fcntl.lockf}, Java's {@code FileChannel.lock}).
 */
public final class ProcessFileLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProcessFileLock.class);
    private static final ConcurrentHashMap<Path, Slot> SLOTS = new ConcurrentHashMap<>();
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Path file;
    private final Slot slot;
    private final FileChannel channel;
    private final FileLock lock;
    private final long acquiredNanos;
    private boolean released;

    private ProcessFileLock(Path file, Slot slot, FileChannel channel, FileLock lock) {
        this.file = file;
        this.slot = slot;
        this.channel = channel;
        this.lock = lock;
        this.acquiredNanos = System.nanoTime();
    }

    /**
     * Takes the lock on {@code lockFile} (created {@code 0600} if absent; a symbolic link is refused),
     * waiting at most {@code timeout}.
     *
     * @param lockFile the lock file; its directory must exist
     * @param timeout the longest wait
     * @return the held lock; close it to release
     * @throws LockTimeoutException if the lock was not acquired in time, or the wait was interrupted
     *     (the interrupt flag is then set again)
     * @throws IOException if the lock file cannot be created or opened, or is a symbolic link
     * @throws IllegalStateException if the calling thread already holds this lock
     * @throws IllegalArgumentException if {@code lockFile} names no file ({@code /}, {@code .}, {@code ..})
     */
    public static ProcessFileLock acquire(Path lockFile, Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        Path absolute = lockFile.toAbsolutePath();
        Path name = absolute.getFileName();
        if (name == null || name.toString().equals("..") || name.toString().equals(".")) {
            throw new IllegalArgumentException("not a file: " + lockFile);
        }
        Path key = PrivateFiles.parentOf(absolute).toRealPath().resolve(name);
        long start = System.nanoTime();
        long deadline = start + Math.max(0, timeout.toNanos());
        Slot slot = SLOTS.compute(key, (k, s) -> {
            Slot held = s == null ? new Slot() : s;
            held.users++;
            return held;
        });
        boolean done = false;
        try {
            if (slot.lock.isHeldByCurrentThread()) {
                throw new IllegalStateException("this thread already holds " + key);
            }
            if (!slot.lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new LockTimeoutException(key, timeout, "held by another thread of this process");
            }
            try {
                FileChannel channel = PrivateFiles.openOrCreate(key);
                try {
                    FileLock lock;
                    while ((lock = channel.tryLock()) == null) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new LockTimeoutException(key, timeout, "held by another process");
                        }
                        TimeUnit.NANOSECONDS.sleep(Math.min(left, POLL_NANOS));
                    }
                    ProcessFileLock held = new ProcessFileLock(key, slot, channel, lock);
                    log.debug("acquired lock {} after {} ms", key,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    done = true;
                    return held;
                } finally {
                    if (!done) {
                        channel.close();
                    }
                }
            } finally {
                if (!done) {
                    slot.lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LockTimeoutException failure = new LockTimeoutException(key, timeout, "interrupted while waiting");
            failure.initCause(e);
            throw failure;
        } finally {
            if (!done) {
                leave(key);
            }
        }
    }

    /**
     * Returns the lock file.
     *
     * @return its canonical path
     */
    public Path file() {
        return file;
    }

    /** Releases the lock; a second call does nothing. Must be called by the thread that acquired it. */
    @Override
    public void close() throws IOException {
        if (released) {
            return;
        }
        released = true;
        try {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        } finally {
            slot.lock.unlock();
            leave(file);
            log.debug("released lock {} after {} ms", file,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acquiredNanos));
        }
    }

    private static void leave(Path key) {
        SLOTS.computeIfPresent(key, (k, s) -> --s.users == 0 ? null : s);
    }

    /** The in-JVM side of one lock file: its lock and the number of threads holding or awaiting it. */
    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }
}
