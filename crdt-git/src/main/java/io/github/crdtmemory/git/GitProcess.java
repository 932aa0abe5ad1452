/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.Redaction;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one git command: an argument list (never a shell), a sanitized environment, stdin from
 * {@code /dev/null} or from bytes we supply, stdout and stderr drained on their own threads, and a
 * wall-clock timeout that ends the whole process group. Thread-safe; holds no state between calls.
 *
 * <p>On Linux the command is started through {@code setsid}, so git and every child it spawns (ssh,
 * remote helpers, hooks) share one process group whose id is git's pid. On timeout the group gets
 * SIGTERM (git removes its lock files), then SIGKILL after {@link #GRACE}; without {@code setsid} the
 * descendants are signalled children first, repeatedly, until none is left.
 *
 * <p>Every live process is registered with the {@link GitProcessGroups} it was given (its store's):
 * that registry's shutdown hook ends the groups still running when the JVM is asked to stop
 * (SIGTERM, Ctrl-C), and records them so a later run knows what an earlier one left running.
 */
final class GitProcess {
    /** Time between SIGTERM and SIGKILL. */
    static final Duration GRACE = Duration.ofSeconds(2);
    /** At most this much of stderr is kept (its tail). */
    static final int STDERR_LIMIT = 8 * 1024;

    private static final Logger log = LoggerFactory.getLogger(GitProcess.class);
    private static final long STDOUT_LIMIT = 1L << 30;

    private final String git;
    private final Map<String, String> environment;
    private final String store;
    private final @Nullable String setsid;
    private final @Nullable String kill;
    private final GitProcessGroups groups;

    GitProcess(String git, Map<String, String> environment, String store) {
        this(git, environment, store, new GitProcessGroups());
    }

    GitProcess(String git, Map<String, String> environment, String store, GitProcessGroups groups) {
        this.groups = Objects.requireNonNull(groups, "groups");
        this.git = Objects.requireNonNull(git, "git");
        this.environment = Map.copyOf(environment);
        this.store = store;
        this.setsid = findExecutable("setsid");
        this.kill = findExecutable("kill");
    }

    /**
     * Reads a command's stdout as it comes, on the thread that drains it (so git never blocks on a full
     * pipe); whatever it leaves unread is drained and dropped. What it throws is rethrown by
     * {@link #run} once the process has ended.
     */
    @FunctionalInterface
    interface OutputReader {
        void read(InputStream out) throws IOException;
    }

    /** What a finished command produced. */
    record Result(List<String> args, int exitCode, byte[] stdout, String stderr, Duration elapsed) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /**
     * Runs {@code git args} in {@code dir}; returns whatever exit code it had.
     *
     * @throws GitOperationError of kind {@code TIMEOUT} if it ran past {@code timeout}
     * @throws GitOperationError (kind UNAVAILABLE) if git cannot be started
     */
    Result run(@Nullable Path dir, Duration timeout, byte @Nullable [] stdin, Map<String, String> extraEnv,
            @Nullable ReplicaId replica,
               List<String> args) {
        return run(dir, timeout, stdin, extraEnv, replica, args, null);
    }

    /**
     * As {@link #run(Path, Duration, byte[], Map, ReplicaId, List)}, but stdout goes to {@code reader}
     * (not kept: the result's stdout is empty) when it is not null.
     */
    Result run(@Nullable Path dir, Duration timeout, byte @Nullable [] stdin, Map<String, String> extraEnv,
               @Nullable ReplicaId replica, List<String> args, @Nullable OutputReader reader) {
        List<String> cmd = new ArrayList<>();
        if (setsid != null && kill != null) {
            cmd.add(setsid);
        }
        cmd.add(git);
        cmd.addAll(GitEnvironment.FIXED_CONFIG);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(environment);
        env.putAll(extraEnv);
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.PIPE);
        long start = System.nanoTime();
        Process p;
        try {
            p = groups.start(pb);
        } catch (IOException e) {
            throw new GitOperationError(store, replica, GitOperationError.Kind.UNAVAILABLE, args, -1,
                    "cannot start " + git + ": " + e.getMessage(), elapsed(start), dir, e);
        }
        if (p == null) {
            throw new GitOperationError(store, replica, GitOperationError.Kind.FAILED, args, -1,
                    "not started: the JVM is stopping", elapsed(start), dir, null);
        }
        try {
            return await(p, dir, timeout, stdin, replica, args, start, reader);
        } finally {
            groups.ended(p);
        }
    }

    /** The registry of this process's live git processes. */
    GitProcessGroups groups() {
        return groups;
    }

    private Result await(Process p, @Nullable Path dir, Duration timeout, byte @Nullable [] stdin,
                         @Nullable ReplicaId replica, List<String> args, long start,
                         @Nullable OutputReader reader) {
        Drain out = reader == null ? new Drain(p.getInputStream(), STDOUT_LIMIT, false)
                : new Drain(p.getInputStream(), reader);
        Drain err = new Drain(p.getErrorStream(), STDERR_LIMIT, true);
        Thread feeder = null;
        if (stdin != null) {
            feeder = new Thread(() -> {
                try (OutputStream o = p.getOutputStream()) {
                    o.write(stdin);
                } catch (IOException e) {
                    // git exited early; its exit code and stderr tell why
                }
            }, "git-stdin");
            feeder.setDaemon(true);
            feeder.start();
        }
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            terminate(p.toHandle());
            Thread.currentThread().interrupt();
            throw new GitOperationError(store, replica, GitOperationError.Kind.FAILED, args, -1,
                    "interrupted", elapsed(start), dir, e);
        }
        if (!finished || out.overflowed) {
            terminate(p.toHandle());
            out.await();
            err.await();
            Duration took = elapsed(start);
            if (out.overflowed) {
                throw new GitOperationError(store, replica, GitOperationError.Kind.FAILED, args, -1,
                        "output larger than " + STDOUT_LIMIT + " bytes", took, dir, null);
            }
            log.warn("git {} timed out after {} ms; process group killed", Redaction.redact(String.join(" ", args)),
                    took.toMillis());
            throw GitOperationError.timedOut(store, replica, args, err.text(), took, timeout, dir);
        }
        out.await(reader == null ? TimeUnit.SECONDS.toMillis(5) : timeout.toMillis());
        err.await();
        if (reader != null && out.thread.isAlive()) {
            throw new GitOperationError(store, replica, GitOperationError.Kind.FAILED, args, -1,
                    "its output was not read within " + timeout.toMillis() + " ms", elapsed(start), dir, null);
        }
        Exception failure = out.failure;
        if (failure != null && p.exitValue() == 0) { // else the exit code and stderr say more
            throw failure instanceof RuntimeException e ? e : new GitOperationError(store, replica,
                    GitOperationError.Kind.FAILED, args, -1, "cannot read the output: " + failure, elapsed(start),
                    dir, failure);
        }
        if (feeder != null) {
            try {
                feeder.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Duration took = elapsed(start);
        int code = p.exitValue();
        if (log.isDebugEnabled()) {
            log.debug("git {} exited {} in {} ms", Redaction.redact(String.join(" ", args)), code, took.toMillis());
        }
        return new Result(args, code, out.bytes(), err.text(), took);
    }

    /**
     * SIGTERM to the group, a grace period, then SIGKILL; then any descendant left, children first.
     * Bounded: about {@link #GRACE} plus a few seconds. Also ends a process group an earlier run left.
     */
    void terminate(ProcessHandle p) {
        long pid = p.pid();
        List<ProcessHandle> family = new ArrayList<>(p.descendants().toList());
        if (setsid != null && kill != null) {
            signalGroup(pid, "TERM");
            try {
                p.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // still running: killed next
            }
            signalGroup(pid, "KILL");
        } else {
            family.forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                p.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // still running: killed next
            }
        }
        for (int round = 0; round < 10; round++) {
            family.addAll(p.descendants().toList());
            family.removeIf(h -> !h.isAlive());
            if (family.isEmpty() && !p.isAlive()) {
                break;
            }
            family.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.onExit().get(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // checked again in the next round
            }
        }
    }

    private void signalGroup(long pgid, String signal) {
        try {
            Process k = new ProcessBuilder(kill, "-s", signal, "--", "-" + pgid)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!k.waitFor(2, TimeUnit.SECONDS)) {
                k.destroyForcibly();
            }
        } catch (IOException e) {
            log.warn("cannot signal process group {}: {}", pgid, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** The absolute path of {@code name} in the usual system directories, or null. */
    static @Nullable String findExecutable(String name) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Reads one stream to its end on a daemon thread; keeps everything, or only the tail. */
    private static final class Drain {
        private final Thread thread;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final long limit;
        private final boolean tail;
        private volatile boolean overflowed;
        /** What the reader threw (read once the thread has ended). */
        private volatile @Nullable Exception failure;

        Drain(InputStream in, long limit, boolean tail) {
            this.limit = limit;
            this.tail = tail;
            this.thread = new Thread(() -> pump(in), "git-drain");
            thread.setDaemon(true);
            thread.start();
        }

        /** Hands the stream to {@code reader}, then drops what it left. */
        Drain(InputStream in, OutputReader reader) {
            this.limit = 0;
            this.tail = false;
            this.thread = new Thread(() -> {
                try (in) {
                    try {
                        reader.read(in);
                    } catch (IOException | RuntimeException e) {
                        failure = e;
                    }
                    in.transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    // the process was killed or closed its end
                }
            }, "git-drain");
            thread.setDaemon(true);
            thread.start();
        }

        private void pump(InputStream in) {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    synchronized (buffer) {
                        buffer.write(chunk, 0, n);
                        if (buffer.size() > limit) {
                            if (tail) {
                                byte[] all = buffer.toByteArray();
                                buffer.reset();
                                buffer.write(all, all.length - (int) limit / 2, (int) limit / 2);
                            } else {
                                overflowed = true;
                                return;
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the process was killed or closed its end
            }
        }

        /** Waits a bounded time: an orphan may hold the pipe open after git has gone. */
        void await() {
            await(TimeUnit.SECONDS.toMillis(5));
        }

        void await(long millis) {
            try {
                thread.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        byte[] bytes() {
            synchronized (buffer) {
                return buffer.toByteArray();
            }
        }

        String text() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }
    }
}
