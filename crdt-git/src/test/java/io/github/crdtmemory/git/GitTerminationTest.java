/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static io.github.crdtmemory.git.GitFixtures.livingProcesses;
import static io.github.crdtmemory.git.GitFixtures.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.internal.PrivateFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM stopped while git talks to a hung ssh: with SIGTERM its git process groups end with it; with
 * SIGKILL they survive, and the next run keeps their lock files until they are gone (or ends them
 * once they have run past every timeout). Real child JVMs, real git, a fake {@code ssh} that sleeps.
 */
final class GitTerminationTest {
    private static final String REMOTE = "ssh://git@example.invalid/memory.git";

    @TempDir
    Path temp;

    @Test
    void sigtermEndsEveryGitProcessGroupOfTheJvm() throws Exception {
        Path pids = temp.resolve("ssh.pids");
        Process child = worker(pids, "3011");
        try {
            awaitSsh(pids, child);
            List<ProcessHandle> family = child.descendants().toList();
            assertThat(family).as("git and the fake ssh run under the worker").hasSizeGreaterThanOrEqualTo(2);
            long start = System.nanoTime();
            child.destroy(); // SIGTERM
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(GitProcess.GRACE.plusSeconds(8));
            assertThat(family).as("git, ssh and sleep after the JVM stopped")
                    .noneMatch(GitProcessGroups::isRunning);
            assertThat(livingProcesses("sleep 3011")).isEmpty();
        } finally {
            child.destroyForcibly();
            livingProcesses("sleep 3011").forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    void locksAreKeptWhileAGitOfAKilledRunStillRunsAndItEndsPastTheTimeouts() throws Exception {
        Path pids = temp.resolve("ssh.pids");
        Process child = worker(pids, "3012");
        try {
            awaitSsh(pids, child);
            child.destroyForcibly(); // SIGKILL: no shutdown hook
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(livingProcesses("sleep 3012")).as("the orphaned ssh still runs").isNotEmpty();
            Path clone = clonePath();
            Path lock = clone.resolve("refs/remotes/origin/replicas/alice.lock");
            Files.createDirectories(lock.getParent());
            Files.writeString(lock, "held by the orphaned git");

            Path refusing = script(temp.resolve("bin/refusing-ssh"), "echo 'Connection refused' >&2; exit 255");
            GitStore patient = GitStore.open(GitStoreOptions.of(REMOTE, temp.resolve("cache"))
                    .withSshCommand(refusing.toString()));
            assertThatThrownBy(patient::read).isInstanceOf(GitOperationError.class);
            assertThat(lock).as("a lock the orphan may hold is kept").exists();
            assertThat(livingProcesses("sleep 3012")).isNotEmpty();
            patient.close();

            GitStore strict = GitStore.open(GitStoreOptions.of(REMOTE, temp.resolve("cache"))
                    .withSshCommand(refusing.toString()).withTimeout(Duration.ofMillis(500))
                    .withNetworkTimeout(Duration.ofMillis(500)));
            Thread.sleep(GitProcess.GRACE.plusSeconds(1).toMillis()); // the orphan is now past 0.5 s + grace
            assertThatThrownBy(strict::read).isInstanceOf(GitOperationError.class);
            assertThat(livingProcesses("sleep 3012")).as("the orphan ran past every timeout: ended").isEmpty();
            assertThat(lock).as("no process of ours can hold it any more").doesNotExist();
            strict.close();
            String log = Files.readString(Path.of("target/crdt-git-test.log"));
            assertThat(log).contains("of an earlier run still run in " + clone)
                    .contains("removing stale git lock " + lock);
        } finally {
            child.destroyForcibly();
            livingProcesses("sleep 3012").forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    void lockNamedFilesOutsideGitsLockPlacesAreLeftAlone() throws Exception {
        Path remote = GitFixtures.bareRemote(temp.resolve("remote.git"));
        GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), temp.resolve("c")));
        store.read();
        Path clone = store.clonePath();
        Path stray = clone.resolve("objects/ab/not-a-git.lock");
        Files.createDirectories(stray.getParent());
        Files.writeString(stray, "x");
        Path packed = clone.resolve("packed-refs.lock");
        Files.writeString(packed, "left by a killed git");
        store.read();
        assertThat(packed).doesNotExist();
        assertThat(stray).as("not a place git puts locks: not scanned").exists();
        assertThat(Files.readString(clone.getParent().resolve(GitStore.PROCESS_RECORD))).isEmpty();
        assertThat(Files.getPosixFilePermissions(clone.getParent().resolve(GitStore.PROCESS_RECORD)))
                .isEqualTo(PrivateFiles.FILE_MODE);
        store.close();
    }

    /** A child JVM syncing through {@link #REMOTE} with a fake ssh on its PATH that logs its pid and sleeps. */
    private Process worker(Path pids, String marker) throws IOException {
        Path bin = temp.resolve("fakebin");
        script(bin.resolve("ssh"), "echo $$ >> '" + pids + "'\nexec sleep " + marker);
        Path home = temp.resolve("home");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.logFile=target/child-termination-" + marker + ".log",
                "-cp", System.getProperty("java.class.path"), GitSyncWorker.class.getName(),
                REMOTE, temp.resolve("cache").toString(), home.resolve("memory.jsonl").toString(),
                home.resolve("state").toString(), "alice", "alice", "1");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(temp.resolve("worker-" + marker + ".out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        return pb.start();
    }

    private void awaitSsh(Path pids, Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(pids) || Files.readString(pids, StandardCharsets.UTF_8).isBlank()) {
            assertThat(child.isAlive()).as("the worker still runs: %s", output()).isTrue();
            assertThat(System.nanoTime()).as("the fake ssh started within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private String output() throws IOException {
        try (Stream<Path> files = Files.list(temp)) {
            StringBuilder out = new StringBuilder();
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().startsWith("worker-")) {
                    out.append(Files.readString(p));
                }
            }
            return out.toString();
        }
    }

    private Path clonePath() throws IOException {
        try (Stream<Path> dirs = Files.list(temp.resolve("cache/git"))) {
            List<Path> all = new ArrayList<>(dirs.toList());
            assertThat(all).hasSize(1);
            return all.get(0).resolve("repo.git");
        }
    }
}
