/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A progress line on stderr for an operation that runs longer than a second, only when stderr is a
 * terminal and the output is not JSON. Closing it clears the line.
 */
final class Progress implements AutoCloseable {
    private final ScheduledExecutorService timer;
    private final ScheduledFuture<?> task;
    private final PrintStream err;
    private volatile boolean shown;

    private Progress(String what, PrintStream err) {
        this.err = err;
        long start = System.nanoTime();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "memory-backup-progress");
            t.setDaemon(true);
            return t;
        });
        task = timer.scheduleAtFixedRate(() -> {
            long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            err.print("\r" + what + "... " + s + "s ");
            err.flush();
            shown = true;
        }, 1, 1, TimeUnit.SECONDS);
    }

    /** Starts a progress line, or returns an inert one when it must not show. */
    @SuppressWarnings("SystemConsoleNull") // built for Java 17, where System.console() is null off a terminal
    static AutoCloseable start(String what, boolean enabled, PrintStream err) {
        if (!enabled || System.console() == null) {
            return () -> { };
        }
        return new Progress(what, err);
    }

    @Override
    public void close() {
        task.cancel(false);
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (shown) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
