/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The git command line, for tests that look at a remote from outside (which objects, refs and commit
 * messages it holds): git in a directory with no inherited {@code GIT_*} variable and no user or system
 * configuration, bounded by a minute.
 */
public final class Git {
    private Git() {
    }

    /**
     * Runs git and returns what it printed, standard error included, as ISO-8859-1 text (every byte one
     * character, so binary objects can be searched too), whatever its exit status.
     *
     * @param dir the directory to run in
     * @param args git's arguments
     * @return its output
     * @throws IOException if git cannot be started
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError if git runs for over a minute
     */
    public static String output(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("GIT_"));
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("git " + String.join(" ", args) + " ran for over a minute");
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }
}
