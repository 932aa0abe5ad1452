/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on this test run's class path, running a test main class, with its standard output
 * collected line by line and its standard error appended to a log file. Closing it kills it if it is
 * still running.
 */
public final class Jvm implements AutoCloseable {
    /** The child process. */
    public final Process process;
    /** Its standard output so far, line by line. */
    public final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private Jvm(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("reader failed: " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code main} with {@code args} in a small client-compiler JVM.
     *
     * @param main the class whose {@code main} runs
     * @param logFile where standard error is appended
     * @param args the arguments
     * @return the running child
     * @throws IOException if it cannot be started
     */
    public static Jvm start(Class<?> main, Path logFile, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx128m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return new Jvm(pb.start());
    }

    /** Waits until a line equal to {@code line} appears, or fails after {@code seconds}. */
    public void awaitLine(String line, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!lines.contains(line)) {
            if (System.nanoTime() > deadline || (!process.isAlive() && !lines.contains(line))) {
                Thread.sleep(50);
                if (lines.contains(line)) {
                    return;
                }
                throw new AssertionError("child never printed '" + line + "'; exit "
                        + (process.isAlive() ? "still running" : process.exitValue()) + "; output " + lines);
            }
            Thread.sleep(5);
        }
    }

    /** Waits for the exit, killing the child after {@code seconds}; returns the exit code. */
    public int await(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child did not finish in " + seconds + " s; output " + lines);
        }
        reader.join(5000);
        return process.exitValue();
    }

    /** Kills the child (SIGKILL) and waits for it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux and macOS
        process.waitFor(30, TimeUnit.SECONDS);
        reader.join(5000);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
