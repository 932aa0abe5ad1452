/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.store.LockTimeoutException;
import io.github.crdtmemory.testkit.Jvm;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ProcessFileLock} excludes threads and processes, including while its file is being created. */
final class ProcessFileLockTest {
    @TempDir
    Path temp;

    @Test
    void closingAnyOtherDescriptorOfTheFileDropsTheOsLockWhichIsWhyTheLockOpensOnlyOne() throws Exception {
        // the premise of ProcessFileLock's design, pinned: if it ever stops holding (OFD locks, say), the
        // design may be simplified; while it holds, no code may open the lock file beside the lock
        Path file = temp.resolve("premise.lock");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            assertThat(probe(file)).isEqualTo("held");
            Files.newByteChannel(file, StandardOpenOption.READ).close();
            assertThat(probe(file)).isEqualTo("free");
        }
    }

    @Test
    void aHeldLockExcludesOtherThreadsAndProcessesAndAWaiterThatGivesUpLeavesItHeld() throws Exception {
        Path file = temp.resolve("held.lock");
        try (ProcessFileLock lock = ProcessFileLock.acquire(file, Duration.ofSeconds(5))) {
            assertThat(probe(file)).isEqualTo("held");
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
                try (ProcessFileLock second = ProcessFileLock.acquire(file, Duration.ofMillis(100))) {
                    throw new AssertionError("a second thread took a held lock");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertThatThrownBy(() -> other.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(LockTimeoutException.class)
                    .hasMessageContaining("held by another thread of this process");
            assertThat(probe(file)).isEqualTo("held");
            assertThatThrownBy(() -> ProcessFileLock.acquire(file, Duration.ofMillis(10)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already holds");
        }
        assertThat(probe(file)).isEqualTo("free");
    }

    @Test
    void aPathThroughALinkedDirectoryIsTheSameLock() throws Exception {
        Path real = Files.createDirectory(temp.resolve("real"));
        Path link = Files.createSymbolicLink(temp.resolve("link"), real);
        try (ProcessFileLock lock = ProcessFileLock.acquire(real.resolve("x.lock"), Duration.ofSeconds(5))) {
            assertThat(lock.file()).isEqualTo(real.toRealPath().resolve("x.lock"));
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
                try (ProcessFileLock second = ProcessFileLock.acquire(link.resolve("./x.lock"),
                        Duration.ofMillis(100))) {
                    throw new AssertionError("the linked path was a different lock");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertThatThrownBy(() -> other.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(LockTimeoutException.class);
            assertThat(probe(real.resolve("x.lock"))).isEqualTo("held");
        }
    }

    @Test
    void theLockFileIsCreatedOwnerOnlyAndASymbolicLinkInItsPlaceIsRefused() throws Exception {
        Path file = temp.resolve("new.lock");
        try (ProcessFileLock lock = ProcessFileLock.acquire(file, Duration.ofSeconds(5))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        Path target = Files.writeString(temp.resolve("target"), "keep", StandardCharsets.UTF_8);
        Path linked = Files.createSymbolicLink(temp.resolve("linked.lock"), target);
        assertThatThrownBy(() -> ProcessFileLock.acquire(linked, Duration.ofSeconds(1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("linked.lock");
        assertThat(Files.readString(target)).isEqualTo("keep");
    }

    @Test
    void freshLockFilesRacedByManyThreadsOfTwoProcessesAdmitOneHolderAtATime() throws Exception {
        // each round both children's threads start together on a lock file that does not exist yet: the
        // window in which creating the file could drop a lock another thread had just taken
        int rounds = 40;
        int threads = 12;
        long start = System.currentTimeMillis() + 2_000;
        Path log = temp.resolve("children.log");
        List<String> output = new ArrayList<>();
        try (Jvm a = Jvm.start(LockWorker.class, log, "rounds", temp.toString(), Integer.toString(rounds),
                Integer.toString(threads), Long.toString(start), "200");
             Jvm b = Jvm.start(LockWorker.class, log, "rounds", temp.toString(), Integer.toString(rounds),
                     Integer.toString(threads), Long.toString(start), "200")) {
            for (Jvm child : List.of(a, b)) {
                assertThat(child.await(120)).as("child exit; log: %s", Files.readString(log)).isZero();
                output.addAll(child.lines);
            }
        }
        assertThat(output).as("holders that found another inside, and failures inside")
                .filteredOn(l -> l.startsWith("overlap") || l.startsWith("error")).isEmpty();
        assertThat(output).filteredOn("done"::equals).hasSize(2);
        for (int i = 0; i < rounds; i++) {
            assertThat(Files.readString(temp.resolve("r" + i + ".count"))).as("count of round %d", i)
                    .isEqualTo(Integer.toString(2 * threads));
        }
    }

    private String probe(Path file) throws Exception {
        try (Jvm probe = Jvm.start(LockWorker.class, temp.resolve("probe.log"), "probe", file.toString())) {
            assertThat(probe.await(60)).as("probe exit").isZero();
            return String.join("\n", probe.lines);
        }
    }
}
