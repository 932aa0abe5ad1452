/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memory-backup sync}, a real process, is sent SIGTERM while git waits on a hung ssh (a fake
 * {@code ssh} first on the PATH that sleeps): it exits within a few seconds and leaves no git, ssh or
 * child of theirs running.
 */
class TerminationIT {
    @TempDir
    Path tmp;

    @Test
    void sigtermLeavesNoGitOrSshRunning() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("fakebin"));
        Path started = tmp.resolve("ssh.started");
        Path ssh = bin.resolve("ssh");
        Files.writeString(ssh, "#!/bin/sh\necho $$ >> '" + started + "'\nexec sleep 3021\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        Cli cli = new Cli(Files.createDirectories(tmp.resolve("home")));
        cli.env.put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        cli.env.put("MEMORY_BACKUP_REPLICA", "tester");
        cli.write(Cli.entity("a", "t", "x"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + tmp, "-jar", Cli.jar().toString(), "sync",
                "--memory-file", cli.home.resolve("memory.jsonl").toString(),
                "--store", "git+ssh://git@example.invalid/memory.git", "--timeout", "120s"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(cli.env);
        Process run = pb.start();
        List<ProcessHandle> family = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(started) || Files.readString(started).isBlank()) {
                assertThat(run.isAlive()).as("memory-backup runs: %s", Files.readString(tmp.resolve("out.txt")))
                        .isTrue();
                assertThat(System.nanoTime()).as("ssh started within 60 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            family.addAll(run.descendants().toList());
            assertThat(family).as("git, the fake ssh (sleep)").hasSizeGreaterThanOrEqualTo(2);

            long start = System.nanoTime();
            run.destroy(); // SIGTERM
            assertThat(run.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            Thread.sleep(200); // let init reap them
            assertThat(family).as("processes started by memory-backup, after it stopped: %s",
                    Files.readString(tmp.resolve("out.txt"))).noneMatch(TerminationIT::running);
        } finally {
            run.destroyForcibly();
            family.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static boolean running(ProcessHandle h) {
        if (!h.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
            return "ZX".indexOf(stat.charAt(stat.lastIndexOf(')') + 2)) < 0;
        } catch (IOException gone) {
            return false;
        }
    }
}
