/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.live;

import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The append-only journal of a {@link LiveMemory}'s changes since its state file was last written: each
 * record is a change's state ({@link StateCodec}), prefixed by its length and a CRC32C of its bytes.
 * {@link #replay} joins every whole record and stops at the first torn or damaged one (a crash
 * mid-append), so what a forced append wrote is never lost and a partial record never counts. Changes
 * are queued in version order by the writer holding the write lock; {@link #append} writes all queued
 * ones with one force. Not thread-safe beyond that: the caller serializes {@link #append},
 * {@link #folded} and {@link #close} (LiveMemory's disk lock), {@link #enqueue} under its write lock.
 */
final class Journal {
    /** The journal is folded into the state file once it is larger than this or than the state file. */
    static final long MIN_FOLD = 1 << 20;
    private static final int HEADER = 8;

    private final Path file;
    private final ArrayDeque<Object[]> queue = new ArrayDeque<>(); // {Long version, MemoryState change}
    private @Nullable FileChannel channel; // null until the first append, and after a close
    private long size;
    private long stateSize;

    /** The journal of {@code stateFile}, whose current size is the first fold threshold. */
    Journal(Path stateFile) throws IOException {
        this.file = of(stateFile);
        this.stateSize = java.nio.file.Files.exists(stateFile) ? java.nio.file.Files.size(stateFile) : 0;
    }

    /** The journal file of a state file. */
    static Path of(Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName() + ".journal");
    }

    /** Every whole record's change, joined; empty if there is no journal. */
    static Optional<MemoryState> replay(Path file) throws IOException {
        Optional<byte[]> bytes = PrivateFiles.readIfExists(file);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(bytes.get());
        List<MemoryState> changes = new ArrayList<>();
        while (in.remaining() >= HEADER) {
            int length = in.getInt();
            int crc = in.getInt();
            if (length < 0 || length > in.remaining()) {
                break; // torn: the append did not finish
            }
            byte[] record = new byte[length];
            in.get(record);
            CRC32C check = new CRC32C();
            check.update(record);
            if ((int) check.getValue() != crc) {
                break;
            }
            try {
                changes.add(StateCodec.decode(record, file.toString()));
            } catch (MemoryFormatException e) {
                break;
            }
        }
        return Optional.of(MemoryState.joinAll(changes));
    }

    /** Queues a change; the caller holds the write lock, so versions arrive in order. */
    void enqueue(long version, MemoryState change) {
        synchronized (queue) {
            queue.add(new Object[] {version, change});
        }
    }

    /**
     * Appends every queued change and forces the file. The thread's interrupt status is set aside during
     * the I/O (an interrupt would close the channel); if the channel was closed under the append anyway,
     * the file is cut back to its length before the append and the append done once more, so a torn
     * record never sits before a later one.
     *
     * @return the highest version now on disk through the journal (0 if nothing was queued)
     */
    long append() throws IOException {
        List<Object[]> pending;
        synchronized (queue) {
            pending = new ArrayList<>(queue);
            queue.clear();
        }
        if (pending.isEmpty()) {
            return 0;
        }
        List<byte[]> records = new ArrayList<>();
        for (Object[] p : pending) {
            byte[] record = StateCodec.encode((MemoryState) p[1]);
            CRC32C crc = new CRC32C();
            crc.update(record);
            records.add(ByteBuffer.allocate(HEADER).putInt(record.length).putInt((int) crc.getValue()).array());
            records.add(record);
        }
        boolean interrupted = Thread.interrupted();
        long start = size;
        try {
            try {
                write(records);
            } catch (java.nio.channels.ClosedChannelException e) {
                channel = null;
                FileChannel reopened = channel();
                reopened.truncate(start);
                size = start;
                reopened.position(start);
                write(records);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return (Long) pending.get(pending.size() - 1)[0];
    }

    private void write(List<byte[]> records) throws IOException {
        FileChannel out = channel();
        ByteBuffer[] all = new ByteBuffer[records.size()];
        long total = 0;
        for (int i = 0; i < all.length; i++) {
            all[i] = ByteBuffer.wrap(records.get(i));
            total += all[i].remaining();
        }
        long written = 0;
        while (written < total) {
            written += out.write(all);
        }
        out.force(false);
        size += total;
    }

    /** The state file now holds every change up to {@code version}: those are dropped, the file emptied. */
    void folded(long version, long stateBytes) throws IOException {
        synchronized (queue) {
            queue.removeIf(p -> (Long) p[0] <= version);
        }
        stateSize = stateBytes;
        if (size > 0 || channel != null) {
            boolean interrupted = Thread.interrupted();
            try {
                FileChannel open = channel();
                open.truncate(0);
                open.force(false);
                size = 0;
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    long size() {
        return size;
    }

    long stateSize() {
        return stateSize;
    }

    private FileChannel channel() throws IOException {
        FileChannel c = channel;
        if (c == null || !c.isOpen()) {
            c = PrivateFiles.openOrCreate(file);
            channel = c;
            size = c.size();
            c.position(size);
        }
        return c;
    }

    /** Closes the file; removes it when it is empty (everything folded into the state file). */
    void close() {
        FileChannel c = channel;
        if (c != null) {
            try {
                c.close();
                if (size == 0) {
                    java.nio.file.Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                // nothing is pending: every append was forced, and an empty journal left behind is harmless
            }
            channel = null;
        }
    }
}
