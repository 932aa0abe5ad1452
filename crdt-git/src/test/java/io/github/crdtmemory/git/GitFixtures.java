/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test helpers: run git directly (isolated from the user's config), make bare remotes and hooks. */
public final class GitFixtures {
    /** The secret every credential test uses; LogAuditTest checks it never appears in the log. */
    public static final String SECRET = "s3cr3t-t0k3n-ZQX";

    private GitFixtures() {
    }

    /** Runs git in {@code dir} and returns stdout; fails the test on a non-zero exit. */
    public static String git(Path dir, String... args) {
        ProcessBuilder pb = gitProcess(dir, args);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("git " + String.join(" ", args) + " failed: "
                        + new String(err, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs git in {@code dir} with {@code input} on stdin and returns stdout, stripped; fails the test on an error. */
    public static String gitWithInput(Path dir, byte[] input, String... args) {
        return gitWithInput(dir, new java.io.ByteArrayInputStream(input), args);
    }

    /**
     * As {@link #gitWithInput(Path, byte[], String...)}, with {@code input} streamed to git's stdin (a blob
     * larger than the test's heap, say).
     */
    public static String gitWithInput(Path dir, java.io.InputStream input, String... args) {
        ProcessBuilder pb = gitProcess(dir, args);
        Map<String, String> env = pb.environment();
        env.put("GIT_AUTHOR_NAME", "t");
        env.put("GIT_AUTHOR_EMAIL", "t@example.invalid");
        env.put("GIT_COMMITTER_NAME", "t");
        env.put("GIT_COMMITTER_EMAIL", "t@example.invalid");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            Process p = pb.start();
            try (java.io.OutputStream in = p.getOutputStream()) {
                input.transferTo(in);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("git " + String.join(" ", args) + " failed");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The blob ids of the state shards ({@code shard-xx}, format 2) in the tree of {@code rev}, in order. */
    public static List<String> shardBlobs(Path repo, String rev) {
        List<String> blobs = new ArrayList<>();
        for (String line : git(repo, "ls-tree", rev).split("\n")) {
            String[] parts = line.split("\\s+");
            if (parts.length == 4 && parts[3].startsWith("shard-")) {
                blobs.add(parts[2]);
            }
        }
        return blobs;
    }

    /** The text of every state shard in the tree of {@code rev}, concatenated. */
    public static String stateText(Path repo, String rev) {
        StringBuilder text = new StringBuilder();
        shardBlobs(repo, rev).forEach(b -> text.append(git(repo, "cat-file", "blob", b)));
        return text.toString();
    }

    /** Creates a bare repository at {@code dir}. */
    public static Path bareRemote(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        git(dir, "init", "--bare", "-q", ".");
        return dir;
    }

    /** Writes an executable script. */
    public static Path script(Path file, String body) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "#!/bin/sh\n" + body + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pids of live (not zombie) processes whose command line contains {@code marker}. */
    public static List<Long> livingProcesses(String marker) {
        List<Long> found = new ArrayList<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    String stat = Files.readString(d.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    if (cmdline.contains(marker) && state != 'Z' && state != 'X') {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** A git process in {@code dir} with no user or system configuration, no inherited GIT_*, LC_ALL=C. */
    private static ProcessBuilder gitProcess(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("GIT_"));
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("LC_ALL", "C");
        return pb;
    }
}
