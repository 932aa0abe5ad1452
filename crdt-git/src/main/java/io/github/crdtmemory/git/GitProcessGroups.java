/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.internal.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The git processes one store (or one {@link GitProcess}) has running, each the leader of its own
 * process group, so that they can all be ended when the JVM is asked to stop, and so that a later run
 * can tell whether a git process of an earlier one still runs.
 *
 * <p>Owned by its store: no state is shared between instances. Its shutdown hook (registered by
 * {@link #registerShutdownHook}, removed by {@link #close}) is one per instance, holding only this
 * instance; once it has run, no new process is started ({@link #start} returns null).
 *
 * <p>While {@link #record(Path) recording} (the store holds its clone's lock), every start and end
 * rewrites a {@code 0600} file listing each live process as {@code <pid> <start time in ms>}, plus the
 * processes of earlier runs that the file named and that still run. A JVM killed with SIGKILL (no
 * hook) leaves its git processes running and named in that file, so the next run knows that one of
 * its lock files may still be in use. A pid is taken for the same process only if the start time
 * matches, so a reused pid is not mistaken for an orphan. Thread-safe.
 */
final class GitProcessGroups implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GitProcessGroups.class);
    private static final long SAME_START_MILLIS = 1000;

    private final Map<Long, Process> live = new LinkedHashMap<>();
    private final List<ProcessHandle> inherited = new ArrayList<>();
    private @Nullable Path record;
    private boolean stopping;
    private @Nullable Thread hook;

    /**
     * Registers the JVM shutdown hook that ends every live process group with {@code terminator}
     * (bounded: the terminator's own grace), and refuses new processes from then on.
     */
    synchronized void registerShutdownHook(Consumer<Process> terminator) {
        if (hook != null) {
            return;
        }
        hook = new Thread(() -> terminateAll(terminator), "git-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Ends every live process group and refuses new processes. */
    void terminateAll(Consumer<Process> terminator) {
        List<Process> all;
        synchronized (this) {
            stopping = true;
            all = new ArrayList<>(live.values());
        }
        for (Process p : all) {
            log.warn("stopping: ending git process group {}", p.pid());
            terminator.accept(p);
        }
    }

    /**
     * Starts {@code pb} and records the process, or starts nothing and returns null once the JVM is
     * stopping. Both under this registry's lock, which the shutdown hook takes to snapshot the live
     * processes: a process is either refused or seen by the hook, never started after the hook looked
     * (its git could then spawn ssh after the hook's signals, and the JVM halts without waiting for the
     * thread that would end it).
     */
    synchronized @Nullable Process start(ProcessBuilder pb) throws java.io.IOException {
        if (stopping) {
            return null;
        }
        Process p = pb.start();
        live.put(p.pid(), p);
        write();
        return p;
    }

    /** Forgets a process that has ended. */
    synchronized void ended(Process p) {
        if (live.remove(p.pid()) != null) {
            write();
        }
    }

    /**
     * Recording to a file while the caller holds the lock that guards it; {@link #close} stops it.
     *
     * @param groups the registry recording
     * @param survivors the processes of earlier runs that the file named and that still run
     */
    record Recording(GitProcessGroups groups, List<ProcessHandle> survivors) implements AutoCloseable {
        @Override
        public void close() {
            groups.stopRecording();
        }
    }

    /**
     * Starts recording to {@code file} (the caller holds the lock that guards it); the result names the
     * processes of earlier runs that the file names and that still run.
     */
    synchronized Recording record(Path file) {
        record = file;
        inherited.clear();
        try {
            Optional<byte[]> bytes = PrivateFiles.readIfExists(file);
            if (bytes.isPresent()) {
                for (String line : new String(bytes.get(), StandardCharsets.UTF_8).split("\n")) {
                    String[] f = line.strip().split(" ");
                    if (f.length == 2 && f[0].matches("[0-9]{1,10}") && f[1].matches("[0-9]{1,19}")) {
                        running(Long.parseLong(f[0]), Long.parseLong(f[1])).ifPresent(inherited::add);
                    }
                }
            }
        } catch (IOException e) {
            log.warn("cannot read the process record {}: {}", file, e.toString());
        }
        inherited.removeIf(h -> live.containsKey(h.pid()));
        write();
        return new Recording(this, List.copyOf(inherited));
    }

    /** Stops recording; the file keeps naming what still runs. */
    synchronized void stopRecording() {
        write();
        record = null;
    }

    /** Removes the shutdown hook; live processes are left to their callers. */
    @Override
    public synchronized void close() {
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException stopping) {
                // the JVM is stopping: the hook runs anyway
            }
            hook = null;
        }
    }

    /** The process {@code pid} if it still runs and started at {@code startMillis}. */
    static Optional<ProcessHandle> running(long pid, long startMillis) {
        return ProcessHandle.of(pid).filter(GitProcessGroups::isRunning)
                .filter(h -> h.info().startInstant().map(s -> Math.abs(s.toEpochMilli() - startMillis)
                        < SAME_START_MILLIS).orElse(false));
    }

    /** Whether {@code h} still runs (a zombie does not). */
    static boolean isRunning(ProcessHandle h) {
        return h.isAlive() && !zombie(h.pid());
    }

    /** How long {@code h} has run; zero if unknown. */
    static Duration age(ProcessHandle h) {
        return h.info().startInstant().map(s -> Duration.between(s, Instant.now())).orElse(Duration.ZERO);
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && "ZX".indexOf(stat.charAt(close + 2)) >= 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void write() {
        if (record == null) {
            return;
        }
        inherited.removeIf(h -> !isRunning(h));
        StringBuilder out = new StringBuilder();
        for (ProcessHandle h : inherited) {
            h.info().startInstant().ifPresent(s -> out.append(h.pid()).append(' ').append(s.toEpochMilli()).append('\n'));
        }
        for (Process p : live.values()) {
            p.toHandle().info().startInstant().ifPresent(s -> out.append(p.pid()).append(' ').append(s.toEpochMilli())
                    .append('\n'));
        }
        // atomic against a killed process, not fsynced: a power loss ends the processes it names too
        Path temp = record.resolveSibling(record.getFileName() + PrivateFiles.TEMP_SUFFIX);
        try {
            Files.deleteIfExists(temp);
            try (SeekableByteChannel ch = Files.newByteChannel(temp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PrivateFiles.FILE_MODE))) {
                ByteBuffer buf = ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            Files.move(temp, record, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("cannot write the process record {}: {}", record, e.toString());
        }
    }
}
