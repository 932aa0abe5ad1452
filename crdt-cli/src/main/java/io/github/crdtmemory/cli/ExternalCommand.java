/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs a scheduler tool ({@code crontab}, {@code systemctl}) as an argument list, never through a
 * shell, with a timeout after which it is killed; output is drained concurrently.
 */
final class ExternalCommand {
    /**
     * How a run ended.
     *
     * @param exitCode the exit status
     * @param stdout what it printed
     * @param stderr what it printed on stderr
     */
    record Result(int exitCode, String stdout, String stderr) {
    }

    private ExternalCommand() {
    }

    static Result run(List<String> command, @Nullable String stdin, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw failure(command, "cannot start: " + e.getMessage());
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        if (stdin != null) {
            try (OutputStream o = p.getOutputStream()) {
                o.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the process ended early; its exit status says why
            }
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw failure(command, "timed out after " + timeout.toMillis() + " ms and was killed");
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw failure(command, "interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw failure(command, "cannot read its output: " + e);
        }
    }

    static CommandFailure failure(List<String> command, String why) {
        return new CommandFailure(ExitStatus.STORE, "SCHEDULER", String.join(" ", command) + ": " + why);
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                if (buf.size() < 1 << 20) {
                    buf.write(chunk, 0, n);
                }
            }
            return buf.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
