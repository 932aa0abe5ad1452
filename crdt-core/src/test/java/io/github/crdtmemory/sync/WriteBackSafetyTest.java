/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static io.github.crdtmemory.sync.Host.withObservation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.store.DirectoryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kept copies of the memory file, and a write-back that fails between the temp file and the rename. */
final class WriteBackSafetyTest {
    @TempDir
    Path temp;

    private DirectoryStore store() {
        return DirectoryStore.open(temp.resolve("store"), Duration.ofSeconds(30));
    }

    private SyncSettings settings(String replica) {
        return SyncSettings.of(temp.resolve(replica + "/memory.jsonl"), temp.resolve(replica + "/state"),
                ReplicaId.of(replica));
    }

    @Test
    void everyWriteBackKeepsThePreviousContentAndTheCopiesRotate() throws Exception {
        try (DirectoryStore store = store()) {
            Host bob = new Host(temp, "bob", store);
            SyncEngine alice = SyncEngine.create(settings("alice").withKeptCopies(3), store);
            Path file = alice.settings().memoryFile();
            Host.write(file, withObservation(io.github.crdtmemory.memory.MemoryGraph.empty(), "Ada", "person", "a"));
            alice.sync();
            for (int round = 1; round <= 5; round++) {
                int r = round;
                bob.edit(g -> withObservation(g, "Bob", "person", "round " + r));
                bob.sync();
                byte[] before = Files.readAllBytes(file);
                SyncReport report = alice.sync();
                assertThat(report.writeBack()).isEqualTo(SyncReport.WriteBack.WRITTEN);
                Path copy = Path.of(report.keptCopy());
                assertThat(copy).exists();
                assertThat(Files.readAllBytes(copy)).isEqualTo(before);
                assertThat(Files.getPosixFilePermissions(copy)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
                assertThat(report.toJson()).endsWith(",\"keptCopy\":\"" + copy + "\",\"quarantined\":[]}");
            }
            Path copies = alice.settings().stateDir().resolve(StateDirectory.COPIES_DIR);
            assertThat(Files.getPosixFilePermissions(copies)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            List<Path> kept = StateDirectory.copies(copies);
            assertThat(kept).hasSize(3);
            assertThat(Files.readString(kept.get(2))).contains("round 4").doesNotContain("round 5");
            assertThat(Files.readString(kept.get(0))).contains("round 2").doesNotContain("round 3");

            SyncReport quiet = alice.sync();
            assertThat(quiet.writeBack()).isEqualTo(SyncReport.WriteBack.UNCHANGED);
            assertThat(quiet.keptCopy()).isEmpty();
        }
    }

    @Test
    void aWriteBackThatFailsBeforeTheRenameLeavesTheOldFileAndLosesNothing() throws Exception {
        try (DirectoryStore store = store()) {
            Host bob = new Host(temp, "bob", store);
            SyncSettings settings = settings("alice");
            Path file = settings.memoryFile();
            Host.write(file, withObservation(io.github.crdtmemory.memory.MemoryGraph.empty(), "Ada", "person", "a"));
            SyncEngine.create(settings, store).sync();
            bob.edit(g -> withObservation(g, "Bob", "person", "from bob"));
            bob.sync();
            Host.write(file, withObservation(Host.read(file), "Ada", "person", "local edit"));
            byte[] before = Files.readAllBytes(file);

            SyncEngine failing = SyncEngine.withFault(settings, store, () -> {
                throw new UncheckedIOException(new IOException("injected: disk gone between write and rename"));
            });
            assertThatThrownBy(failing::sync).hasMessageContaining("injected");

            assertThat(Files.readAllBytes(file)).isEqualTo(before);
            try (Stream<Path> left = Files.list(file.getParent())) {
                // the recorded temporary file stays: it tells the next run that the rename never happened
                assertThat(left.map(p -> p.getFileName().toString()).filter(n -> !n.equals("memory.jsonl")
                        && !n.equals("state"))).singleElement().asString().startsWith(".memory.jsonl.").endsWith(".tmp");
            }
            SyncReport next = SyncEngine.create(settings, store).sync();
            try (Stream<Path> left = Files.list(file.getParent())) {
                assertThat(left.map(p -> p.getFileName().toString())).as("deleted once no checkpoint names it")
                        .containsOnly("memory.jsonl", "state");
            }
            assertThat(next.writeBack()).isEqualTo(SyncReport.WriteBack.WRITTEN);
            assertThat(next.deleted()).isEmpty();
            assertThat(Host.read(file).entity("Bob")).isPresent();
            assertThat(Host.read(file).entity("Ada").orElseThrow().observations()).contains("a", "local edit");
        }
    }

    /**
     * A crash before the pending write-back was recorded leaves a temporary copy of the memory that no
     * checkpoint names: a write-back sweeps this file's temporary files older than an hour, and nothing
     * else (a recent one, a link, another file's, a name not of the pattern).
     */
    @Test
    void aWriteBackSweepsTemporaryCopiesACrashLeftBehind() throws Exception {
        try (DirectoryStore store = store()) {
            SyncSettings settings = settings("alice");
            Path file = settings.memoryFile();
            Host.write(file, withObservation(io.github.crdtmemory.memory.MemoryGraph.empty(), "Ada", "person", "a"));
            Path dir = file.getParent();
            java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(java.time.Duration.ofHours(2)));
            Path stale = Files.writeString(dir.resolve(".memory.jsonl.k3x9q2m1.tmp"), "{\"secret\"}");
            Files.setLastModifiedTime(stale, old);
            Path recent = Files.writeString(dir.resolve(".memory.jsonl.a1b2c3.tmp"), "{}");
            Path other = Files.writeString(dir.resolve(".other.jsonl.k3x9q2m1.tmp"), "{}");
            Files.setLastModifiedTime(other, old);
            Path odd = Files.writeString(dir.resolve(".memory.jsonl.not-ours.tmp"), "{}");
            Files.setLastModifiedTime(odd, old);
            Path link = Files.createSymbolicLink(dir.resolve(".memory.jsonl.zz9.tmp"), other);

            SyncEngine.create(settings, store).sync();

            assertThat(stale).doesNotExist();
            assertThat(recent).exists();
            assertThat(other).exists();
            assertThat(odd).exists();
            assertThat(Files.isSymbolicLink(link)).isTrue();
        }
    }
}
